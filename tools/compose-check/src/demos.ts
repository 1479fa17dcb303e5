// The Docker commands of README.md and docs/deployment.md, played against the built images, each
// checked from outside: HTTP on the published ports, PostgreSQL on localhost:5432 and Kafka's host
// listener through `npm run cli`, as a user on the host would see them.
import { consumerGroup, deadLetterTopic, HEADERS, SERVICES, TOPICS } from '@kafka-poc/contracts';
import { sleep } from '@kafka-poc/resilience';
import { allFinal, assertNoExpiry, describeCompletion, isFinal } from './completion.ts';
import type { Compose, PsEntry } from './compose.ts';
import { checkExactlyOnce, recordPosition } from './exactly-once.ts';
import { cli, describeGroup, summarizeGroup, topics } from './kafka-cli.ts';
import { type Ledger, SEED } from './ledger.ts';
import { getJson, OrderLoad, placeOrder, waitFor } from './orders.ts';
import type { Steps } from './steps.ts';

export const ORDERS = 'http://127.0.0.1:8000';
const HOST_KAFKA = 'localhost:9094';
const CLUSTER_KAFKA = 'localhost:9094,localhost:9095,localhost:9096';
const UP_TIMEOUT = 420_000;
/** Orders per second of the load during the demos: enough to have batches in flight, little stock used. */
export const LOAD_PER_SECOND = 4;

/**
 * notification-service's group and the topic it reads, from the one definition the services use
 * (packages/contracts CONSUMED_TOPIC): the scaling, catch-up and replay demos watch this group.
 */
const NOTIFY = consumerGroup('notification');
const NOTIFY_GROUP = NOTIFY.groupId;
const NOTIFY_TOPIC = NOTIFY.topics[0] ?? TOPICS.orderEvents;
const NOTIFICATION_SERVICE = SERVICES.notification;

export interface DemoContext {
  steps: Steps;
  compose: Compose;
  ledger: Ledger;
  /** Every order the host placed and got 201 for, since the last `down -v`. */
  accepted: string[];
  /** Positions (`topic:partition@offset`) of the records the poison demo wrote, since the last `down -v`. */
  poisoned: Set<string>;
}

function healthySummary(ps: PsEntry[]): string {
  const byService = new Map<string, number>();
  for (const c of ps) byService.set(c.Service, (byService.get(c.Service) ?? 0) + 1);
  return `${ps.length} containers running and healthy: ${[...byService].map(([s, n]) => (n > 1 ? `${s} ×${n}` : s)).join(', ')}`;
}

async function up(
  ctx: DemoContext,
  compose: Compose,
  args: string[],
  expect?: Record<string, number>,
): Promise<void> {
  await ctx.steps.step(compose.display(args), async () => {
    await compose.run(args, { timeoutMs: 1_800_000 });
    return healthySummary(await compose.waitHealthy(UP_TIMEOUT, expect));
  });
}

async function ready(url: string): Promise<number> {
  return (await getJson(`${url}/health/ready`)).status;
}

/**
 * Places an order and waits for its decision (`expect`, or any final status when 'final': stock runs
 * out over the run) and the one notification of that status.
 */
async function orderThrough(
  ctx: DemoContext,
  item: string,
  quantity: number,
  expect: 'CONFIRMED' | 'REJECTED' | 'final',
): Promise<string> {
  const placed = await placeOrder(ORDERS, item, quantity);
  if (!placed.id) throw new Error(`POST /orders answered ${placed.status}`);
  ctx.accepted.push(placed.id);
  const order = await waitFor(`order ${placed.id} final`, 60_000, async () => {
    const r = await getJson<{ status: string; reason: string | null }>(`${ORDERS}/orders/${placed.id}`);
    return r.body && isFinal(r.body.status) ? r.body : undefined;
  });
  if (expect !== 'final' && order.status !== expect)
    throw new Error(`order ${placed.id} is ${order.status}, expected ${expect}`);
  const port = await ctx.compose.port(NOTIFICATION_SERVICE, 8002);
  const notes = await waitFor(`${order.status} notification of ${placed.id}`, 60_000, async () => {
    const r = await getJson<{ items: { status: string }[] }>(
      `http://${port}/notifications?orderId=${placed.id}`,
    );
    return r.body?.items.some((n) => n.status === order.status) ? r.body.items : undefined;
  });
  // One notification per status reached: a demo order is decided once and never cancelled.
  if (notes.length !== 1)
    throw new Error(
      `order ${placed.id} has ${notes.length} notifications: ${notes.map((n) => n.status).join(', ')}`,
    );
  return `${placed.id} → ${order.status}${order.reason ? ` (${order.reason})` : ''}, 1 notification (${order.status})`;
}

