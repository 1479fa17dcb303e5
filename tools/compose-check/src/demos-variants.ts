// The profiles and the two override files of docs/deployment.md: observability (Prometheus), the
// order-service gateway (docker-compose.scale.yml) and three brokers (docker-compose.cluster.yml).
import { TOPICS } from '@kafka-poc/contracts';
import { sleep } from '@kafka-poc/resilience';
import { describeCompletion } from './completion.ts';
import {
  CLUSTER_KAFKA,
  type DemoContext,
  downCheck,
  exactlyOnce,
  LOAD_PER_SECOND,
  ORDERS,
  orderThrough,
  up,
} from './demos.ts';
import { topics } from './kafka-cli.ts';
import { getJson, OrderLoad, waitFor } from './orders.ts';

/**
 * `docker compose --profile observability up -d`, as far as this machine has the images: Prometheus
 * (a stand-in, or the real one) scraping every service. Grafana's image cannot be provided without a
 * registry, so only the prometheus service of the profile is started when it is missing.
 */
export async function observabilityDemo(ctx: DemoContext, grafanaAvailable: boolean): Promise<void> {
  const compose = ctx.compose.with(ctx.compose.files, ['observability']);
  const args = grafanaAvailable ? ['up', '-d'] : ['up', '-d', 'prometheus'];
  if (!grafanaAvailable)
    ctx.steps.note("grafana/grafana cannot be provided here: starting only the profile's prometheus service");
  await up(ctx, compose, args);
  await ctx.steps.step(
    'Prometheus on http://localhost:9090 scrapes every service (DNS service discovery)',
    async () => {
      const jobs = ['order-service', 'inventory-service', 'notification-service', 'console'];
      const up = await waitFor('every job with a healthy target', 90_000, async () => {
        const r = await getJson<{ data: { activeTargets: { labels: { job: string }; health: string }[] } }>(
          'http://127.0.0.1:9090/api/v1/targets',
        );
        const targets = r.body?.data.activeTargets ?? [];
        const healthy = jobs.map(
          (j) => targets.filter((t) => t.labels.job === j && t.health === 'up').length,
        );
        return healthy.every((n) => n > 0) ? healthy : undefined;
      });
      if (grafanaAvailable) {
        const g = await getJson<{ database: string }>('http://127.0.0.1:3000/api/health');
        if (g.status !== 200) throw new Error(`Grafana /api/health answered ${g.status}`);
      }
      return `targets up: ${jobs.map((j, i) => `${j} ${up[i]}`).join(', ')}`;
    },
  );
}

/** docs: order-service replicas behind the HAProxy gateway of docker-compose.scale.yml. */
export async function gatewayDemo(ctx: DemoContext): Promise<void> {
  const compose = ctx.compose.with(['docker-compose.yml', 'docker-compose.scale.yml']);
  const scoped = { ...ctx, compose };
  try {
    await gatewaySteps(ctx, scoped);
  } finally {
    // The next section starts from nothing, whatever happened here.
    await compose.run(['down', '-v'], { allowFail: true, timeoutMs: 300_000 });
  }
}

async function gatewaySteps(ctx: DemoContext, scoped: DemoContext): Promise<void> {
  const { compose } = scoped;
  await up(scoped, compose, ['up', '-d', '--build', '--scale', 'order-service=3'], { 'order-service': 3 });
  await ctx.steps.step('curl -s localhost:8000/gateway/health', async () => {
    const r = await fetch(`${ORDERS}/gateway/health`);
    const text = await r.text();
    if (r.status !== 200) throw new Error(`answered ${r.status}: ${text}`);
    return `${r.status} ${text.trim()}`;
  });
  await ctx.steps.step('orders through the gateway: finished, one notification each', async () => {
    const load = new OrderLoad(ORDERS, LOAD_PER_SECOND);
    load.start();
    await sleep(3000);
    await load.stop();
    ctx.accepted.push(...load.accepted);
    if (load.accepted.length === 0) throw new Error(load.summary());
    const done = await ctx.ledger.waitComplete(load.accepted, 120_000);
    const single = await orderThrough(scoped, 'Laptop', 1, 'CONFIRMED');
    return `${load.summary()}: ${describeCompletion(done)}; then ${single}`;
  });
  await downCheck(scoped, compose, true);
}

