import {
  type ConsumerRunner,
  createAdmin,
  createConsumerRunner,
  createProducer,
  type KafkaAdmin,
  type KafkaProducer,
} from '@kafka-poc/kafka';
import {
  createTestDatabase,
  createTestTopic,
  testKafkaBrokers,
  uniqueName,
  waitFor,
} from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadOnlyDb } from '../src/flow/read-only-db.ts';
import { type RunningConsole, startConsole } from './support/console-harness.ts';

// The console's HTTP API against the real broker: every input validated, problem+json errors with
// the right status, no crash on bad input; the services are not running here (their calls fail
// cleanly) and the database has no tables yet.

let consoleApp: RunningConsole;
let admin: KafkaAdmin;
let producer: KafkaProducer;
let topic: string;
let running: ConsumerRunner;
let runningGroup: string;

beforeAll(async () => {
  consoleApp = await startConsole({ databaseUrl: await createTestDatabase('console_api') });
  const connection = { brokers: testKafkaBrokers(), clientId: uniqueName('console_api_test') };
  admin = createAdmin(connection);
  producer = createProducer(connection);
  await Promise.all([admin.start(), producer.start()]);
  topic = await createTestTopic('console_api', { partitions: 2 });
  await producer.send(
    Array.from({ length: 6 }, (_, i) => ({
      topic,
      key: `k${i}`,
      value: JSON.stringify({ n: i, note: i === 3 ? 'needle' : 'hay' }),
      headers: { 'x-n': String(i) },
    })),
  );
  runningGroup = uniqueName('console_api_group');
  running = createConsumerRunner({
    connection,
    groupId: runningGroup,
    topics: [topic],
    handler: async () => undefined,
  });
  await running.start();
});

afterAll(async () => {
  await running?.stop();
  await consoleApp?.stop();
  await producer?.stop();
  await admin?.stop();
});

interface Answer {
  status: number;
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON bodies
  body: any;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${consoleApp.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: parsed };
}

function expectProblem(answer: Answer, status: number, code?: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.type).toContain('application/problem+json');
  expect(answer.body).toMatchObject({ status, ...(code ? { code } : {}) });
  expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.ts:\d+/);
}