/**
 * Before a demo: every service of the base file running and healthy, with one replica each — as the
 * previous demo should have left it. When a demo failed halfway, `docker compose up -d` brings the
 * stack back first, so one failure does not fail every demo after it.
 */
export async function baseState(ctx: DemoContext): Promise<void> {
  // The database setup job has done its part once it exited 0 (docker-compose.yml, db-setup).
  const ps = (await ctx.compose.ps(true)).filter((c) => !isFinishedJob(c));
  const services = new Map<string, number>();
  for (const c of ps) services.set(c.Service, (services.get(c.Service) ?? 0) + 1);
  const healthy = ps.every((c) => c.State === 'running' && (c.Health === '' || c.Health === 'healthy'));
  if (healthy && [...services.values()].every((n) => n === 1) && services.size >= 6) return;
  await up(ctx, ctx.compose, [
    'up',
    '-d',
    '--scale',
    `${NOTIFICATION_SERVICE}=1`,
    '--scale',
    'inventory-service=1',
  ]);
}

/** The one-shot database setup of docker-compose.yml, done. */
export function isFinishedJob(c: PsEntry): boolean {
  return c.Service === 'db-setup' && c.State === 'exited' && c.ExitCode === 0;
}

/** `docker compose up -d --build`, the services' ports, and the README's curl demo. */
export async function startAndOrder(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  await up(ctx, compose, ['up', '-d', '--build']);
  await steps.step(
    'published ports answer (8000, 8080, inventory and notification ports, 9094, 5432)',
    async () => {
      const inventory = await compose.port('inventory-service', 8001);
      const notification = await compose.port(NOTIFICATION_SERVICE, 8002);
      const urls = [ORDERS, 'http://127.0.0.1:8080', `http://${inventory}`, `http://${notification}`];
      for (const url of urls) {
        const status = await ready(url);
        if (status !== 200) throw new Error(`${url}/health/ready answered ${status}`);
      }
      const names = new Set((await topics(HOST_KAFKA)).map((t) => t.topic));
      for (const t of Object.values(TOPICS)) if (!names.has(t)) throw new Error(`topic ${t} missing`);
      await ctx.ledger.completion([]);
      return `/health/ready 200 on ${urls.join(', ')}; topics on ${HOST_KAFKA}: ${[...names].sort().join(', ')}; PostgreSQL on 5432`;
    },
  );
  await steps.step(`curl -X POST ${ORDERS}/orders '{"item":"Laptop","quantity":1}'`, () =>
    orderThrough(ctx, 'Laptop', 1, 'CONFIRMED'),
  );
  await steps.step(`curl -X POST ${ORDERS}/orders '{"item":"Monitor","quantity":1000}'`, () =>
    orderThrough(ctx, 'Monitor', 1000, 'REJECTED'),
  );
  await steps.step('curl "$(docker compose port inventory-service 8001)/inventory"', async () => {
    const port = await compose.port('inventory-service', 8001);
    const r = await getJson<
      { items?: { item: string; stock: number }[] } | { item: string; stock: number }[]
    >(`http://${port}/inventory`);
    const items = Array.isArray(r.body) ? r.body : (r.body?.items ?? []);
    const laptop = items.find((i) => i.item === 'Laptop');
    if (!laptop) throw new Error(`no Laptop in ${JSON.stringify(r.body)}`);
    return `${items.length} items from ${port}, Laptop stock ${laptop.stock}`;
  });
}

/**
 * The database roles of docker-compose.yml's services (docs/architecture.md, "Layers and data
 * ownership"). The console's role (`console`) is not among them: its pool connects only when a
 * logged-in page reads the views.
 */
const SERVICE_ROLES = ['order_service', 'inventory_service', 'notification_service'];

/**
 * The original's check: `docker compose exec postgres psql -U app -d appdb -c 'SELECT * FROM …;'`,
 * answered through the administrator's search_path over the service schemas; and each app connected
 * as its own role, none as the administrator.
 */
