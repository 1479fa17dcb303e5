import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADERS, orderEvent } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import { freePorts, isPortFree } from '@kafka-poc/local-stack';
import { createTestDatabase, testKafkaBrokers, uniqueName, waitFor } from '@kafka-poc/testing';
import { checkInvariants, readFacts } from '@kafka-poc/verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';

// The acceptance, end to end on the real processes: `npm start` (tools/dev/src/start.ts)
// spawns every service as its own process; 100 orders, some beyond stock and some for unknown items,
// all reach a final status with exactly one notification each, stock is conserved, and order-events
// carries JSON with key = orderId.

const repoRoot = join(import.meta.dirname, '..', '..');
const seed = new Map([
  ['Laptop', 20],
  ['Phone', 50],
  ['Monitor', 5],
]);

let start: ChildProcess;
let output = '';
let ports: number[] = [];
let databaseUrl = '';
let dataDir = '';
let admin: KafkaAdmin;
const ns = uniqueName('e2e');
const orderTopic = `${ns}.order-events`;

beforeAll(async () => {
  databaseUrl = await createTestDatabase(ns);
  dataDir = await mkdtemp(join(tmpdir(), 'kafka-poc-e2e-'));
  ports = await freePorts(4);
  start = spawn(process.execPath, ['tools/dev/src/start.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: databaseUrl,
      KAFKA_POC_DATA_DIR: dataDir,
      ORDER_SERVICE_PORT: String(ports[0]),
      INVENTORY_SERVICE_PORT: String(ports[1]),
      NOTIFICATION_SERVICE_PORT: String(ports[2]),
      CONSOLE_PORT: String(ports[3]),
      TOPIC_ORDER_EVENTS: orderTopic,
      TOPIC_INVENTORY_EVENTS: `${ns}.inventory-events`,
      ORDER_SERVICE_GROUP: `${ns}.order-service`,
      INVENTORY_SERVICE_GROUP: `${ns}.inventory-service`,
      NOTIFICATION_SERVICE_GROUP: `${ns}.notification-service`,
      INVENTORY_SEED: [...seed].map(([item, stock]) => `${item}=${stock}`).join(','),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  start.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  start.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await waitFor(() => output.includes('Up in'), {
    timeoutMs: 90_000,
    message: `npm start to be up; output:\n${output}`,
  });
  admin = createAdmin({ brokers: testKafkaBrokers(), clientId: 'e2e-test' });
  await admin.start();
}, 120_000);

afterAll(async () => {
  await admin?.stop();
  if (start && start.exitCode === null) {
    const exited = new Promise((resolve) => start.once('exit', resolve));
    start.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const url = (i: number) => `http://127.0.0.1:${ports[i]}`;

describe('npm start (real processes)', () => {
  it('prints every service as ready', () => {
    for (const name of ['order-service-1', 'inventory-service-1', 'notification-service-1']) {
      expect(output).toMatch(new RegExp(`${name}\\s+ready`));
    }
  });

  it('takes 100 orders to a final status with one notification each and conserves stock', async () => {
    const items = ['Laptop', 'Phone', 'Monitor', 'Unicorn'];
    const ids = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const { status, body } = await request('POST', `${url(0)}/orders`, {
          item: items[i % items.length],
          quantity: 1 + (i % 4),
        });
        expect(status).toBe(201);
        return body.id as string;
      }),
    );
    const facts = await waitFor(() => readFacts(databaseUrl), {
      until: (f) => f.notifications.length === 100 && f.orders.every((o) => o.status !== 'PENDING'),
      timeoutMs: 30_000,
      message: 'all 100 orders final and notified',
    });
    expect(checkInvariants(facts, seed, ids)).toEqual([]);
    const statuses = new Set(facts.orders.map((o) => o.status));
    expect(statuses).toEqual(new Set(['CONFIRMED', 'REJECTED']));
  });

  it('publishes order-events as JSON envelopes keyed by order id', async () => {
    const messages = (
      await Promise.all(
        [0, 1, 2].map((partition) => admin.readMessages(orderTopic, { partition, limit: 200 })),
      )
    ).flat();
    expect(messages.length).toBeGreaterThanOrEqual(100);
    for (const message of messages) {
      const event = orderEvent.parse(JSON.parse(message.value.toString('utf8')));
      expect(message.key).toBe(event.payload.orderId);
      expect(message.headers[HEADERS.eventId]).toBe(event.id);
      expect(message.headers[HEADERS.correlationId]).toBeTruthy();
    }
  });

  it('serves the API docs', async () => {
    const docs = await fetch(`${url(0)}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
  });

  it('stops every process on SIGTERM and frees the ports', async () => {
    const exited = new Promise<number | null>((resolve) => start.once('exit', resolve));
    start.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const port of ports.slice(0, 3)) expect(await isPortFree(port)).toBe(true);
  }, 60_000);
});
