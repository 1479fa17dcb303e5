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
    /**
     * Reachable without a session (login, session state, the browser app, health, metrics). Every
     * other route needs one when a token is configured.
     */
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

/** Methods that change nothing: every other one is a write. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Who may do what, decided from the route the router matched (`routeOptions`), never from the raw
 * URL, which spells one route many ways (`/%61pi/…`, `http://host/api/…`). With a token configured
 * every matched route needs the session cookie (401 otherwise) unless its config says `public: true`
 * (login, session state, logout, the browser app, health and metrics): new routes are closed until
 * marked. In read-only mode every write (any method but GET and HEAD, and routes marked
 * `write: true`) to a route that is not public answers 403. Writes to any route must be JSON from
 * this origin (415/403 otherwise), on top of the SameSite=Strict cookie. An unmatched URL has no
 * route to protect: the shared server answers 404/405.
 */
export async function registerAccess(app: HttpServer, options: AccessOptions): Promise<void> {
  // Registered (awaited) first, so the session is loaded before the hook below runs.
  await registerSessions(app, { ttlMs: options.sessionTtlMs });
  const limiter = new LoginLimiter({ maxFailures: 10, windowMs: 60_000 });
  const authRequired = options.token !== undefined;
  const authenticated = (request: FastifyRequest) => !authRequired || isLoggedIn(request);

  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const writes = !SAFE_METHODS.has(request.method);
    if (writes) {
      const refusal = refuseCrossSite(request);
      if (refusal) return sendProblem(reply, refusal.status, refusal.code, refusal.detail);
    }
    const config = request.routeOptions.config;
    if (config.public === true) return;
    if (!authenticated(request)) return sendProblem(reply, 401, 'UNAUTHORIZED', 'Log in first');
    if (options.readOnly && (writes || config.write === true)) {
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
