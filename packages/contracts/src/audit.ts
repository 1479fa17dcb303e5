import { z } from 'zod';

/**
 * The audit trail's record: who made a write (through the console or a service's admin API), what
 * (method, matched route pattern, params, a short summary of the body without secrets), when, the
 * outcome, and the request's ids. Written as one JSON log line (message AUDIT_LOG_MESSAGE, the record
 * under `audit`) and as one record on AUDIT_TOPIC (key: the record's id, value: this JSON).
 */
export const auditRecord = z.object({
  /** Unique per record: a reader drops a copy a producer retry may have written. */
  id: z.uuid(),
  /** When the request was answered (ISO 8601, UTC). */
  at: z.iso.datetime(),
  /** `console` or the service's name. */
  source: z.string().min(1).max(100),
  instance: z.string().max(200),
  /**
   * Who: `key:<name>` (a verified API key), `session:<12 hex>` (a console login session, a hash of
   * its id), `local` (a console without login, loopback only) or `anonymous` (a service without keys).
   */
  actor: z.string().min(1).max(200),
  /** The client's address (Fastify's request.ip: the socket's, or X-Forwarded-For's behind a trusted proxy). */
  client: z.string().max(100),
  method: z.string().min(1).max(10),
  /** The matched route pattern (`/inventory/:item`), never the raw URL. */
  route: z.string().min(1).max(300),
  params: z.record(z.string(), z.string().max(300)),
  /** A short summary of the body: scalar fields (long strings cut), secrets redacted, sizes of the rest. */
  summary: z.record(z.string(), z.unknown()).optional(),
  status: z.number().int().min(100).max(599),
  /** `ok` (2xx/3xx), `refused` (4xx) or `failed` (5xx). */
  outcome: z.enum(['ok', 'refused', 'failed']),
  /** The problem's `code` of a 4xx/5xx answer. */
  errorCode: z.string().max(100).optional(),
  /** Fastify's request id (x-request-id when the client sent one). */
  requestId: z.string().min(1).max(200),
  traceId: z.string().max(64).optional(),
  durationMs: z.number().min(0),
});

export type AuditRecord = z.infer<typeof auditRecord>;

/** The message of an audit log line (`grep '"msg":"audit"'`); the record is under `audit`. */
export const AUDIT_LOG_MESSAGE = 'audit';

/** 90 days. */
export const AUDIT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

/** Topic configs of AUDIT_TOPIC, set when it is created (by the services and the console). */
export const AUDIT_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': String(AUDIT_RETENTION_MS),
};

/** The outcome of a status code. */
export function auditOutcome(status: number): AuditRecord['outcome'] {
  return status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'ok';
}
