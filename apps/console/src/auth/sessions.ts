/**
 * Login sessions: @fastify/session over @fastify/cookie. The cookie carries a signed random id
 * (httpOnly, SameSite=Strict, Secure over https, Path=/) that expires a fixed time after login;
 * the sessions live in this process's memory, at most `maxSessions` of them, so a restart logs
 * everyone out and a flood of logins cannot grow memory without bound.
 */
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySession, { type SessionStore } from '@fastify/session';
import type { HttpServer } from '@kafka-poc/service-kit';
import type { FastifyReply, FastifyRequest, Session } from 'fastify';
import { LRUCache } from 'lru-cache';

declare module 'fastify' {
  interface Session {
    /** Set by a login with the right token. */
    authenticated?: boolean;
  }
}

export const SESSION_COOKIE = 'console_session';

export interface SessionOptions {
  ttlMs: number;
  /** The least recently used sessions are dropped beyond this many. */
  maxSessions?: number;
}

export async function registerSessions(app: HttpServer, options: SessionOptions): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    // Only this process checks the signatures, so a fresh secret per start is enough.
    secret: randomBytes(32).toString('base64url'),
    cookieName: SESSION_COOKIE,
    store: memoryStore(options.maxSessions ?? 1000, options.ttlMs),
    // Nothing is stored or sent for visitors who have not logged in.
    saveUninitialized: false,
    // The expiry counts from the login, not from the last request.
    rolling: false,
    // Not `secure: 'auto'`: over http it would lower SameSite to Lax (see logIn for Secure).
    cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: false, maxAge: options.ttlMs },
  });
}

export function isLoggedIn(request: FastifyRequest): boolean {
  return request.session?.get('authenticated') === true;
}

/** Starts an authenticated session under a new id (an id planted before the login is worthless). */
export async function logIn(request: FastifyRequest): Promise<void> {
  await request.session.regenerate();
  request.session.options({ secure: request.protocol === 'https' });
  request.session.set('authenticated', true);
}

/** Forgets the session on the server (a copied cookie stops working too) and clears the cookie. */
export async function logOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await request.session?.destroy();
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
}

function memoryStore(max: number, ttlMs: number): SessionStore {
  const sessions = new LRUCache<string, Session>({ max, ttl: ttlMs });
  return {
    set: (id, session, done) => {
      sessions.set(id, session);
      done();
    },
    get: (id, done) => done(null, sessions.get(id) ?? null),
    destroy: (id, done) => {
      sessions.delete(id);
      done();
    },
  };
}
