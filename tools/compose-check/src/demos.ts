// The Docker commands of README.md and docs/deployment.md, played against the built images, each
// checked from outside: HTTP on the published ports, PostgreSQL on localhost:5432 and Kafka's host
// listener through `npm run cli`, as a user on the host would see them.
import { sleep } from '@kafka-poc/resilience';
import type { Compose, PsEntry } from './compose.ts';
import { cli, describeGroup, summarizeGroup, topics } from './kafka-cli.ts';
import type { Ledger } from './ledger.ts';
import { getJson, OrderLoad, placeOrder, waitFor } from './orders.ts';
import type { Steps } from './steps.ts';

export const ORDERS = 'http://127.0.0.1:8000';
const HOST_KAFKA = 'localhost:9094';
const CLUSTER_KAFKA = 'localhost:9094,localhost:9095,localhost:9096';
const UP_TIMEOUT = 420_000;
/** Orders per second of the load during the demos: enough to have batches in flight, little stock used. */
export const LOAD_PER_SECOND = 4;

export interface DemoContext {
  steps: Steps;
  compose: Compose;
  ledger: Ledger;
  /** Every order the host placed and got 201 for, since the last `down -v`. */
  accepted: string[];
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
 * Places an order and waits for its final state (`expect`, or either when 'final': stock runs out
 * over the run) and its one notification.
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
    return r.body && r.body.status !== 'PENDING' ? r.body : undefined;
  });
  if (expect !== 'final' && order.status !== expect)
    throw new Error(`order ${placed.id} is ${order.status}, expected ${expect}`);
  const port = await ctx.compose.port('notification-service', 8002);
  const notes = await waitFor(`notification of ${placed.id}`, 60_000, async () => {
    const r = await getJson<{ items: unknown[] }>(`http://${port}/notifications?orderId=${placed.id}`);
    return r.body && r.body.items.length > 0 ? r.body.items : undefined;
  });
  if (notes.length !== 1) throw new Error(`order ${placed.id} has ${notes.length} notifications`);
  return `${placed.id} → ${order.status}${order.reason ? ` (${order.reason})` : ''}, 1 notification`;
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
    'notification-service=1',
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
      const notification = await compose.port('notification-service', 8002);
      const urls = [ORDERS, 'http://127.0.0.1:8080', `http://${inventory}`, `http://${notification}`];
      for (const url of urls) {
        const status = await ready(url);
        if (status !== 200) throw new Error(`${url}/health/ready answered ${status}`);
      }
      const names = new Set((await topics(HOST_KAFKA)).map((t) => t.topic));
      for (const t of ['order-events', 'inventory-events'])
        if (!names.has(t)) throw new Error(`topic ${t} missing`);
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
    `${count} members of notification-service, one inventory-events partition each`,
    timeoutMs,
    async () => {
      const view = await describeGroup(HOST_KAFKA, 'notification-service').catch(() => undefined);
      if (!view) return undefined;
      const { owned } = summarizeGroup(view, 'inventory-events');
      const ok =
        count === 1
          ? owned.length === 1 && owned[0] === 3
          : owned.length === count && owned.every((n) => n === 1);
      return ok
        ? `${view.members.length} member(s) owning ${owned.join(' + ')} inventory-events partitions`
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
    await up(ctx, compose, ['up', '-d', '--scale', 'notification-service=3'], { 'notification-service': 3 });
    await steps.step(`KAFKA_BROKERS=${HOST_KAFKA} npm run cli -- group notification-service`, async () => {
      const members = await groupMembers(3, 120_000);
      const after = containerIds(await compose.ps(), ['kafka', 'postgres', 'order-service']);
      if (after !== before) throw new Error('kafka, postgres or order-service was recreated by the scale-up');
      steps.note((await cli(HOST_KAFKA, ['group', 'notification-service'])).stdout.trim());
      return `${members}; kafka, postgres and order-service kept running`;
    });
  } finally {
    await load.stop();
  }
  ctx.accepted.push(...load.accepted);
  await steps.step(
    'every order placed during the scale-up: CONFIRMED/REJECTED, one notification each',
    async () => {
      const done = await ctx.ledger.waitComplete(load.accepted, 180_000);
      return `${load.summary()}: ${done.confirmed} confirmed, ${done.rejected} rejected, all notified once`;
    },
  );
  await up(ctx, compose, ['up', '-d', '--scale', 'notification-service=1'], { 'notification-service': 1 });
  await steps.step(
    `KAFKA_BROKERS=${HOST_KAFKA} npm run cli -- group notification-service (after scaling back)`,
    async () => {
      const members = await groupMembers(1, 120_000);
      const lag = await waitFor('lag 0', 60_000, async () => {
        const view = await describeGroup(HOST_KAFKA, 'notification-service').catch(() => undefined);
        return view && summarizeGroup(view, 'inventory-events').lag === 0 ? 0 : undefined;
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
  await steps.step('docker compose stop notification-service', async () => {
    await compose.run(['stop', 'notification-service']);
    ids = await placeSome(ctx, 20);
    const finished = await waitFor('20 orders finished by order-service', 60_000, async () => {
      const c = await ctx.ledger.completion(ids);
      return c.pending === 0 ? c : undefined;
    });
    const notified = await ctx.ledger.notified(ids);
    if (notified !== 0) throw new Error(`${notified} notified while notification-service was stopped`);
    const view = await describeGroup(HOST_KAFKA, 'notification-service');
    const { lag } = summarizeGroup(view, 'inventory-events');
    if (view.members.length !== 0 || lag < ids.length)
      throw new Error(`group: ${view.members.length} members, lag ${lag}`);
    return `20 orders placed meanwhile (${finished.confirmed} confirmed, ${finished.rejected} rejected), none notified; group: no members, lag ${lag}`;
  });
  await steps.step('docker compose start notification-service', async () => {
    await compose.run(['start', 'notification-service']);
    await compose.waitHealthy(UP_TIMEOUT);
    await ctx.ledger.waitComplete(ids, 120_000);
    const lag = await waitFor('lag 0', 60_000, async () => {
      const view = await describeGroup(HOST_KAFKA, 'notification-service').catch(() => undefined);
      return view && summarizeGroup(view, 'inventory-events').lag === 0 ? 0 : undefined;
    });
    return `caught up: all 20 notified once, lag ${lag}`;
  });
}

/** docs: replay the group from the earliest offset: everything is re-read and nothing changes. */
export async function replayDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  let before = 0;
  await steps.step(
    'docker compose stop notification-service; npm run cli -- replay --group notification-service --to earliest',
    async () => {
      before = Number((await ctx.ledger.invariants()).summary.match(/(\d+) notifications/)?.[1] ?? 0);
      await compose.run(['stop', 'notification-service']);
      const dry = await cli(HOST_KAFKA, [
        'replay',
        '--group',
        'notification-service',
        '--to',
        'earliest',
        '--dry-run',
      ]);
      steps.note(dry.stdout.trim().split('\n').slice(0, 8).join('\n'));
      await cli(HOST_KAFKA, ['replay', '--group', 'notification-service', '--to', 'earliest']);
      const { lag } = summarizeGroup(
        await describeGroup(HOST_KAFKA, 'notification-service'),
        'inventory-events',
      );
      return `offsets reset to earliest: lag ${lag}`;
    },
  );
  await steps.step('docker compose start notification-service (after the replay)', async () => {
    await compose.run(['start', 'notification-service']);
    await compose.waitHealthy(UP_TIMEOUT);
    await waitFor('lag 0 after the replay', 180_000, async () => {
      const view = await describeGroup(HOST_KAFKA, 'notification-service').catch(() => undefined);
      return view && view.members.length > 0 && summarizeGroup(view, 'inventory-events').lag === 0
        ? true
        : undefined;
    });
    const after = Number((await ctx.ledger.invariants()).summary.match(/(\d+) notifications/)?.[1] ?? 0);
    if (after !== before) throw new Error(`notifications ${before} before the replay, ${after} after`);
    return `everything re-read, lag 0; still ${after} notifications (no duplicate)`;
  });
}

/** docs: SIGKILL a consumer mid-batch under load; the inbox drops the redelivered batch. */
export async function crashDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  const load = new OrderLoad(ORDERS, LOAD_PER_SECOND);
  load.start();
  try {
    await steps.step(
      'docker compose kill -s SIGKILL inventory-service; docker compose start inventory-service',
      async () => {
        await sleep(3000);
        await compose.run(['kill', '-s', 'SIGKILL', 'inventory-service']);
        await sleep(3000);
        await compose.run(['start', 'inventory-service']);
        await compose.waitHealthy(UP_TIMEOUT);
        return 'killed under load, started again, healthy';
      },
    );
  } finally {
    await load.stop();
  }
  ctx.accepted.push(...load.accepted);
  await steps.step('every order placed around the crash: finished, one notification each', async () => {
    const done = await ctx.ledger.waitComplete(load.accepted, 180_000);
    return `${load.summary()}: ${done.confirmed} confirmed, ${done.rejected} rejected`;
  });
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
    return `the outbox published them: ${done.confirmed} confirmed, ${done.rejected} rejected, all notified`;
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
  await steps.step('every order accepted around the outage: finished, one notification each', async () => {
    const done = await ctx.ledger.waitComplete(load.accepted, 180_000);
    return `${load.summary()}: ${done.confirmed} confirmed, ${done.rejected} rejected`;
  });
}

/** docs: a line that is not an event goes to order-events.DLT; the pipeline goes on. */
export async function poisonDemo(ctx: DemoContext): Promise<void> {
  const { steps, compose } = ctx;
  const producer = [
    'exec',
    'kafka',
    '/opt/kafka/bin/kafka-console-producer.sh',
    '--bootstrap-server',
    'kafka:9092',
    '--topic',
    'order-events',
  ];
  await steps.step(`${compose.display(producer)} <<< 'not json'`, async () => {
    await compose.run(producer, { input: 'not json\n' });
    const listed = await waitFor('a dead letter in order-events.DLT', 60_000, async () => {
      const out = (await cli(HOST_KAFKA, ['dlq', 'list', 'order-events', '--json']).catch(() => undefined))
        ?.stdout;
      const letters = out ? (JSON.parse(out) as unknown[]) : [];
      return letters.length > 0 ? letters.length : undefined;
    });
    steps.note(
      (await cli(HOST_KAFKA, ['dlq', 'list', 'order-events'])).stdout
        .trim()
        .split('\n')
        .slice(0, 6)
        .join('\n'),
    );
    const next = await orderThrough(ctx, 'Keyboard', 1, 'final');
    return `npm run cli -- dlq list order-events: ${listed} dead letter(s); the next order: ${next}`;
  });
}

/** Nothing lost, nothing duplicated, over everything this project did. */
export async function invariantsCheck(ctx: DemoContext): Promise<void> {
  await ctx.steps.step(
    'no lost or duplicated effect (orders, notifications, reservations, stock)',
    async () => {
      await ctx.ledger.waitComplete(ctx.accepted, 120_000);
      const { problems, summary } = await ctx.ledger.invariants();
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return `${ctx.accepted.length} accepted orders all finished; ${summary}`;
    },
  );
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
    if (withVolumes) ctx.accepted.length = 0;
    return withVolumes
      ? 'no container, network or volume of the project left'
      : 'no container left (volumes kept)';
  });
}

export { CLUSTER_KAFKA, HOST_KAFKA, orderThrough, placeSome, up };
