import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VIEWS } from '@kafka-poc/contracts';
import { waitFor } from '@kafka-poc/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// The webhook sender as a real option: a local HTTP endpoint that fails twice (503), then accepts.

let pipeline: TestPipeline;
let server: Server;
const received: { headers: IncomingMessage['headers']; body: { orderId: string; message: string } }[] = [];
let failuresLeft = 2;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end();
        return;
      }
      received.push({ headers: req.headers, body: JSON.parse(text) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  pipeline = await TestPipeline.create({
    seed: 'Laptop=5',
    env: {
      NOTIFICATION_SENDER: 'webhook',
      NOTIFICATION_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/orders`,
      NOTIFICATION_WEBHOOK_TOKEN: 'hook-secret',
    },
  });
  await pipeline.startAll();
});

afterAll(async () => {
  await pipeline?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

describe('webhook notifications', () => {
  it('retries with backoff until the endpoint accepts, then marks the notification SENT', async () => {
    const { body: order } = await request('POST', `${pipeline.url('order')}/orders`, {
      item: 'Laptop',
      quantity: 1,
    });
    const delivery = await waitFor(() => received.find((r) => r.body.orderId === order.id), {
      timeoutMs: 20_000,
      message: 'webhook delivery',
    });
    expect(delivery?.body.message).toBe(`Order ${order.id} is CONFIRMED`);
    expect(delivery?.headers.authorization).toBe('Bearer hook-secret');
    expect(delivery?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    const db = new pg.Client({ connectionString: pipeline.env.DATABASE_URL });
    await db.connect();
    try {
      const row = await waitFor(
        async () =>
          (
            await db.query(
              `SELECT delivery_status, delivery_attempts FROM ${VIEWS.notifications} WHERE order_id = $1`,
              [order.id],
            )
          ).rows[0],
        { until: (r) => r?.delivery_status === 'SENT', timeoutMs: 10_000, message: 'SENT status' },
      );
      expect(row.delivery_attempts).toBe(3);
    } finally {
      await db.end();
    }
  });
});