export async function psqlCheck(ctx: DemoContext): Promise<void> {
  await ctx.steps.step('each service connects as its own database role (pg_stat_activity)', async () => {
    const roles = await ctx.ledger.connectedRoles();
    const missing = SERVICE_ROLES.filter((r) => !roles.includes(r));
    if (missing.length > 0)
      throw new Error(`no connection as ${missing.join(', ')}; connected: ${roles.join(', ')}`);
    return `connected: ${roles.join(', ')}`;
  });
  for (const table of ['orders', 'inventory', 'notifications']) {
    const args = ['exec', 'postgres', 'psql', '-U', 'app', '-d', 'appdb', '-c', `SELECT * FROM ${table};`];
    await ctx.steps.step(
      `docker compose exec postgres psql -U app -d appdb -c 'SELECT * FROM ${table};'`,
      async () => {
        const out = (await ctx.compose.run(args)).stdout;
        const rows = /\((\d+) rows?\)/.exec(out)?.[1];
        const mustShow = table === 'inventory' ? ['Laptop'] : ctx.accepted;
        const missing = mustShow.filter((v) => !out.includes(v));
        if (!rows || missing.length > 0)
          throw new Error(`missing ${missing.join(', ')} in:\n${out.slice(0, 800)}`);
        return `${rows} rows, ${table === 'inventory' ? 'the seeded items' : "the demo's orders"} among them`;
      },
    );
  }
}

async function groupMembers(count: number, timeoutMs: number): Promise<string> {
  return waitFor(
    `${count} members of ${NOTIFY_GROUP}, ${count === 1 ? `every ${NOTIFY_TOPIC} partition` : `one ${NOTIFY_TOPIC} partition each`}`,
    timeoutMs,
    async () => {
      const view = await describeGroup(HOST_KAFKA, NOTIFY_GROUP).catch(() => undefined);
      if (!view) return undefined;
      const { owned } = summarizeGroup(view, NOTIFY_TOPIC);
      const ok =
        count === 1
          ? owned.length === 1 && owned[0] === 3
          : owned.length === count && owned.every((n) => n === 1);
      return ok
        ? `${view.members.length} member(s) owning ${owned.join(' + ')} ${NOTIFY_TOPIC} partitions`
        : undefined;
    },
    2000,
  );
}

function containerIds(ps: PsEntry[], services: string[]): string {
  return ps
    .filter((c) => services.includes(c.Service))
    .map((c) => c.ID)
    .sort()
    .join(',');
}

/** Scaling consumers while orders flow (README + docs). */
export async function scaleDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  const before = containerIds(await compose.ps(), ['kafka', 'postgres', 'order-service']);
  const load = new OrderLoad(ORDERS, LOAD_PER_SECOND);
  load.start();
  try {
    await up(ctx, compose, ['up', '-d', '--scale', `${NOTIFICATION_SERVICE}=3`], {
      [NOTIFICATION_SERVICE]: 3,
    });
    await steps.step(`KAFKA_BROKERS=${HOST_KAFKA} npm run cli -- group ${NOTIFY_GROUP}`, async () => {
      const members = await groupMembers(3, 120_000);
      const after = containerIds(await compose.ps(), ['kafka', 'postgres', 'order-service']);
      if (after !== before) throw new Error('kafka, postgres or order-service was recreated by the scale-up');
      steps.note((await cli(HOST_KAFKA, ['group', NOTIFY_GROUP])).stdout.trim());
      return `${members}; kafka, postgres and order-service kept running`;
    });
  } finally {
    await load.stop();
  }
  ctx.accepted.push(...load.accepted);
  await steps.step(
    'every order placed during the scale-up: final, the notification of its status each',
    async () => {
      const done = await ctx.ledger.waitComplete(load.accepted, 180_000);
      return `${load.summary()}: ${describeCompletion(done)}`;
    },
  );
  await up(ctx, compose, ['up', '-d', '--scale', `${NOTIFICATION_SERVICE}=1`], { [NOTIFICATION_SERVICE]: 1 });
  await steps.step(
    `KAFKA_BROKERS=${HOST_KAFKA} npm run cli -- group ${NOTIFY_GROUP} (after scaling back)`,
    async () => {
      const members = await groupMembers(1, 120_000);
      const lag = await waitFor('lag 0', 60_000, async () => {
        const view = await describeGroup(HOST_KAFKA, NOTIFY_GROUP).catch(() => undefined);
        return view && summarizeGroup(view, NOTIFY_TOPIC).lag === 0 ? 0 : undefined;
      });
      return `${members}, lag ${lag}`;
    },
  );
}

