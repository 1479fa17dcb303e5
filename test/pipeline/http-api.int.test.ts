import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// HTTP edge behaviour of the services: validation errors name the field, docs and health answer.

let pipeline: TestPipeline;

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed: 'Laptop=5' });
  await pipeline.startAll();
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('POST /orders validation', () => {
  it.each([
    [{ quantity: 1 }, 'item'],
    [{ item: 'Laptop' }, 'quantity'],
    [{ item: 'Laptop', quantity: '1' }, 'quantity'],
    [{ item: 'Laptop', quantity: 0 }, 'quantity'],
    [{ item: 'Laptop', quantity: 1.5 }, 'quantity'],
    [{ item: 'Laptop', quantity: 1_000_000 }, 'quantity'],
    [{ item: '', quantity: 1 }, 'item'],
    [{ item: 'x'.repeat(101), quantity: 1 }, 'item'],
    [{ item: 'Laptop', quantity: 1, price: 3 }, 'price'],
  ])('%j → 422 naming %s', async (body, field) => {
    const response = await request('POST', `${pipeline.url('order')}/orders`, body);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const response = await request('POST', `${pipeline.url('order')}/orders`, '{"item":');
    expect(response.status).toBe(400);
  });

  it('answers an unknown order with 404 and a bad id with 422', async () => {
    expect(
      (await request('GET', `${pipeline.url('order')}/orders/00000000-0000-4000-8000-000000000000`)).status,
    ).toBe(404);
    expect((await request('GET', `${pipeline.url('order')}/orders/not-a-uuid`)).status).toBe(422);
  });
});

describe('inventory API', () => {
  it('sets, reads and lists stock', async () => {
    const put = await request('PUT', `${pipeline.url('inventory')}/inventory/Tablet`, { stock: 7 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ item: 'Tablet', stock: 7 });
    expect((await request('GET', `${pipeline.url('inventory')}/inventory/Tablet`)).body.stock).toBe(7);
    const list = await request('GET', `${pipeline.url('inventory')}/inventory`);
    expect(list.body.items.map((i: { item: string }) => i.item)).toEqual(['Laptop', 'Tablet']);
    expect(
      (await request('PUT', `${pipeline.url('inventory')}/inventory/Tablet`, { stock: -1 })).status,
    ).toBe(422);
    expect((await request('GET', `${pipeline.url('inventory')}/inventory/Nope`)).status).toBe(404);
  });
});

describe('service endpoints', () => {
  it.each(['order', 'inventory', 'notification'] as const)(
    '%s serves health, metrics and docs',
    async (kind) => {
      const base = pipeline.url(kind);
      expect((await request('GET', `${base}/health/live`)).status).toBe(200);
      const ready = await request('GET', `${base}/health/ready`);
      expect(ready.status, JSON.stringify(ready.body)).toBe(200);
      expect(Object.keys(ready.body.checks)).toEqual(expect.arrayContaining(['database', 'kafka']));
      const metrics = await request('GET', `${base}/metrics`);
      expect(metrics.body).toMatch(/http_request_duration_seconds/);
      const openapi = await request('GET', `${base}/openapi.json`);
      expect(openapi.body.openapi).toBe('3.1.0');
      expect((await fetch(`${base}/docs`)).status).toBe(200);
    },
  );

  it('documents POST /orders in OpenAPI', async () => {
    const { body } = await request('GET', `${pipeline.url('order')}/openapi.json`);
    expect(body.paths['/orders'].post.requestBody.content['application/json'].schema.required).toEqual([
      'item',
      'quantity',
    ]);
  });
});
