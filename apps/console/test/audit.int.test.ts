import { randomUUID } from 'node:crypto';
import {
  AUDIT_LOG_MESSAGE,
  type AuditRecord,
  auditRecord,
  deadLetterTopic,
  HEADERS,
} from '@kafka-poc/contracts';
import { createInventoryService, loadInventoryServiceConfig } from '@kafka-poc/inventory-service';
import { createAdmin, createProducer, type KafkaAdmin, type KafkaProducer } from '@kafka-poc/kafka';
import { createLogger, type Logger } from '@kafka-poc/service-kit';
import { testKafkaBrokers, uniqueName, waitFor } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole, TestPipeline } from './support/console-harness.ts';

// The audit trail on the real processes: the console (with a login) and inventory-service against
// the harness's broker and Postgres. Each audited write, accepted or refused, is one record on the
// audit topic and one JSON log line, with actor, route pattern, outcome and request id; a read-only
// console lists them; nothing can write to the audit topic through the console.

const TOKEN = 'audit-test-token';
let pipeline: TestPipeline;
let auditTopic: string;
let consoleApp: RunningConsole;
let readOnly: RunningConsole;
let admin: KafkaAdmin;
let producer: KafkaProducer;
let cookie: string;
const consoleLines: Record<string, unknown>[] = [];
const inventoryLines: Record<string, unknown>[] = [];