describe('console API', () => {
  it('answers health, readiness and metrics', async () => {
    expect((await call('GET', '/health/live')).status).toBe(200);
    const ready = await call('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.kafka.ok).toBe(true);
    const metrics = await fetch(`${consoleApp.url}/metrics`);
    expect(await metrics.text()).toContain('console_live_tails');
    const openapi = await call('GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.body.paths)).toContain('/api/topics/{topic}/messages');
  });

  it('describes the cluster and a topic with offsets and message counts', async () => {
    const cluster = await call('GET', '/api/cluster');
    expect(cluster.status).toBe(200);
    expect(cluster.body.brokers.length).toBeGreaterThan(0);
    const view = cluster.body.topics.find((t: { name: string }) => t.name === topic);
    expect(view).toMatchObject({ partitionCount: 2, messages: 6, underReplicated: 0 });
    const one = await call('GET', `/api/topics/${topic}`);
    expect(one.body.partitions.map((p: { earliestOffset: string }) => p.earliestOffset)).toEqual(['0', '0']);
    expectProblem(await call('GET', `/api/topics/${uniqueName('missing')}`), 404, 'NOT_FOUND');
    expectProblem(await call('GET', '/api/topics/bad%20name'), 422, 'VALIDATION_FAILED');
  });

  it('browses newest first, from the start, from an offset and from a time, with filters', async () => {
    const newest = await call('GET', `/api/topics/${topic}/messages?limit=4`);
    expect(newest.status).toBe(200);
    expect(newest.body.messages).toHaveLength(4);
    const times = newest.body.messages.map((m: { timestamp: number }) => m.timestamp);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const oldest = await call('GET', `/api/topics/${topic}/messages?order=oldest&limit=100`);
    expect(oldest.body.messages).toHaveLength(6);
    const first = oldest.body.messages[0];
    const fromOffset = await call(
      'GET',
      `/api/topics/${topic}/messages?partition=${first.partition}&offset=1&limit=100`,
    );
    expect(fromOffset.body.messages.every((m: { offset: string }) => BigInt(m.offset) >= 1n)).toBe(true);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await call('GET', `/api/topics/${topic}/messages?from=${future}`)).body.messages).toEqual([]);
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect(
      (await call('GET', `/api/topics/${topic}/messages?from=${past}&limit=100`)).body.messages,
    ).toHaveLength(6);
    const byText = await call('GET', `/api/topics/${topic}/messages?q=needle`);
    expect(byText.body.messages.map((m: { key: string }) => m.key)).toEqual(['k3']);
    const byKey = await call('GET', `/api/topics/${topic}/messages?key=K5`);
    expect(byKey.body.messages).toHaveLength(1);
    expect(byKey.body.messages[0]).toMatchObject({ key: 'k5', headers: { 'x-n': '5' }, encoding: 'utf8' });
  });

  it('validates browse parameters', async () => {
    for (const query of [
      'offset=abc',
      'offset=-1',
      'limit=0',
      'limit=100000',
      'order=sideways',
      'from=yesterday',
      `offset=1&from=${new Date().toISOString()}`,
      'partition=99',
      'unknown=1',
    ]) {
      expectProblem(await call('GET', `/api/topics/${topic}/messages?${query}`), 422);
    }
    expectProblem(await call('GET', `/api/topics/${uniqueName('missing')}/messages`), 404);
  });

  it('produces a message with key, headers and a chosen partition', async () => {
    const produced = await call('POST', `/api/topics/${topic}/messages`, {
      key: 'pk',
      headers: { a: '1' },
      value: '{"x":1}',
      partition: 1,
    });
    expect(produced.status).toBe(201);
    expect(produced.body).toMatchObject({ topic, partition: 1 });
    const [message] = await admin.readMessages(topic, {
      partition: 1,
      fromOffset: BigInt(produced.body.offset),
      limit: 1,
    });
    expect(message).toMatchObject({ key: 'pk', headers: { a: '1' } });
    expect(message?.value.toString()).toBe('{"x":1}');
  });

  it('refuses bad produce requests without creating topics', async () => {
    const missing = uniqueName('never_created');
    expectProblem(await call('POST', `/api/topics/${missing}/messages`, { value: 'x' }), 404);
    expect(await admin.listTopics()).not.toContain(missing);
    expectProblem(await call('POST', `/api/topics/${topic}/messages`, { value: 'x', partition: 7 }), 422);
    expectProblem(await call('POST', `/api/topics/${topic}/messages`, { value: 1 }), 422);
    expectProblem(await call('POST', `/api/topics/${topic}/messages`, { value: 'x', extra: true }), 422);
    expectProblem(
      await call('POST', `/api/topics/${topic}/messages`, { value: 'x', headers: { a: 1 } }),
      422,
    );
    expectProblem(await call('POST', `/api/topics/${topic}/messages`, { value: 'x'.repeat(1_000_001) }), 422);
    expectProblem(await call('POST', `/api/topics/${topic}/messages`, '{"value":'), 400);
    // Writes must be JSON from this origin.
    expectProblem(
      await call('POST', `/api/topics/${topic}/messages`, 'value=x', { 'content-type': 'text/plain' }),
      415,
    );
    expectProblem(
      await call('POST', `/api/topics/${topic}/messages`, { value: 'x' }, { origin: 'http://evil.example' }),
      403,
      'CROSS_ORIGIN',
    );
  });

  it('creates topics and refuses invalid ones', async () => {
    const name = uniqueName('console_api_created');
    const created = await call('POST', '/api/topics', {
      name,
      partitions: 4,
      replicationFactor: 1,
      configs: { 'retention.ms': 3_600_000, 'cleanup.policy': 'delete' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, partitionCount: 4 });
    const config = await call('GET', `/api/topics/${name}/config`);
    expect(config.status).toBe(200);
    expect(config.body.name).toBe(name);
    // The values set at creation come first, marked as not default; the broker's defaults follow.
    expect(
      config.body.configs
        .slice(0, 2)
        .map((c: { name: string }) => c.name)
        .sort(),
    ).toEqual(['cleanup.policy', 'retention.ms']);
    expect(config.body.configs.find((c: { name: string }) => c.name === 'retention.ms')).toMatchObject({
      value: '3600000',
      isDefault: false,
      source: 'DYNAMIC_TOPIC_CONFIG',
    });
    expect(config.body.configs.find((c: { name: string }) => c.name === 'segment.bytes')).toMatchObject({
      isDefault: true,
    });
    expectProblem(await call('GET', `/api/topics/${uniqueName('missing')}/config`), 404, 'NOT_FOUND');
    expectProblem(await call('GET', '/api/topics/bad%20name/config'), 422, 'VALIDATION_FAILED');
    expectProblem(
      await call('POST', '/api/topics', { name, partitions: 1, replicationFactor: 1 }),
      409,
      'CONFLICT',
    );
    expectProblem(
      await call('POST', '/api/topics', { name: 'a b', partitions: 1, replicationFactor: 1 }),
      422,
    );
    expectProblem(
      await call('POST', '/api/topics', { name: uniqueName('x'), partitions: 0, replicationFactor: 1 }),
      422,
    );
    const tooMany = await call('POST', '/api/topics', {
      name: uniqueName('x'),
      partitions: 1,
      replicationFactor: 3,
    });
    expectProblem(tooMany, 422);
    expect(tooMany.body.detail).toMatch(/exceeds the 1 broker/);
    expectProblem(
      await call('POST', '/api/topics', {
        name: uniqueName('x'),
        partitions: 1,
        replicationFactor: 1,
        configs: { 'segment.bytes': '1' },
      }),
      422,
    );
  });

  it('lists groups with lag; resets offsets only when the group is empty', async () => {
    await waitFor(async () => (await admin.groupLag(runningGroup, [topic])).every((p) => p.lag === 0n), {
      message: 'group caught up',
    });
    const groups = await call('GET', '/api/groups');
    expect(groups.body.groups.find((g: { groupId: string }) => g.groupId === runningGroup)).toMatchObject({
      state: 'Stable',
      members: 1,
      totalLag: 0,
    });
    const group = await call('GET', `/api/groups/${runningGroup}`);
    expect(group.body).toMatchObject({ groupId: runningGroup, resettable: false, totalLag: 0 });
    expect(group.body.partitions).toHaveLength(2);
    const refused = await call('POST', `/api/groups/${runningGroup}/reset-offsets`, {
      to: 'earliest',
      dryRun: true,
    });
    expectProblem(refused, 409, 'CONFLICT');
    expect(refused.body.detail).toMatch(/active members/);
    expectProblem(
      await call('POST', `/api/groups/${uniqueName('nope')}/reset-offsets`, { to: 'latest', dryRun: true }),
      404,
    );
    expectProblem(
      await call('POST', `/api/groups/${runningGroup}/reset-offsets`, { to: 'timestamp', dryRun: true }),
      422,
    );
    expectProblem(await call('POST', `/api/groups/${runningGroup}/reset-offsets`, { to: 'earliest' }), 422);
    const history = await waitFor(() => call('GET', `/api/groups/${runningGroup}/lag-history`), {
      until: (h) => h.body.samples.length >= 2,
      message: 'lag samples',
    });
    expect(history.body.intervalMs).toBe(1000);
    expect(history.body.idleIntervalMs).toBe(60_000);

    await running.stop();
    const plan = await call('POST', `/api/groups/${runningGroup}/reset-offsets`, {
      to: 'timestamp',
      timestamp: new Date(Date.now() - 3_600_000).toISOString(),
      dryRun: true,
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(plan.body.plan.every((p: { newOffset: string }) => p.newOffset === '0')).toBe(true);
    expect((await admin.groupLag(runningGroup, [topic])).every((p) => p.lag === 0n)).toBe(true);
    const done = await call('POST', `/api/groups/${runningGroup}/reset-offsets`, {
      to: 'earliest',
      dryRun: false,
    });
    expect(done.status).toBe(200);
    const lag = await admin.groupLag(runningGroup, [topic]);
    expect(lag.reduce((sum, p) => sum + Number(p.lag), 0)).toBe(7);
  });

  it('tails a topic over server-sent events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${consoleApp.url}/api/topics/${topic}/tail?q=tail-me`, {
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil(/event: ready/);
    await producer.send([
      { topic, key: 'skip', value: 'not for this tail' },
      { topic, key: 'tail', value: 'tail-me please' },
    ]);
    await readUntil(/event: message\ndata: .*tail-me please/);
    expect(text).not.toContain('not for this tail');
    controller.abort();
    expectProblem(await call('GET', `/api/topics/${topic}/tail?partition=9`), 422);
  });

  it('lists dead letters and validates redrive requests', async () => {
    const dlt = `${topic}.DLT`;
    await admin.ensureTopics([{ name: dlt, partitions: 1, replicationFactor: 1 }]);
    await producer.send([
      {
        topic: dlt,
        key: 'bad',
        value: 'oops',
        headers: { 'dlq-original-topic': topic, 'dlq-error': 'schema violation: n', 'dlq-attempts': '3' },
      },
    ]);
    const list = await call('GET', '/api/dead-letters');
    expect(list.body.topics).toContainEqual({ topic: dlt, originalTopic: topic, messages: 1 });
    const letters = await call('GET', `/api/dead-letters/${dlt}`);
    expect(letters.body.letters[0].deadLetter).toMatchObject({ error: 'schema violation: n', attempts: 3 });
    expectProblem(await call('GET', `/api/dead-letters/${topic}`), 422);
    expectProblem(await call('POST', `/api/dead-letters/${dlt}/redrive`, { partition: 0, offset: '5' }), 404);
    expectProblem(await call('POST', `/api/dead-letters/${dlt}/redrive`, { all: false }), 422);
    expectProblem(await call('POST', `/api/dead-letters/${dlt}/redrive`, {}), 422);
    const one = await call('POST', `/api/dead-letters/${dlt}/redrive`, { partition: 0, offset: '0' });
    expect(one.body).toEqual({ topic: dlt, redriven: 1, targets: [topic], leftUnread: 0 });
  });

  it('reads the database in read-only sessions', async () => {
    const db = createReadOnlyDb(await createTestDatabase('console_ro'), () => undefined);
    try {
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await expect(db.query('CREATE TABLE t (a int)')).rejects.toMatchObject({ code: '25006' });
    } finally {
      await db.end();
    }
  });

  it('reports unreachable services and missing tables as 503, bad ids as 422', async () => {
    const orders = await call('GET', '/api/orders');
    expectProblem(orders, 503, 'UNAVAILABLE');
    expect(orders.body.detail).toBe('order-service is not reachable');
    expectProblem(await call('PUT', '/api/inventory/Laptop', { stock: 5 }), 503);
    expectProblem(await call('PUT', '/api/inventory/Laptop', { stock: -5 }), 422);
    expectProblem(await call('GET', `/api/orders/${crypto.randomUUID()}/timeline`), 503);
    expectProblem(await call('GET', '/api/orders/not-a-uuid/timeline'), 422);
    expectProblem(await call('GET', '/api/flow/stats'), 503);
    const status = await call('GET', '/api/status');
    expect(status.body).toMatchObject({
      kafka: { ok: true },
      database: { ok: true },
      'order-service': { ok: false },
    });
    expectProblem(await call('GET', '/api/nothing-here'), 404);
  });
});
