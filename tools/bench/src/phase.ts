/**
 * One load phase: open-loop load at a fixed rate with a progress line, then wait for the pipeline to
 * finish every order of the phase, then read their timestamps and compute the latencies.
 */
import { type BacklogSampler, pipelineBacklog } from './backlog.ts';
import { countOrdersSince, readRunFacts, readStageTimes, readTableStats, waitForDrain } from './collect.ts';
import type { Histogram } from './histogram.ts';
import { type RequestCounts, readRequestCounts, requestDelta } from './kafka-requests.ts';
import { phaseLatencies, phaseThroughput, stageLatencies } from './latency.ts';
import { type LoadSamples, outcomeLabel, type RunningLoad, startLoad } from './load-generator.ts';
import { gaugeStats, type MetricsSampler } from './metrics-sampler.ts';
import {
  type PgSnapshot,
  pgDelta,
  pgSnapshot,
  resetStatements,
  type StatementCount,
  statementCounts,
} from './pg-stats.ts';
import { cpuMsPerUnit, type ProcSampler, slope, summarizeResources } from './proc-sampler.ts';
import type { PhaseResult } from './result.ts';
import type { Stack } from './stack.ts';

export interface PhaseContext {
  stack: Stack;
  metrics: MetricsSampler;
  backlog: BacklogSampler;
  procs: ProcSampler;
  /** performance.now() at the bench's start. */
  origin: number;
  connections: number;
  timeoutMs: number;
  log: (message: string) => void;
  /** Set while a load runs, so a signal handler can stop it. */
  onLoad: (load: RunningLoad | undefined) => void;
}

/**
 * What a phase measures besides latency: the broker's request counters and the services'
 * statements (reset at the start). The backlog sampler (Kafka admin requests, a Postgres query a
 * second) is paused during such a phase so it does not count as the pipeline's work; /metrics
 * scrapes stop too when the phase is idle.
 */
interface CostProbe {
  requestsBefore: RequestCounts | undefined;
}

export interface PhaseOutput {
  result: PhaseResult;
  acceptedIds: string[];
  samples: LoadSamples;
}

let requestsSoFar = 0;

export async function runPhase(
  ctx: PhaseContext,
  phase: { name: string; kind: PhaseResult['kind']; rate: number; durationMs: number; cost?: boolean },
): Promise<PhaseOutput> {
  const seconds = () => (performance.now() - ctx.origin) / 1000;
  const idle = phase.rate === 0;
  const cost = phase.cost ?? idle;
  if (cost) {
    ctx.backlog.pause();
    if (idle) ctx.metrics.pause();
  }
  try {
    return await measurePhase(ctx, { ...phase, cost }, seconds, idle);
  } finally {
    ctx.backlog.resume();
    ctx.metrics.resume();
  }
}