function capturingLogger(service: string, lines: Record<string, unknown>[]): Logger {
  return createLogger({
    service,
    instance: `${service}-test`,
    level: 'info',
    pretty: false,
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
}

beforeAll(async () => {
  auditTopic = uniqueName('audit_events');
  pipeline = await TestPipeline.create({ env: { TOPIC_AUDIT_EVENTS: auditTopic } });
  const inventory = await createInventoryService(loadInventoryServiceConfig(pipeline.envOf('inventory')), {
    logger: capturingLogger('inventory-service', inventoryLines),
  });
  pipeline.instances.push({ kind: 'inventory', runtime: inventory });
  await inventory.start();
  // Only inventory-service runs: the console's other service URLs point nowhere.
  const env = { INVENTORY_SERVICE_URL: pipeline.url('inventory'), TOPIC_AUDIT_EVENTS: auditTopic };
  const databaseUrl = pipeline.databaseUrl;
  consoleApp = await startConsole({
    databaseUrl,
    env: { ...env, CONSOLE_TOKEN: TOKEN },
    logger: capturingLogger('console', consoleLines),
  });
  readOnly = await startConsole({ databaseUrl, env: { ...env, CONSOLE_READ_ONLY: '1' } });
  const login = await fetch(`${consoleApp.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: TOKEN }),
  });
  expect(login.status).toBe(204);
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const connection = { brokers: testKafkaBrokers(), clientId: uniqueName('audit_test') };
  admin = createAdmin(connection);
  producer = createProducer(connection);
  await Promise.all([admin.start(), producer.start()]);
});

afterAll(async () => {
  await readOnly?.stop();
  await consoleApp?.stop();
  await pipeline?.stop();
  await producer?.stop();
  await admin?.stop();
});

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON bodies
  body: any;
}

/** A request with a request id of the test's own (x-request-id), so its audit record can be found. */
async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer & { requestId: string }> {
  const requestId = `audit-test-${randomUUID()}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      'x-request-id': requestId,
      ...(base === consoleApp.url ? { cookie } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, requestId };
}

async function auditRecords(): Promise<AuditRecord[]> {
  const [description] = await admin.describeTopics([auditTopic]);
  const records: AuditRecord[] = [];
  for (const p of description?.partitions ?? []) {
    if (p.latestOffset === p.earliestOffset) continue;
    const messages = await admin.readMessages(auditTopic, {
      partition: p.partition,
      fromOffset: p.earliestOffset,
      limit: Number(p.latestOffset - p.earliestOffset),
    });
    for (const m of messages) records.push(auditRecord.parse(JSON.parse(m.value.toString('utf8'))));
  }
  return records;
}

/** Waits for the request's record on the topic, then checks it is the only one, and so is its log line. */
async function recordOf(requestId: string, lines: Record<string, unknown>[]): Promise<AuditRecord> {
  const found = await waitFor(async () => (await auditRecords()).filter((r) => r.requestId === requestId), {
    until: (rs) => rs.length > 0,
    timeoutMs: 15_000,
    message: `the audit record of ${requestId}`,
  });
  // A second copy would arrive right behind the first.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await auditRecords()).filter((r) => r.requestId === requestId)).toHaveLength(1);
  const logged = lines.filter(
    (l) => l.msg === AUDIT_LOG_MESSAGE && (l.audit as AuditRecord | undefined)?.requestId === requestId,
  );
  expect(logged).toHaveLength(1);
  expect(logged[0]?.audit).toEqual(found[0]);
  return found[0] as AuditRecord;
}

describe('audit trail', () => {
  it('records a console write that succeeds and one that is refused, with the session as actor', async () => {
    const topic = uniqueName('audited');
    const created = await call(consoleApp.url, 'POST', '/api/topics', {
      name: topic,
      partitions: 1,
      replicationFactor: 1,
    });
    expect(created.status).toBe(201);
    const again = await call(consoleApp.url, 'POST', '/api/topics', {
      name: topic,
      partitions: 1,
      replicationFactor: 1,
    });
    expect(again.status).toBe(409);

    const ok = await recordOf(created.requestId, consoleLines);
    expect(ok).toMatchObject({
      source: 'console',
      method: 'POST',
      route: '/api/topics',
      status: 201,
      outcome: 'ok',
      summary: { name: topic, partitions: 1, replicationFactor: 1 },
    });
    expect(ok.actor).toMatch(/^session:[0-9a-f]{12}$/);
    expect(ok.client).toBe('127.0.0.1');
    const refused = await recordOf(again.requestId, consoleLines);
    expect(refused).toMatchObject({
      actor: ok.actor,
      status: 409,
      outcome: 'refused',
      errorCode: 'CONFLICT',
    });
  });

  it('summarises a produced message instead of copying it', async () => {
    const topic = uniqueName('produced');
    await admin.ensureTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    const value = JSON.stringify({ secret: 'do-not-copy', padding: 'x'.repeat(500) });
    const produced = await call(consoleApp.url, 'POST', `/api/topics/${topic}/messages`, {
      key: 'k1',
      headers: { 'x-a': 'header-value-not-copied' },
      value,
    });
    expect(produced.status).toBe(201);
    const record = await recordOf(produced.requestId, consoleLines);
    expect(record).toMatchObject({
      route: '/api/topics/:topic/messages',
      params: { topic },
      summary: { key: 'k1', valueBytes: Buffer.byteLength(value), headers: ['x-a'] },
    });
    expect(JSON.stringify(record)).not.toContain('do-not-copy');
    expect(JSON.stringify(record)).not.toContain('header-value-not-copied');
  });

  it('records an admin stock change on inventory-service, accepted and refused, with the route pattern', async () => {
    const inventory = pipeline.url('inventory');
    const added = await call(inventory, 'POST', '/inventory/Laptop/adjustments', {
      delta: 5,
      reason: 'restock',
    });
    expect(added.status).toBe(201);
    const below = await call(inventory, 'POST', '/inventory/Laptop/adjustments', {
      delta: -1_000_000,
      reason: 'too much',
    });
    expect(below.status).toBe(409);
    const ok = await recordOf(added.requestId, inventoryLines);
    expect(ok).toMatchObject({
      source: 'inventory-service',
      actor: 'anonymous',
      method: 'POST',
      route: '/inventory/:item/adjustments',
      params: { item: 'Laptop' },
      summary: { delta: 5, reason: 'restock' },
      status: 201,
      outcome: 'ok',
    });
    const refused = await recordOf(below.requestId, inventoryLines);
    expect(refused).toMatchObject({ status: 409, outcome: 'refused', errorCode: 'BELOW_RESERVED' });
    // Reads are not audited.
    const read = await call(inventory, 'GET', '/inventory/Laptop');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await auditRecords()).some((r) => r.requestId === read.requestId)).toBe(false);
  });

  it('a stock change through the console is audited by both, under one request id', async () => {
    const set = await call(consoleApp.url, 'PUT', '/api/inventory/Phone', { stock: 90 });
    expect(set.status).toBe(200);
    await waitFor(async () => (await auditRecords()).filter((r) => r.requestId === set.requestId), {
      until: (rs) => rs.length === 2,
      timeoutMs: 15_000,
      message: 'two records of the stock change',
    });
    const both = (await auditRecords()).filter((r) => r.requestId === set.requestId);
    expect(both.map((r) => `${r.source} ${r.method} ${r.route}`).sort()).toEqual([
      'console PUT /api/inventory/:item',
      'inventory-service PUT /inventory/:item',
    ]);
  });

  it('refuses every console write to the audit topic (403), and audits the refusal', async () => {
    const produce = await call(consoleApp.url, 'POST', `/api/topics/${auditTopic}/messages`, {
      value: JSON.stringify({ forged: true }),
    });
    expect(produce.status).toBe(403);
    expect(produce.body).toMatchObject({ status: 403, code: 'AUDIT_TOPIC_PROTECTED' });
    const create = await call(consoleApp.url, 'POST', '/api/topics', {
      name: auditTopic,
      partitions: 1,
      replicationFactor: 1,
    });
    expect(create).toMatchObject({ status: 403, body: { code: 'AUDIT_TOPIC_PROTECTED' } });
    const redriveFrom = await call(
      consoleApp.url,
      'POST',
      `/api/dead-letters/${deadLetterTopic(auditTopic)}/redrive`,
      {
        all: true,
      },
    );
    expect(redriveFrom).toMatchObject({ status: 403, body: { code: 'AUDIT_TOPIC_PROTECTED' } });
    // A letter whose header names the audit topic as its origin: redriving it is refused too.
    const dlt = deadLetterTopic(uniqueName('forged'));
    await admin.ensureTopics([{ name: dlt, partitions: 1, replicationFactor: 1 }]);
    await producer.send([
      { topic: dlt, value: '{"forged":true}', headers: { [HEADERS.dlqOriginalTopic]: auditTopic } },
    ]);
    const one = await call(consoleApp.url, 'POST', `/api/dead-letters/${dlt}/redrive`, {
      partition: 0,
      offset: '0',
    });
    expect(one).toMatchObject({ status: 403 });
    const all = await call(consoleApp.url, 'POST', `/api/dead-letters/${dlt}/redrive`, { all: true });
    expect(all).toMatchObject({ status: 403 });

    const refused = await recordOf(produce.requestId, consoleLines);
    expect(refused).toMatchObject({
      route: '/api/topics/:topic/messages',
      status: 403,
      outcome: 'refused',
      errorCode: 'AUDIT_TOPIC_PROTECTED',
    });
    // Nothing but audit records on the topic.
    expect((await auditRecords()).some((r) => JSON.stringify(r).includes('forged":true'))).toBe(false);
  });

  it('a read-only console lists the records newest first, filtered and paged, and can change nothing', async () => {
    const all = await call(readOnly.url, 'GET', '/api/audit?limit=500');
    expect(all.status).toBe(200);
    const records = all.body.records as AuditRecord[];
    expect(records.length).toBeGreaterThanOrEqual(8);
    const times = records.map((r) => r.at);
    expect([...times].sort().reverse()).toEqual(times);

    const inventoryOnly = await call(readOnly.url, 'GET', '/api/audit?route=adjustments');
    expect((inventoryOnly.body.records as AuditRecord[]).map((r) => r.status).sort()).toEqual([201, 409]);
    const sessionActor = records.find((r) => r.source === 'console')?.actor ?? '';
    const bySession = await call(readOnly.url, 'GET', `/api/audit?actor=${encodeURIComponent(sessionActor)}`);
    expect((bySession.body.records as AuditRecord[]).every((r) => r.actor === sessionActor)).toBe(true);

    // Paging: two records a page, the pages together are the newest records in order.
    const first = await call(readOnly.url, 'GET', '/api/audit?limit=2');
    const second = await call(
      readOnly.url,
      'GET',
      `/api/audit?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect([...first.body.records, ...second.body.records].map((r: AuditRecord) => r.id)).toEqual(
      records.slice(0, 4).map((r) => r.id),
    );

    // Read-only: no write anywhere, and the audit API has none.
    const produce = await call(readOnly.url, 'POST', `/api/topics/${auditTopic}/messages`, { value: 'x' });
    expect(produce.status).toBe(403);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      expect((await call(consoleApp.url, method, '/api/audit', {})).status).toBeGreaterThanOrEqual(404);
    }
  });

  it('counts records it could not produce (none here)', async () => {
    const metrics = await (await fetch(`${pipeline.url('inventory')}/metrics`)).text();
    expect(metrics).toMatch(/^audit_records_failed_total\{[^}]*\} 0$/m);
  });
});