function replicaSummary(rows: { topic: string; replicas: string; isr: string }[]): {
  minReplicas: number;
  minIsr: number;
} {
  const names: string[] = Object.values(TOPICS);
  const app = rows.filter((r) => names.includes(r.topic));
  if (app.length === 0) return { minReplicas: 0, minIsr: 0 };
  const count = (s: string) => s.split(',').filter(Boolean).length;
  return {
    minReplicas: Math.min(...app.map((r) => count(r.replicas))),
    minIsr: Math.min(...app.map((r) => count(r.isr))),
  };
}

/** docs + README: three brokers; one is killed under load and started again; nothing is lost. */
export async function clusterDemo(ctx: DemoContext): Promise<void> {
  const compose = ctx.compose.with(['docker-compose.yml', 'docker-compose.cluster.yml']);
  const scoped = { ...ctx, compose };
  try {
    await clusterSteps(ctx, scoped);
  } finally {
    await compose.run(['down', '-v'], { allowFail: true, timeoutMs: 300_000 });
  }
}

async function clusterSteps(ctx: DemoContext, scoped: DemoContext): Promise<void> {
  const { compose } = scoped;
  // As the docs say: the single-node volume holds a one-voter quorum, so start on fresh volumes.
  await downCheck(ctx, ctx.compose, true);
  await up(scoped, compose, ['up', '-d', '--build']);
  await ctx.steps.step(`KAFKA_BROKERS=${CLUSTER_KAFKA} npm run cli -- topics`, async () => {
    const { minReplicas, minIsr } = await waitFor('RF 3, ISR 3', 60_000, async () => {
      const s = replicaSummary(await topics(CLUSTER_KAFKA).catch(() => []));
      return s.minReplicas === 3 && s.minIsr === 3 ? s : undefined;
    });
    return `${Object.values(TOPICS).join(' and ')}: ${minReplicas} replicas, ${minIsr} in sync on every partition`;
  });
  const load = new OrderLoad(ORDERS, LOAD_PER_SECOND);
  load.start();
  let duringOutage: string[] = [];
  try {
    await ctx.steps.step(`${compose.display(['kill', 'kafka-2'])} (under load)`, async () => {
      await sleep(5000);
      await compose.run(['kill', 'kafka-2']);
      const mark = load.accepted.length;
      const isr = await waitFor('ISR down to 2', 90_000, async () => {
        const s = replicaSummary(await topics(CLUSTER_KAFKA).catch(() => []));
        return s.minIsr === 2 ? s.minIsr : undefined;
      });
      await sleep(15_000);
      duringOutage = load.accepted.slice(mark);
      if (duringOutage.length === 0)
        throw new Error(`no order accepted with kafka-2 down (${load.summary()})`);
      const done = await ctx.ledger.waitComplete(duringOutage, 120_000);
      return `ISR ${isr}; ${duringOutage.length} orders accepted meanwhile, all done (${describeCompletion(done)}) with kafka-2 down`;
    });
    await ctx.steps.step(compose.display(['start', 'kafka-2']), async () => {
      await compose.run(['start', 'kafka-2']);
      await compose.waitHealthy(420_000);
      await waitFor('ISR back to 3', 120_000, async () => {
        const s = replicaSummary(await topics(CLUSTER_KAFKA).catch(() => []));
        return s.minIsr === 3 ? true : undefined;
      });
      return 'back in sync: ISR 3 on every partition';
    });
  } finally {
    await load.stop();
  }
  ctx.accepted.push(...load.accepted);
  await ctx.steps.step(
    'every order accepted around the broker loss: finished, one notification each',
    async () => {
      const done = await ctx.ledger.waitComplete(load.accepted, 180_000);
      const checked = await exactlyOnce(ctx, CLUSTER_KAFKA);
      return `${load.summary()}: ${describeCompletion(done)}; ${checked}`;
    },
  );
  await downCheck(scoped, compose, true);
}
