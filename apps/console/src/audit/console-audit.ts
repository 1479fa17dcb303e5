import { createHash } from 'node:crypto';
import { originalTopic } from '@kafka-poc/contracts';
import type { KafkaAdmin, KafkaProducer } from '@kafka-poc/kafka';
import { AppError, type AuditPolicy, type HttpServer } from '@kafka-poc/service-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isLoggedIn } from '../auth/sessions.ts';
import { sendProblem } from '../http/problem.ts';
import type { AuditPageView } from '../shared/audit-view.ts';
import { readAuditPage } from './audit-reader.ts';

/** The problem code of a write refused because it targets the audit topic. */
export const AUDIT_PROTECTED_CODE = 'AUDIT_TOPIC_PROTECTED';
export const AUDIT_PROTECTED_DETAIL = 'The audit topic is append-only: the console never writes to it';

/**
 * The console's policy: every write route (`config.write`) under /api, refused ones included
 * (read-only mode, no session, cross-site). The actor is the login session (a hash of its id, never
 * the id), `local` for a console without login, `anonymous` for a request without a session.
 */
export function consoleAuditPolicy(options: { loginRequired: boolean }): AuditPolicy {
  return {
    audited: (request) =>
      request.url.startsWith('/api/') &&
      (request.routeOptions.config as { write?: boolean } | undefined)?.write === true,
    actor: (request) => {
      if (request.principal !== undefined) return `key:${request.principal}`;
      if (!options.loginRequired) return 'local';
      const id = isLoggedIn(request) ? request.session?.sessionId : undefined;
      return id ? `session:${createHash('sha256').update(id).digest('hex').slice(0, 12)}` : 'anonymous';
    },
  };
}

/** True for the audit topic and a dead-letter topic named after it. */
export function isProtectedTopic(topic: string | undefined, auditTopic: string): boolean {
  return topic !== undefined && (topic === auditTopic || originalTopic(topic) === auditTopic);
}

/**
 * The console's producer, refusing any message for the audit topic: produce and redrive go through
 * it (a redrive takes its target from a letter's header, which anyone who can produce could set).
 */
export function guardedProducer(
  producer: KafkaProducer | undefined,
  auditTopic: string,
): KafkaProducer | undefined {
  if (!producer) return undefined;
  return {
    start: () => producer.start(),
    stop: () => producer.stop(),
    send: async (messages) => {
      if (messages.some((m) => m.topic === auditTopic))
        throw new AppError('FORBIDDEN', AUDIT_PROTECTED_DETAIL);
      return producer.send(messages);
    },
  };
}

/**
 * Refuses (403 AUDIT_TOPIC_PROTECTED) every console write that targets the audit topic: produce into
 * it, create it, redrive into or from it, reset a group's offsets on it. Registered in /api's context.
 */
export function registerAuditTopicGuard(api: HttpServer, admin: KafkaAdmin, auditTopic: string): void {
  api.addHook('preHandler', async (request, reply) => {
    if ((request.routeOptions.config as { write?: boolean } | undefined)?.write !== true) return;
    const targets = await writeTargets(request, admin);
    if (targets.some((t) => isProtectedTopic(t, auditTopic))) {
      request.log.warn({ route: request.routeOptions.url, targets }, 'write to the audit topic refused');
      return sendProblem(reply, 403, AUDIT_PROTECTED_CODE, AUDIT_PROTECTED_DETAIL);
    }
  });
}

async function writeTargets(request: FastifyRequest, admin: KafkaAdmin): Promise<string[]> {
  const params = (request.params ?? {}) as { topic?: unknown; groupId?: unknown };
  const body = (request.body ?? {}) as { name?: unknown; topics?: unknown };
  const targets: string[] = [];
  if (typeof params.topic === 'string') targets.push(params.topic);
  if (request.routeOptions.url === '/api/topics' && typeof body.name === 'string') targets.push(body.name);
  if (Array.isArray(body.topics)) targets.push(...body.topics.filter((t) => typeof t === 'string'));
  else if (typeof params.groupId === 'string' && request.routeOptions.url?.endsWith('/reset-offsets')) {
    // Without topics, a reset covers every topic the group committed on.
    const lag = await admin.groupLag(params.groupId).catch(() => []);
    targets.push(...lag.map((p) => p.topic));
  }
  return targets;
}

const auditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,6}:\d{1,19}(,\d{1,6}:\d{1,19})*$/)
    .max(2000)
    .optional(),
  actor: z.string().max(200).optional(),
  route: z.string().max(300).optional(),
});

/** GET /api/audit: the audit trail, newest first, paged; filters by actor and route. Read-only. */
export function registerAuditRoutes(api: HttpServer, admin: KafkaAdmin, auditTopic: string): void {
  api.get(
    '/api/audit',
    { schema: { tags: ['audit'], querystring: auditQuery } },
    async (request): Promise<AuditPageView> => {
      const { limit, cursor, actor, route } = request.query;
      const page = await readAuditPage(admin, { topic: auditTopic, limit, cursor, actor, route });
      return { topic: auditTopic, ...page };
    },
  );
}
