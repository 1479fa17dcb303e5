import { randomUUID } from 'node:crypto';
import {
  AUDIT_LOG_MESSAGE,
  AUDIT_TOPIC_CONFIGS,
  type AuditRecord,
  auditOutcome,
  auditRecord,
} from '@kafka-poc/contracts';
import type { KafkaAdmin, KafkaProducer } from '@kafka-poc/kafka';
import { backoffDelay, sleep } from '@kafka-poc/resilience';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { HttpServer } from './http-types.ts';
import type { Logger } from './logger.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's own summary of a request for the audit trail (default: summarizeBody of the body). */
    auditSummary?: (request: FastifyRequest) => Record<string, unknown> | undefined;
  }
}

export interface AuditTrailOptions {
  /** `console` or the service's name. */
  source: string;
  instance: string;
  topic: string;
  /** Absent (a read-only console): records are logged only. */
  producer: KafkaProducer | undefined;
  logger: Logger;
  registry: Registry;
  /** Sends of one record (default 3); each is bounded by the producer's delivery timeout. */
  maxAttempts?: number;
  /** Records being sent at once at most (default 1000); beyond, a record is logged only, and counted. */
  maxPending?: number;
}

/**
 * The audit trail: each record is one JSON log line (`"msg":"audit"`, the record under `audit`) and,
 * best-effort, one record on the audit topic through the process's own producer. Sending happens in
 * the background with a few attempts: a request is never held or failed by it. A record that cannot
 * be produced still has its log line, and `audit_records_failed_total` counts it.
 */
export class AuditTrail {
  readonly topic: string;
  readonly source: string;
  readonly instance: string;
  readonly #options: AuditTrailOptions;
  readonly #failed: Counter;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: AuditTrailOptions) {
    this.#options = options;
    this.topic = options.topic;
    this.source = options.source;
    this.instance = options.instance;
    this.#failed = new Counter({
      name: 'audit_records_failed_total',
      help: 'Audit records that could not be written to the audit topic (their log line exists)',
      registers: [options.registry],
    });
  }

  record(record: AuditRecord, logger: FastifyBaseLogger = this.#options.logger): void {
    logger.info({ audit: record }, AUDIT_LOG_MESSAGE);
    const { producer } = this.#options;
    if (!producer) return;
    if (this.#pending.size >= (this.#options.maxPending ?? 1000)) {
      this.#fail(record, new Error('too many audit records waiting for Kafka'));
      return;
    }
    const sending = this.#send(producer, record).finally(() => this.#pending.delete(sending));
    this.#pending.add(sending);
  }

  /** Resolves once every record handed over so far was produced or given up (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #send(producer: KafkaProducer, record: AuditRecord): Promise<void> {
    const attempts = this.#options.maxAttempts ?? 3;
    const message = { topic: this.topic, key: record.id, value: JSON.stringify(record) };
    for (let attempt = 1; ; attempt++) {
      try {
        await producer.send([message]);
        return;
      } catch (error) {
        if (attempt >= attempts) return this.#fail(record, error);
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 2000 }));
      }
    }
  }

  #fail(record: AuditRecord, error: unknown): void {
    this.#failed.inc();
    this.#options.logger.warn(
      { auditId: record.id, err: error, topic: this.topic },
      'audit record not written to Kafka (its log line exists)',
    );
  }
}

/** Creates the audit topic when it does not exist: one partition (one order to page through), long retention. */
export async function ensureAuditTopic(
  admin: KafkaAdmin,
  topic: string,
  kafka: { replicationFactor: number },
): Promise<boolean> {
  const created = await admin.ensureTopics([
    {
      name: topic,
      partitions: 1,
      replicationFactor: kafka.replicationFactor,
      configs: {
        ...AUDIT_TOPIC_CONFIGS,
        ...(kafka.replicationFactor >= 3 ? { 'min.insync.replicas': '2' } : {}),
      },
    },
  ]);
  return created.length > 0;
}