/** Orders placed one by one (no load generator), for the demos that need a known set. */
async function placeSome(ctx: DemoContext, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const placed = await placeOrder(ORDERS, i % 2 ? 'Keyboard' : 'Headphones', 1);
    if (!placed.id) throw new Error(`POST /orders answered ${placed.status}`);
    ids.push(placed.id);
  }
  ctx.accepted.push(...ids);
  return ids;
}

/** README's replay demo: stop a consumer, keep ordering, start it: it catches up from its offsets. */
export async function catchUpDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  let ids: string[] = [];
  await steps.step(`docker compose stop ${NOTIFICATION_SERVICE}`, async () => {
    await compose.run(['stop', NOTIFICATION_SERVICE]);
    ids = await placeSome(ctx, 20);
    const decided = await waitFor('20 orders decided by order-service', 60_000, async () => {
      const c = await ctx.ledger.completion(ids);
      return allFinal(c) ? c : undefined;
    });
    const notified = await ctx.ledger.notified(ids);
    if (notified !== 0) throw new Error(`${notified} notified while ${NOTIFICATION_SERVICE} was stopped`);
    const view = await describeGroup(HOST_KAFKA, NOTIFY_GROUP);
    const { lag } = summarizeGroup(view, NOTIFY_TOPIC);
    if (view.members.length !== 0 || lag < ids.length)
      throw new Error(`group ${NOTIFY_GROUP}: ${view.members.length} members, lag ${lag} on ${NOTIFY_TOPIC}`);
    return `20 orders placed meanwhile (${describeCompletion(decided)}), none notified; group ${NOTIFY_GROUP}: no members, lag ${lag} on ${NOTIFY_TOPIC}`;
  });
  await steps.step(`docker compose start ${NOTIFICATION_SERVICE}`, async () => {
    await compose.run(['start', NOTIFICATION_SERVICE]);
    await compose.waitHealthy(UP_TIMEOUT);
    const done = await ctx.ledger.waitComplete(ids, 120_000);
    const lag = await waitFor('lag 0', 60_000, async () => {
      const view = await describeGroup(HOST_KAFKA, NOTIFY_GROUP).catch(() => undefined);
      return view && summarizeGroup(view, NOTIFY_TOPIC).lag === 0 ? 0 : undefined;
    });
    return `caught up: ${describeCompletion(done)}; lag ${lag} on ${NOTIFY_TOPIC}`;
  });
}

/** docs: replay the group from the earliest offset: everything is re-read and nothing changes. */
export async function replayDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  let before = 0;
  await steps.step(
    `docker compose stop ${NOTIFICATION_SERVICE}; npm run cli -- replay --group ${NOTIFY_GROUP} --to earliest`,
    async () => {
      before = await ctx.ledger.notificationCount();
      await compose.run(['stop', NOTIFICATION_SERVICE]);
      const dry = await cli(HOST_KAFKA, ['replay', '--group', NOTIFY_GROUP, '--to', 'earliest', '--dry-run']);
      steps.note(dry.stdout.trim().split('\n').slice(0, 8).join('\n'));
      await cli(HOST_KAFKA, ['replay', '--group', NOTIFY_GROUP, '--to', 'earliest']);
      const { lag } = summarizeGroup(await describeGroup(HOST_KAFKA, NOTIFY_GROUP), NOTIFY_TOPIC);
      if (lag === 0) throw new Error(`lag 0 on ${NOTIFY_TOPIC} after the reset: nothing to re-read`);
      return `offsets reset to earliest: lag ${lag} on ${NOTIFY_TOPIC}`;
    },
  );
  await steps.step(`docker compose start ${NOTIFICATION_SERVICE} (after the replay)`, async () => {
    await compose.run(['start', NOTIFICATION_SERVICE]);
    await compose.waitHealthy(UP_TIMEOUT);
    await waitFor('lag 0 after the replay', 180_000, async () => {
      const view = await describeGroup(HOST_KAFKA, NOTIFY_GROUP).catch(() => undefined);
      return view && view.members.length > 0 && summarizeGroup(view, NOTIFY_TOPIC).lag === 0
        ? true
        : undefined;
    });
    const after = await ctx.ledger.notificationCount();
    if (after !== before) throw new Error(`notifications ${before} before the replay, ${after} after`);
    return `everything re-read, lag 0; still ${after} notifications (no duplicate)`;
  });
}

