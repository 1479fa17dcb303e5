import { AppError } from '@kafka-poc/service-kit';
import { describe, expect, it } from 'vitest';
import { ServiceClient } from './service-client.ts';

function client(respond: (url: string, init?: RequestInit) => Response | Promise<Response>) {
  return new ServiceClient({
    name: 'order-service',
    baseUrl: 'http://svc',
    fetch: (async (url: string, init?: RequestInit) => respond(url, init)) as typeof fetch,
  });
}

describe('ServiceClient', () => {
  it('passes answers (also 4xx problems) through', async () => {
    const c = client(
      () =>
        new Response(JSON.stringify({ code: 'VALIDATION_FAILED' }), {
          status: 422,
          headers: { 'content-type': 'application/problem+json' },
        }),
    );
    await expect(c.request('PUT', '/inventory/x', { stock: -1 })).resolves.toEqual({
      status: 422,
      contentType: 'application/problem+json',
      body: { code: 'VALIDATION_FAILED' },
    });
  });

  it('turns an unreachable or failing service into a 503 naming it', async () => {
    const down = client(() => {
      throw new TypeError('fetch failed');
    });
    await expect(down.get('/orders')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'order-service is not reachable',
    });
    const failing = client(() => new Response('{}', { status: 500 }));
    await expect(failing.get('/orders')).rejects.toBeInstanceOf(AppError);
    const notJson = client(() => new Response('<html>', { status: 200 }));
    await expect(notJson.get('/orders')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('reports readiness', async () => {
    expect(await client(() => new Response('{}', { status: 200 })).ready()).toEqual({
      ok: true,
      detail: 'ready',
    });
    expect(await client(() => new Response('{}', { status: 503 })).ready()).toEqual({
      ok: false,
      detail: 'HTTP 503',
    });
  });
});