export interface AuditPolicy {
  /** Whether this answered request is audited. */
  audited(request: FastifyRequest): boolean;
  /** Who made it (`key:<name>`, `session:<hash>`, `local`, `anonymous`). */
  actor(request: FastifyRequest): string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The services' policy: writes to routes that require the admin scope, and any write a key holding
 * the admin scope makes (admin implies every scope, and lets it act on other callers' resources).
 */
export const ADMIN_AUDIT_POLICY: AuditPolicy = {
  audited: (request) =>
    WRITE_METHODS.has(request.method) &&
    (request.routeOptions.config.scope === 'admin' || (request.principalScopes?.includes('admin') ?? false)),
  actor: (request) => (request.principal !== undefined ? `key:${request.principal}` : 'anonymous'),
};

/**
 * Audits every answered request the policy picks (an onResponse hook: after the answer is sent,
 * never delaying or failing it). Refusals are audited too: 401/403/409/422 of an audited route.
 */
export function registerAudit(app: HttpServer, trail: AuditTrail, policy: AuditPolicy): void {
  const errorCodes = new WeakMap<FastifyRequest, string>();
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === 'string' && payload.startsWith('{')) {
      try {
        const code = (JSON.parse(payload) as { code?: unknown }).code;
        if (typeof code === 'string') errorCodes.set(request, code.slice(0, 100));
      } catch {
        // Not JSON: no code.
      }
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    try {
      if (!request.routeOptions.url || !policy.audited(request)) return;
      const traceId = request.span?.spanContext().traceId;
      const summary = (request.routeOptions.config.auditSummary ?? defaultSummary)(request);
      const errorCode = errorCodes.get(request);
      const record: AuditRecord = {
        id: randomUUID(),
        at: new Date().toISOString(),
        source: trail.source,
        instance: trail.instance,
        actor: policy.actor(request),
        client: request.ip ?? '',
        method: request.method,
        route: request.routeOptions.url,
        params: stringParams(request.params),
        ...(summary ? { summary } : {}),
        status: reply.statusCode,
        outcome: auditOutcome(reply.statusCode),
        ...(errorCode ? { errorCode } : {}),
        requestId: String(request.id),
        ...(traceId ? { traceId } : {}),
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      };
      trail.record(auditRecord.parse(record), request.log);
    } catch (error) {
      request.log.error({ err: error }, 'audit record could not be built');
    }
  });
}

function defaultSummary(request: FastifyRequest): Record<string, unknown> | undefined {
  return summarizeBody(request.body);
}

const SECRET_FIELD = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential/i;
const MAX_STRING = 64;
const MAX_FIELDS = 20;

/**
 * A short summary of a request body for the audit trail: numbers, booleans and null as they are,
 * strings cut at 64 characters, fields named like secrets redacted, nested objects and arrays by
 * size only (a nested object one level deep with the same rules). At most 20 fields.
 */
export function summarizeBody(body: unknown, depth = 0): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const summary: Record<string, unknown> = {};
  const entries = Object.entries(body as Record<string, unknown>);
  for (const [key, value] of entries.slice(0, MAX_FIELDS)) {
    summary[key] = SECRET_FIELD.test(key) ? '[redacted]' : summarizeValue(value, depth);
  }
  if (entries.length > MAX_FIELDS) summary['…'] = `${entries.length - MAX_FIELDS} more field(s)`;
  return summary;
}

function summarizeValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return cut(value);
  if (Array.isArray(value)) {
    return value.length <= 10 && value.every((v) => typeof v === 'string' || typeof v === 'number')
      ? value.map((v) => (typeof v === 'string' ? cut(v) : v))
      : `[${value.length} item(s)]`;
  }
  if (typeof value === 'object') {
    return depth === 0 ? summarizeBody(value, 1) : `{${Object.keys(value).length} field(s)}`;
  }
  return typeof value;
}

function cut(text: string): string {
  return text.length <= MAX_STRING ? text : `${text.slice(0, MAX_STRING)}… (${text.length} chars)`;
}

function stringParams(params: unknown): Record<string, string> {
  if (!params || typeof params !== 'object') return {};
  return Object.fromEntries(
    Object.entries(params as Record<string, unknown>).map(([k, v]) => [k, cut(String(v))]),
  );
}