async function measurePhase(
  ctx: PhaseContext,
  phase: { name: string; kind: PhaseResult['kind']; rate: number; durationMs: number; cost: boolean },
  seconds: () => number,
  idle: boolean,
): Promise<PhaseOutput> {
  let pgBefore: PgSnapshot | undefined;
  try {
    pgBefore = await pgSnapshot(ctx.stack.databaseUrl);
  } catch {
    pgBefore = undefined;
  }
  const probe: CostProbe = { requestsBefore: undefined };
  if (phase.cost) {
    probe.requestsBefore = await readRequests(ctx);
    if (ctx.stack.pgStatStatements) await resetStatements(ctx.stack.databaseUrl).catch(() => undefined);
  }
  const startedAt = seconds();
  const fromUs = monotonicUs();
  let samples: LoadSamples;
  if (idle) {
    ctx.log(`${phase.name}: no load for ${phase.durationMs / 1000} s`);
    samples = await idleFor(ctx, phase);
  } else {
    samples = await loadFor(ctx, phase);
  }
  requestsSoFar += samples.intended.length;
  const loadEndedAt = seconds();
  const acceptedIds = samples.ids.filter((id): id is string => id !== undefined);
  if (!idle)
    ctx.log(
      `${phase.name}: load done (${acceptedIds.length}/${samples.intended.length} answered 201); draining`,
    );
  const drain = idle
    ? { drained: true, waitedMs: 0 }
    : await waitForDrain({
        databaseUrl: ctx.stack.databaseUrl,
        // Orders of this phase were created after its start; the previous phase had drained before it.
        sinceEpochMs: samples.epochStart - 2,
        expected: acceptedIds.length,
        timeoutMs: Math.max(120_000, phase.durationMs * 2),
        onProgress: (pending, notified) =>
          ctx.log(
            `${phase.name}: draining, ${pending} pending${notified >= 0 ? `, ${notified} notified` : ''}`,
          ),
      });
  const drainedAt = seconds();
  const toUs = monotonicUs();
  const costs = phase.cost ? await readCosts(ctx, probe) : {};
  if (!idle)
    ctx.log(
      drain.drained
        ? `${phase.name}: drained ${(drain.waitedMs / 1000).toFixed(1)} s after the load`
        : `${phase.name}: NOT drained: ${drain.reason}`,
    );
  // Per order stored (requests that timed out on our side may still have committed).
  const stored = idle ? 0 : await countOrdersSince(ctx.stack.databaseUrl, samples.epochStart - 2);
  const cpuMsPerOrder = cpuMsPerUnit(ctx.procs.points, startedAt, drainedAt, stored);
  const cpuTotal = Object.values(cpuMsPerOrder).reduce((a, b) => a + b, 0);
  let pg: PhaseResult['pg'];
  if (pgBefore) {
    try {
      const delta = pgDelta(pgBefore, await pgSnapshot(ctx.stack.databaseUrl));
      const orders = Math.max(1, stored);
      pg = { ...delta, commitsPerOrder: delta.commits / orders, walBytesPerOrder: delta.walBytes / orders };
    } catch {
      pg = undefined;
    }
  }

  const facts = await readRunFacts({
    databaseUrl: ctx.stack.databaseUrl,
    ids: acceptedIds,
    stockBefore: new Map(),
    sinceEpochMs: samples.epochStart,
  });
  const latencies = phaseLatencies(
    samples,
    new Map(facts.orders.map((o) => [o.id, o])),
    new Map(facts.notifications.map((n) => [n.orderId, n])),
    outcomeLabel,
  );
  const throughput = phaseThroughput(latencies, samples, phase.durationMs);
  let stages: PhaseResult['stages'];
  let tables: PhaseResult['tables'];
  if (phase.kind === 'fixed' && !idle) {
    try {
      const times = await readStageTimes(ctx.stack.databaseUrl, samples.epochStart - 2);
      stages = stageLatencies(
        facts.orders,
        new Map(facts.notifications.map((n) => [n.orderId, n])),
        times,
      ).map((h) => ({ name: h.name, latencyMs: h.histogram.summary(1000) }));
      tables = await readTableStats(ctx.stack.databaseUrl);
    } catch (error) {
      ctx.log(`${phase.name}: stage timestamps unavailable: ${(error as Error).message}`);
    }
  }

  // Backlog trend over the second half of the load (the first half includes the ramp to steady state).
  const half = startedAt + (loadEndedAt - startedAt) / 2;
  const window = ctx.backlog.samples.filter((b) => b.t >= half && b.t <= loadEndedAt);
  const during = ctx.backlog.samples.filter((b) => b.t >= startedAt && b.t <= loadEndedAt);
  const resources = summarizeResources(ctx.procs.points, startedAt, loadEndedAt);
  const toMs = (h: Histogram) => h.summary(1000);
  const result: PhaseResult = {
    name: phase.name,
    kind: phase.kind,
    rate: phase.rate,
    durationMs: phase.durationMs,
    startedAt: round(startedAt),
    loadEndedAt: round(loadEndedAt),
    drainedAt: round(drainedAt),
    throughput,
    outcomes: latencies.outcomes,
    latencyMs: {
      http: toMs(latencies.http),
      service: toMs(latencies.service),
      sendLag: toMs(latencies.sendLag),
      decided: toMs(latencies.decided),
      notified: toMs(latencies.notified),
      delivered: toMs(latencies.delivered),
      db: toMs(latencies.db),
    },
    distributions: {
      http: latencies.http.distribution(1000),
      decided: latencies.decided.distribution(1000),
      notified: latencies.notified.distribution(1000),
    },
    negative: latencies.negative,
    incomplete: latencies.incomplete,
    ...(stages ? { stages } : {}),
    ...(tables ? { tables } : {}),
    perSecond: latencies.perSecond,
    backlog: {
      max: Math.max(0, ...during.map(pipelineBacklog)),
      end: during.length ? pipelineBacklog(during.at(-1) as (typeof during)[number]) : 0,
      growthPerSec: round(slope(window.map((b) => [b.t, pipelineBacklog(b)] as [number, number]))),
    },
    drain,
    ...(pg ? { pg } : {}),
    resources: resources.processes,
    gauges: Object.fromEntries(
      ctx.stack.services.map((service) => {
        const g = (key: 'poolInUse' | 'poolWaiting' | 'eventLoopLagP99') =>
          gaugeStats(ctx.metrics.points, service.name, key, startedAt, loadEndedAt);
        const inUse = g('poolInUse');
        const waiting = g('poolWaiting');
        const lag = g('eventLoopLagP99');
        return [
          service.name,
          {
            ...(inUse ? { poolInUseMean: round(inUse.mean) } : {}),
            ...(waiting ? { poolWaitingMean: round(waiting.mean), poolWaitingMax: waiting.max } : {}),
            ...(lag ? { eventLoopLagP99MaxMs: round(lag.max * 1000) } : {}),
          },
        ];
      }),
    ),
    ordersStored: stored,
    cpuCores: Object.fromEntries(resources.processes.map((r) => [r.name, round3(r.cpuMean / 100)])),
    cpuMsPerOrder,
    ...costs,
    monotonicUs: { fromUs, toUs },
    cpuCapacityEstimate: cpuTotal > 0 ? Math.round((ctx.procs.cores * 1000) / cpuTotal) : undefined,
    machineCpuMean: resources.machineCpuMean,
    othersCpuMean: resources.othersCpuMean,
  };
  const l = result.latencyMs;
  if (idle) {
    const cores = Object.values(result.cpuCores ?? {}).reduce((a, b) => a + b, 0);
    ctx.log(`${phase.name}: the stack used ${cores.toFixed(3)} cores (bench included)`);
    return { result, acceptedIds, samples };
  }
  ctx.log(
    `${phase.name}: http p50/p99 ${l.http.p50.toFixed(1)}/${l.http.p99.toFixed(1)} ms, ` +
      `accepted→notified p50/p99 ${l.notified.p50.toFixed(1)}/${l.notified.p99.toFixed(1)} ms, ` +
      `end-to-end ${throughput.endToEnd.toFixed(0)} orders/s`,
  );
  return { result, acceptedIds, samples };
}

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

