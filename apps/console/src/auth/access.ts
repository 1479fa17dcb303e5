import type { HttpServer } from '@kafka-poc/service-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sendProblem } from '../http/problem.ts';
import type { SessionView } from '../shared/views.ts';
import { LoginLimiter } from './login-limiter.ts';
import { isLoggedIn, logIn, logOut, registerSessions } from './sessions.ts';
import { tokenMatches } from './token.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route that changes something: refused (403) in read-only mode. */
    write?: boolean;
    /** Reachable without a session (login, session state). */
    public?: boolean;
  }
}

export interface AccessOptions {
  /** Undefined: no login (the console is bound to loopback). */
  token: string | undefined;
  readOnly: boolean;
  sessionTtlMs: number;
}

const loginBody = z.strictObject({ token: z.string().min(1).max(512) });

/**
 * Who may do what. With a token configured every /api route but login and session needs the
 * session cookie (401 otherwise); in read-only mode every write route answers 403. Writes must be
 * JSON from this origin (415/403 otherwise), on top of the SameSite=Strict cookie.
 */
export async function registerAccess(app: HttpServer, options: AccessOptions): Promise<void> {
  // Registered (awaited) first, so the session is loaded before the hook below runs.
  await registerSessions(app, { ttlMs: options.sessionTtlMs });
  const limiter = new LoginLimiter({ maxFailures: 10, windowMs: 60_000 });
  const authRequired = options.token !== undefined;
  const authenticated = (request: FastifyRequest) => !authRequired || isLoggedIn(request);

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const refusal = refuseCrossSite(request);
      if (refusal) return sendProblem(reply, refusal.status, refusal.code, refusal.detail);
    }
    // Unmatched URLs (404) have no route config.
    const config = request.routeOptions.config as { public?: boolean; write?: boolean } | undefined;
    if (config?.public) return;
    if (!authenticated(request)) return sendProblem(reply, 401, 'UNAUTHORIZED', 'Log in first');
    if (options.readOnly && config?.write) {
      return sendProblem(reply, 403, 'READ_ONLY', 'The console runs in read-only mode');
    }
  });

  app.get(
    '/api/session',
    { config: { public: true }, schema: { hide: true } },
    async (request): Promise<SessionView> => ({
      authRequired,
      authenticated: authenticated(request),
      readOnly: options.readOnly,
    }),
  );

  app.post(
    '/api/login',
    { config: { public: true }, schema: { hide: true, body: loginBody } },
    async (request, reply) => {
      if (!options.token) return reply.status(204).send();
      const client = request.ip;
      const waitMs = limiter.retryAfterMs(client);
      if (waitMs > 0) {
        void reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        return sendProblem(reply, 429, 'TOO_MANY_ATTEMPTS', 'Too many failed logins; wait a minute');
      }
      if (!tokenMatches(request.body.token, options.token)) {
        limiter.recordFailure(client);
        request.log.warn({ ip: client }, 'console login failed');
        return sendProblem(reply, 401, 'UNAUTHORIZED', 'Wrong token');
      }
      limiter.recordSuccess(client);
      await logIn(request);
      return reply.status(204).send();
    },
  );

  app.post('/api/logout', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    await logOut(request, reply);
    return reply.status(204).send();
  });
}

/**
 * A browser sends JSON bodies cross-site only after a CORS preflight we never grant, so requiring
 * JSON (or no body) plus a same-origin Origin header rules out forged writes.
 */
function refuseCrossSite(
  request: FastifyRequest,
): { status: 403 | 415; code: string; detail: string } | undefined {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== request.headers.host) {
      return { status: 403, code: 'CROSS_ORIGIN', detail: 'Writes are accepted from this console only' };
    }
  } else if (origin === 'null') {
    return { status: 403, code: 'CROSS_ORIGIN', detail: 'Writes are accepted from this console only' };
  }
  const length = Number(request.headers['content-length'] ?? 0);
  const type = request.headers['content-type'] ?? '';
  if ((length > 0 || request.headers['transfer-encoding']) && !/^application\/json\b/i.test(type)) {
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send application/json' };
  }
  return undefined;
}
