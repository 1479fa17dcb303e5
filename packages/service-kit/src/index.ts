export {
  type ApiKeyRecord,
  ApiKeyStore,
  allows,
  formatApiKeyRecord,
  generateApiKey,
  hashApiKey,
  parseApiKeys,
  SCOPES,
  type Scope,
} from './api-keys.ts';
export {
  ADMIN_AUDIT_POLICY,
  type AuditPolicy,
  AuditTrail,
  type AuditTrailOptions,
  ensureAuditTopic,
  registerAudit,
  summarizeBody,
} from './audit.ts';
export { AppError, type AppErrorCode } from './errors.ts';
export { FAILOVER_SLACK_MS, type FailoverPart, longestFailover, seconds } from './failover-timings.ts';
export {
  type HeaderSpec,
  JSON_CONTENT_TYPE,
  PROBLEM_CONTENT_TYPE,
  problem,
  respond,
} from './http-contract.ts';
export { API_KEY_SECURITY, seesEverything } from './http-security.ts';
export {
  createHttpServer,
  type HttpServer,
  type HttpServerOptions,
  type RouteRow,
  registeredRoutes,
} from './http-server.ts';
export { handleSignals, type Stoppable, stopInOrder } from './lifecycle.ts';
export { createLogger, type Logger, type LoggerOptions, REDACTED_PATHS } from './logger.ts';
export { createServiceMetrics, type ServiceMetrics } from './metrics.ts';
export { type ProblemBody, problemBody } from './problem.ts';
export { type CheckResult, Readiness, type ReadinessCheck } from './readiness.ts';
export { type ConsumerSpec, type RuntimeOptions, ServiceRuntime, type Worker } from './runtime.ts';
export { createPipelineMetrics, type PipelineMetrics } from './runtime-metrics.ts';
export { StartRefused } from './runtime-timings.ts';
export {
  contextFrom,
  createEventTracer,
  endWithError,
  type Span,
  SpanKind,
  Tracing,
  traceparentOf,
} from './tracing.ts';
