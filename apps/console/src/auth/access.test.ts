import {
  createHttpServer,
  createLogger,
  createServiceMetrics,
  type HttpServer,
  Readiness,
  Tracing,
} from '@kafka-poc/service-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerAccess } from './access.ts';
import { SESSION_COOKIE } from './sessions.ts';

const TOKEN = 'correct-horse-battery';
const TTL_MS = 60 * 60_000;

let app: HttpServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await app?.close();
  app = undefined;
});

/** The console's access rules on a real Fastify server, with one read and one write route behind them. */
async function server(
  options: { token?: string; readOnly?: boolean; https?: boolean } = {},
): Promise<HttpServer> {
  const logger = createLogger({ service: 'console-test', instance: 't', level: 'silent', pretty: false });
  app = await createHttpServer({
    tracing: new Tracing({ service: 'console-test', instance: 't' }),
    logger,
    metrics: createServiceMetrics({ service: 'console-test', instance: 't' }),
    readiness: new Readiness(),
    title: 'test',
    description: 'test',
    version: '0',
  });
  if (options.https) {
    // As if the request had come over TLS (inject has no encrypted socket).
    app.addHook('onRequest', async (request) => {
      Object.defineProperty(request, 'protocol', { value: 'https' });
    });
  }
  await registerAccess(app, {
    token: 'token' in options ? options.token : TOKEN,
    readOnly: options.readOnly ?? false,
    sessionTtlMs: TTL_MS,
  });
  app.get('/api/thing', async () => ({ ok: true }));
  app.post('/api/thing', { config: { write: true } }, async () => ({ written: true }));
  await app.ready();
  return app;
}

async function login(server: HttpServer, token = TOKEN, remoteAddress = '10.0.0.1') {
  return server.inject({ method: 'POST', url: '/api/login', payload: { token }, remoteAddress });
}

/** The `name=value` part of the session's Set-Cookie header. */
function sessionCookie(setCookie: string | string[] | undefined): string {
  const header = [setCookie ?? []].flat().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
  return header.split(';')[0] ?? '';
}

describe('login and sessions', () => {
  it('refuses the API without a session and says so in /api/session', async () => {
    const s = await server();
    expect((await s.inject('/api/thing')).statusCode).toBe(401);
    expect((await s.inject('/api/session')).json()).toEqual({
      authRequired: true,
      authenticated: false,
      readOnly: false,
    });
    // Nothing is stored or sent to visitors who have not logged in.
    expect((await s.inject('/api/session')).headers['set-cookie']).toBeUndefined();
  });

  it('sets an httpOnly, SameSite=Strict session cookie that expires after the TTL', async () => {
    const s = await server();
    const answer = await login(s);
    expect(answer.statusCode).toBe(204);
    const header = String(answer.headers['set-cookie']);
    expect(header).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+; `));
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).toContain('Path=/');
    expect(header).not.toContain('Secure'); // plain http here
    const expires = Date.parse(/Expires=([^;]+)/.exec(header)?.[1] ?? '');
    expect(Math.abs(expires - (Date.now() + TTL_MS))).toBeLessThan(5_000);

    const cookie = sessionCookie(answer.headers['set-cookie']);
    const read = await s.inject({ url: '/api/thing', headers: { cookie } });
    expect(read.statusCode).toBe(200);
    // An ordinary request does not renew the cookie: the expiry counts from the login.
    expect(read.headers['set-cookie']).toBeUndefined();
    expect((await s.inject({ url: '/api/session', headers: { cookie } })).json()).toMatchObject({
      authenticated: true,
    });
  });

  it('sets Secure when the console is reached over https', async () => {
    const s = await server({ https: true });
    const header = String((await login(s)).headers['set-cookie']);
    expect(header).toContain('; Secure');
    expect(header).toContain('SameSite=Strict');
  });

  it('refuses a forged, tampered or expired session', async () => {
    const s = await server();
    const cookie = sessionCookie((await login(s)).headers['set-cookie']);
    const [name, value] = cookie.split('=');
    for (const forged of [`${name}=forged`, `${name}=${value?.slice(0, -2)}xx`]) {
      expect((await s.inject({ url: '/api/thing', headers: { cookie: forged } })).statusCode).toBe(401);
    }
    vi.useFakeTimers({ toFake: ['Date', 'performance'], now: Date.now() + TTL_MS + 1000 });
    expect((await s.inject({ url: '/api/thing', headers: { cookie } })).statusCode).toBe(401);
  });

  it('logs out on the server: the old cookie stops working and is cleared', async () => {
    const s = await server();
    const cookie = sessionCookie((await login(s)).headers['set-cookie']);
    const out = await s.inject({ method: 'POST', url: '/api/logout', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(
      new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`),
    );
    expect((await s.inject({ url: '/api/thing', headers: { cookie } })).statusCode).toBe(401);
  });

  it('gives each login a new session id', async () => {
    const s = await server();
    const first = sessionCookie((await login(s)).headers['set-cookie']);
    const again = await s.inject({
      method: 'POST',
      url: '/api/login',
      payload: { token: TOKEN },
      headers: { cookie: first },
    });
    const second = sessionCookie(again.headers['set-cookie']);
    expect(second).not.toBe(first);
    expect((await s.inject({ url: '/api/thing', headers: { cookie: first } })).statusCode).toBe(401);
    expect((await s.inject({ url: '/api/thing', headers: { cookie: second } })).statusCode).toBe(200);
  });

  it('limits failed logins per address, and a success clears them', async () => {
    const s = await server();
    for (let i = 0; i < 10; i++) expect((await login(s, 'wrong-token')).statusCode).toBe(401);
    const limited = await login(s);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(s, TOKEN, '10.0.0.2')).statusCode).toBe(204);

    for (let i = 0; i < 9; i++) await login(s, 'wrong-token', '10.0.0.3');
    expect((await login(s, TOKEN, '10.0.0.3')).statusCode).toBe(204);
    expect((await login(s, 'wrong-token', '10.0.0.3')).statusCode).toBe(401);
  });

  it('needs no login without a token', async () => {
    const s = await server({ token: undefined });
    expect((await s.inject('/api/thing')).statusCode).toBe(200);
    expect((await s.inject('/api/session')).json()).toMatchObject({
      authRequired: false,
      authenticated: true,
    });
  });
});

describe('writes', () => {
  it('are refused in read-only mode', async () => {
    const s = await server({ token: undefined, readOnly: true });
    const answer = await s.inject({ method: 'POST', url: '/api/thing', payload: {} });
    expect(answer.statusCode).toBe(403);
    expect(answer.json()).toMatchObject({ code: 'READ_ONLY' });
  });

  it('must be JSON from this origin', async () => {
    const s = await server({ token: undefined });
    const foreign = await s.inject({
      method: 'POST',
      url: '/api/thing',
      payload: {},
      headers: { origin: 'https://evil.example', host: 'localhost' },
    });
    expect(foreign.statusCode).toBe(403);
    const form = await s.inject({
      method: 'POST',
      url: '/api/thing',
      payload: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(415);
    expect((await s.inject({ method: 'POST', url: '/api/thing', payload: {} })).statusCode).toBe(200);
  });
});