async function readRequests(ctx: PhaseContext): Promise<RequestCounts | undefined> {
  const jmx = ctx.stack.kafkaJmx;
  if (!jmx) return undefined;
  try {
    return await readRequestCounts({ java: jmx.java, libsDir: jmx.libsDir, jmxPort: jmx.port });
  } catch (error) {
    ctx.log(`broker request counters unavailable: ${(error as Error).message}`);
    return undefined;
  }
}

/** The broker's requests and the services' statements since the phase started. */
async function readCosts(
  ctx: PhaseContext,
  probe: CostProbe,
): Promise<{ kafkaRequests?: RequestCounts; statementCounts?: StatementCount[] }> {
  const out: { kafkaRequests?: RequestCounts; statementCounts?: StatementCount[] } = {};
  if (ctx.stack.pgStatStatements) {
    try {
      out.statementCounts = await statementCounts(ctx.stack.databaseUrl);
    } catch (error) {
      ctx.log(`pg_stat_statements unavailable: ${(error as Error).message}`);
    }
  }
  const after = probe.requestsBefore ? await readRequests(ctx) : undefined;
  if (probe.requestsBefore && after) out.kafkaRequests = requestDelta(probe.requestsBefore, after);
  return out;
}

/** The open-loop load of a phase, with a progress line every 2 s. */
async function loadFor(
  ctx: PhaseContext,
  phase: { name: string; rate: number; durationMs: number; cost: boolean },
): Promise<LoadSamples> {
  ctx.log(`${phase.name}: ${phase.rate} orders/s for ${phase.durationMs / 1000} s`);
  const load = startLoad({
    target: ctx.stack.orderUrl,
    rate: phase.rate,
    durationMs: phase.durationMs,
    connections: ctx.connections,
    timeoutMs: ctx.timeoutMs,
    firstIndex: requestsSoFar,
    ...(ctx.stack.apiKey ? { apiKey: ctx.stack.apiKey } : {}),
  });
  ctx.onLoad(load);
  let lastSent = 0;
  let lastAccepted = 0;
  let lastAt = performance.now();
  const progress = setInterval(() => {
    const s = load.stats();
    const now = performance.now();
    const dt = (now - lastAt) / 1000;
    const window = load.takeWindow();
    const b = phase.cost ? undefined : ctx.backlog.latest();
    const p = ctx.procs.latest();
    const backlogText = b
      ? `backlog ${pipelineBacklog(b)} [outbox ${b.orderOutbox}/${b.inventoryOutbox} lag ${b.inventoryLag}/${b.orderLag}/${b.notificationLag}]`
      : phase.cost
        ? 'backlog not sampled'
        : 'backlog ?';
    const cpuText = p ? `cpu ${p.machineCpu.toFixed(0)}% (others ${p.othersCpu.toFixed(0)}%)` : '';
    ctx.log(
      `${phase.name} ${(s.elapsedMs / 1000).toFixed(0).padStart(3)}s/${phase.durationMs / 1000}s  ` +
        `sent ${((s.sent - lastSent) / dt).toFixed(0)}/s  201 ${((s.accepted - lastAccepted) / dt).toFixed(0)}/s  ` +
        `err ${s.failed}  in-flight ${s.inFlight}  http p99 ${ms(window.percentile(99))} (so far ${ms(s.sofar.percentile(99))})  ` +
        `${backlogText}  ${cpuText}`,
    );
    lastSent = s.sent;
    lastAccepted = s.accepted;
    lastAt = now;
  }, 2000);
  try {
    return await load.done;
  } finally {
    clearInterval(progress);
    ctx.onLoad(undefined);
  }
}

/** An idle phase: nothing is sent; a progress line every 5 s with the stack's CPU. */
async function idleFor(ctx: PhaseContext, phase: { name: string; durationMs: number }): Promise<LoadSamples> {
  const epochStart = performance.timeOrigin + performance.now();
  const started = performance.now();
  while (performance.now() - started < phase.durationMs) {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(5000, phase.durationMs - (performance.now() - started))),
    );
    const p = ctx.procs.latest();
    if (p)
      ctx.log(
        `${phase.name} ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s/${phase.durationMs / 1000}s  ` +
          `cpu ${p.machineCpu.toFixed(0)}% (others ${p.othersCpu.toFixed(0)}%)`,
      );
  }
  return {
    epochStart,
    intended: new Float64Array(0),
    sent: new Float64Array(0),
    done: new Float64Array(0),
    outcome: new Int16Array(0),
    ids: [],
  };
}

function ms(us: number): string {
  return `${(us / 1000).toFixed(1)} ms`;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
