import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { formatApiKeyRecord, generateApiKey } from '@kafka-poc/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// HTTP hardening and API-key auth with scopes, on the real services (AUTH_REQUIRED on).

const writer = generateApiKey('writer', ['orders:write']);
const reader = generateApiKey('reader', ['read']);
const admin = generateApiKey('admin', ['admin']);
const flood = generateApiKey('flood', ['read']);
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

let pipeline: TestPipeline;

beforeAll(async () => {
  pipeline = await TestPipeline.create({
    seed: 'Laptop=5',
    env: {
      AUTH_REQUIRED: '1',
      API_KEYS: [writer, reader, admin, flood].map((k) => formatApiKeyRecord(k.record)).join(','),
      RATE_LIMIT_PER_MINUTE: '40',
    },
  });
  await pipeline.startAll();
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('authentication and scopes', () => {
  it('answers 401 without a key or with a bad one, naming the scheme', async () => {
    const none = await request('POST', `${pipeline.url('order')}/orders`, { item: 'Laptop', quantity: 1 });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.body.code).toBe('UNAUTHORIZED');
    const bad = await request(
      'GET',
      `${pipeline.url('order')}/orders`,
      undefined,
      bearer('kpoc_not-a-real-key'),
    );
    expect(bad.status).toBe(401);
  });

  it('answers 403 for a key without the scope, and lets the right scope through', async () => {
    const denied = await request(
      'POST',
      `${pipeline.url('order')}/orders`,
      { item: 'Laptop', quantity: 1 },
      bearer(reader.key),
    );
    expect(denied.status).toBe(403);
    const created = await request(
      'POST',
      `${pipeline.url('order')}/orders`,
      { item: 'Laptop', quantity: 1 },
      bearer(writer.key),
    );
    expect(created.status).toBe(201);
    expect(
      (
        await request(
          'GET',
          `${pipeline.url('order')}/orders/${created.body.id}`,
          undefined,
          bearer(writer.key),
        )
      ).status,
    ).toBe(403);
    // The read scope lets a key read orders, but only its own (another key's is a 404, as a missing
    // one: order-ownership.int.test.ts); an admin key reads every order.
    const read = await request('GET', `${pipeline.url('order')}/orders/${created.body.id}`, undefined, {
      'x-api-key': reader.key,
    });
    expect(read.status).toBe(404);
    const asAdmin = await request('GET', `${pipeline.url('order')}/orders/${created.body.id}`, undefined, {
      'x-api-key': admin.key,
    });
    expect(asAdmin.status).toBe(200);
  });

  it('reserves stock changes for admin keys', async () => {
    const url = `${pipeline.url('inventory')}/inventory/Laptop`;
    expect((await request('PUT', url, { stock: 9 }, bearer(reader.key))).status).toBe(403);
    expect((await request('PUT', url, { stock: 9 }, bearer(admin.key))).status).toBe(200);
    expect(
      (await request('GET', `${pipeline.url('notification')}/notifications`, undefined, bearer(admin.key)))
        .status,
    ).toBe(200);
  });

  it('keeps health, metrics and docs public', async () => {
    for (const kind of ['order', 'inventory', 'notification'] as const) {
      for (const path of ['/health/live', '/health/ready', '/metrics', '/openapi.json']) {
        expect((await fetch(`${pipeline.url(kind)}${path}`)).status, `${kind} ${path}`).toBe(200);
      }
    }
  });

  it('documents the API key schemes in OpenAPI', async () => {
    const { body } = await request('GET', `${pipeline.url('order')}/openapi.json`);
    expect(Object.keys(body.components.securitySchemes)).toEqual(['apiKey', 'bearer']);
    expect(body.paths['/orders'].post.security).toEqual([{ apiKey: [] }, { bearer: [] }]);
  });
});

describe('hardening', () => {
  it('refuses bodies over the limit with 413 and non-JSON with 415, as problem+json', async () => {
    const huge = await request(
      'POST',
      `${pipeline.url('order')}/orders`,
      { item: 'x'.repeat(70_000), quantity: 1 },
      bearer(writer.key),
    );
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toMatch(/problem\+json/);
    const text = await fetch(`${pipeline.url('order')}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...bearer(writer.key) },
      body: 'item=Laptop&quantity=1',
    });
    expect(text.status).toBe(415);
    const missing = await fetch(`${pipeline.url('order')}/orders`, {
      method: 'POST',
      headers: bearer(writer.key),
      body: new Blob(['{"item":"Laptop","quantity":1}']),
    });
    expect(missing.status).toBe(415);
  });

  it('sends security headers and no CORS headers unless configured', async () => {
    const response = await fetch(`${pipeline.url('order')}/orders`, {
      headers: { origin: 'https://evil.example', ...bearer(reader.key) },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rate-limits per key with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 45; i++) {
      const response = await fetch(`${pipeline.url('notification')}/notifications`, {
        headers: bearer(flood.key),
      });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
      await response.body?.cancel();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Another client is not affected.
    expect(
      (await request('GET', `${pipeline.url('notification')}/notifications`, undefined, bearer(admin.key)))
        .status,
    ).toBe(200);
  });
});

describe('rate limits count verified callers', () => {
  /** A GET from another loopback address than the other tests' (its own rate-limit bucket). */
  const getFrom = (localAddress: string, url: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const request = http.get(url, { localAddress, headers, agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
    });
  const madeUpKey = () => ({ authorization: `Bearer kpoc_${randomBytes(24).toString('base64url')}` });

  it('counts a flood of made-up keys against its address, and a valid key in its own bucket', async () => {
    const url = `${pipeline.url('inventory')}/inventory`;
    const from = '127.0.0.2';
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push(await getFrom(from, url, madeUpKey()));
    // Each refused 401, but counted: a new key per request is no new bucket.
    expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(40)).toEqual([429, 429, 429, 429, 429]);
    // Without a key too: the address's bucket is spent.
    expect(await getFrom(from, url, {})).toBe(429);
    // A verified key from the same address counts in its own bucket, by its name.
    expect(await getFrom(from, url, bearer(reader.key))).toBe(200);
    // And another address is not affected.
    expect(await getFrom('127.0.0.3', url, madeUpKey())).toBe(401);
  });
});