/**
 * docs: SIGKILL a consumer mid-batch under load; the inbox drops the redelivered batch. The group
 * keeps the killed member's partitions until its session times out (45 s + 5 s on a stock broker),
 * well inside the decision timeout (ORDER_DECISION_TIMEOUT, 2 min by default): no order may expire.
 */
export async function crashDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  const load = new OrderLoad(ORDERS, LOAD_PER_SECOND);
  let killedAt = 0;
  load.start();
  try {
    await steps.step(
      'docker compose kill -s SIGKILL inventory-service; docker compose start inventory-service',
      async () => {
        await sleep(3000);
        await compose.run(['kill', '-s', 'SIGKILL', SERVICES.inventory]);
        killedAt = performance.now();
        await sleep(3000);
        await compose.run(['start', SERVICES.inventory]);
        await compose.waitHealthy(UP_TIMEOUT);
        return `killed under load, started again, healthy ${((performance.now() - killedAt) / 1000).toFixed(0)} s after the kill`;
      },
    );
  } finally {
    await load.stop();
  }
  ctx.accepted.push(...load.accepted);
  await steps.step(
    'every order placed around the crash: final, the notification of its status each, none EXPIRED',
    async () => {
      const done = await ctx.ledger.waitComplete(load.accepted, 180_000);
      const noExpiry = assertNoExpiry(done);
      const sinceKill = ((performance.now() - killedAt) / 1000).toFixed(0);
      return `${load.summary()}: ${describeCompletion(done)}; ${noExpiry}; all done ${sinceKill} s after the kill`;
    },
  );
}

/** docs: Kafka down: orders are still accepted (outbox) and flow once it is back. */
export async function kafkaDownDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  let ids: string[] = [];
  await steps.step('docker compose stop kafka; curl -X POST …/orders', async () => {
    await compose.run(['stop', 'kafka']);
    ids = await placeSome(ctx, 3);
    return `3 orders accepted (201) with Kafka stopped`;
  });
  await steps.step('docker compose start kafka', async () => {
    await compose.run(['start', 'kafka']);
    await compose.waitHealthy(UP_TIMEOUT);
    const done = await ctx.ledger.waitComplete(ids, 180_000);
    return `the outbox published them: ${describeCompletion(done)}`;
  });
}

/** README: stop PostgreSQL under load: 503, services stay up; start it: every accepted order completes. */
export async function postgresDownDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  const load = new OrderLoad(ORDERS, 5);
  load.start();
  try {
    await steps.step('docker compose stop postgres', async () => {
      await sleep(3000);
      await compose.run(['stop', 'postgres']);
      const status = await waitFor('order-service /health/ready 503', 60_000, async () => {
        const s = await ready(ORDERS);
        return s === 503 ? s : undefined;
      });
      const refused = await placeOrder(ORDERS, 'Laptop', 1);
      if (refused.status !== 503) throw new Error(`POST /orders answered ${refused.status}, expected 503`);
      await sleep(5000);
      const ps = await compose.ps();
      const down = ps.filter((c) => c.Service !== 'postgres' && c.State !== 'running');
      if (down.length > 0) throw new Error(`not running: ${down.map((c) => c.Name).join(', ')}`);
      return `/health/ready ${status}, POST /orders 503; ${ps.length} containers still running`;
    });
    await steps.step('docker compose start postgres', async () => {
      await compose.run(['start', 'postgres']);
      await compose.waitHealthy(UP_TIMEOUT);
      await waitFor('order-service /health/ready 200', 60_000, async () =>
        (await ready(ORDERS)) === 200 ? true : undefined,
      );
      await sleep(3000);
      return '/health/ready 200 again';
    });
  } finally {
    await load.stop();
  }
  ctx.accepted.push(...load.accepted);
  await steps.step(
    'every order accepted around the outage: final, the notification of its status each',
    async () => {
      const done = await ctx.ledger.waitComplete(load.accepted, 180_000);
      return `${load.summary()}: ${describeCompletion(done)}`;
    },
  );
}

interface DeadLetter {
  headers: Record<string, string>;
}

/** docs: a line that is not an event goes to order-events.DLT; the pipeline goes on. */
export async function poisonDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  const topic = TOPICS.orderEvents;
  const producer = [
    'exec',
    'kafka',
    '/opt/kafka/bin/kafka-console-producer.sh',
    '--bootstrap-server',
    'kafka:9092',
    '--topic',
    topic,
  ];
  await steps.step(`${compose.display(producer)} <<< 'not json'`, async () => {
    await compose.run(producer, { input: 'not json\n' });
    const letters = await waitFor(`a dead letter in ${deadLetterTopic(topic)}`, 60_000, async () => {
      const out = (await cli(HOST_KAFKA, ['dlq', 'list', topic, '--json']).catch(() => undefined))?.stdout;
      const listed = out ? (JSON.parse(out) as DeadLetter[]) : [];
      return listed.length > 0 ? listed : undefined;
    });
    // Where the poison sits on the topic: the final check expects the checker to report it (and only it).
    for (const { headers } of letters) {
      const [from, partition, offset] = [
        headers[HEADERS.dlqOriginalTopic],
        headers[HEADERS.dlqOriginalPartition],
        headers[HEADERS.dlqOriginalOffset],
      ];
      if (from === topic && partition !== undefined && offset !== undefined)
        ctx.poisoned.add(recordPosition(from, partition, offset));
    }
    steps.note(
      (await cli(HOST_KAFKA, ['dlq', 'list', topic])).stdout.trim().split('\n').slice(0, 6).join('\n'),
    );
    const next = await orderThrough(ctx, 'Keyboard', 1, 'final');
    return `npm run cli -- dlq list ${topic}: ${letters.length} dead letter(s) of ${[...ctx.poisoned].join(', ')}; the next order: ${next}`;
  });
}

/**
 * Nothing lost, nothing duplicated, over everything this project did: packages/verification's
 * checkPipeline (the checker of the fault suite and the chaos campaign) against the stack.
 */
export async function invariantsCheck(ctx: DemoContext, brokers = HOST_KAFKA): Promise<void> {
  await ctx.steps.step(
    'no lost or duplicated effect: checkPipeline (orders, reservations, releases, notifications, stock, events, lag)',
    async () => {
      const done = await ctx.ledger.waitComplete(ctx.accepted, 120_000);
      const checked = await exactlyOnce(ctx, brokers);
      return `${ctx.accepted.length} accepted orders done (${describeCompletion(done)}); ${checked}`;
    },
  );
}

/** checkPipeline over everything since the last `down -v` (see exactly-once.ts). */
export function exactlyOnce(ctx: DemoContext, brokers: string): Promise<string> {
  return checkExactlyOnce({
    databaseUrl: ctx.ledger.url,
    brokers: brokers.split(','),
    initialStock: new Map(SEED),
    accepted: ctx.accepted,
    poisoned: ctx.poisoned,
    settleTimeoutMs: 120_000,
  });
}

/**
 * `down` leaves nothing running; `down -v` removes the volumes too. With `allProfiles`, as the docs
 * say once a profile was started: `docker compose --profile '*' down` (plain `down` leaves the
 * containers of profile services running).
 */
export async function downCheck(
  ctx: DemoContext,
  base: Compose,
  withVolumes: boolean,
  allProfiles = false,
): Promise<void> {
  const args = withVolumes ? ['down', '-v'] : ['down'];
  const compose = allProfiles ? base.with(base.files, ['*']) : base;
  await ctx.steps.step(compose.display(args), async () => {
    await compose.run(args, { timeoutMs: 300_000 });
    const left = await base.with(base.files, ['*']).ps(true);
    if (left.length > 0) throw new Error(`still there: ${left.map((c) => c.Name).join(', ')}`);
    if (withVolumes) {
      ctx.accepted.length = 0;
      ctx.poisoned.clear();
    }
    return withVolumes
      ? 'no container, network or volume of the project left'
      : 'no container left (volumes kept)';
  });
}

export { CLUSTER_KAFKA, HOST_KAFKA, orderThrough, placeSome, up };
