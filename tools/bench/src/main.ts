/**
 * `npm run bench [-- options]`: the stack (own or running), the machine's bound, open-loop load at a
 * fixed rate and/or find-the-maximum, the exactly-once check, and the report. See options.ts.
 * Exit code: 0 when exactly-once held and no service's memory grew (timing and the other targets never
 * fail a run), 1 when an order was lost or duplicated or a service's RSS grew over a fixed-rate phase
 * of 10 minutes or more ('memory over 10 minutes' missed), 2 when the bench itself could not run.
 */
import { copyFile, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { BUNDLE_FILE, FULL_MAP_FILE, findService, repoRoot } from '@kafka-poc/local-stack';
import { BacklogSampler } from './backlog.ts';
import { measureBound } from './bound.ts';
import { renderCharts } from './charts.ts';
import { countOrdersSince, readRunFacts, readStock, waitForQuiescence } from './collect.ts';
import { bundleFrameResolver, type CpuProfile, readBundleMap, summarizeProfile } from './cpu-profile.ts';
import { checkExactlyOnce } from './exactly-once.ts';
import { type FindMaxPlan, judgeStep, maxSustained, nextRate } from './find-max.ts';
import type { RunningLoad } from './load-generator.ts';
import { gitState, machineInfo, waitForQuietMachine } from './machine.ts';
import { MetricsSampler } from './metrics-sampler.ts';
import { type BenchOptions, HELP, parseOptions } from './options.ts';
import { resetStatements, topStatements } from './pg-stats.ts';
import { type PhaseContext, type PhaseOutput, runPhase } from './phase.ts';
import { ProcSampler, summarizeResources } from './proc-sampler.ts';
import { compactJson, mainFixedPhase, renderReport } from './report.ts';
import type { BenchResult, PhaseResult } from './result.ts';
import { attachStack, type Stack, startOwnStack } from './stack.ts';
import { evaluateTargets, failingTargets, runExitCode } from './targets.ts';

function log(message: string): void {
  const time = new Date().toISOString().slice(11, 23);
  process.stderr.write(`${time} [bench] ${message}\n`);
}

function stamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (options.render) return rerender(options.render, options.setLatest);
  const origin = performance.now();
  const started = new Date();
  const resultsRoot = join(repoRoot(), 'bench', 'results');
  const outDir = options.out ?? join(resultsRoot, options.quick ? 'quick.tmp' : stamp(started));
  const args = process.argv.slice(2).map((a) => (/[\s()'"]/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a));
  const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  log(`results will go to ${relative(process.cwd(), outDir) || outDir}`);

  if (options.quietBelowPct !== undefined) {
    const quiet = await waitForQuietMachine({ belowPct: options.quietBelowPct, maxMs: 15 * 60_000, log });
    log(
      quiet.quiet
        ? `machine quiet enough after ${(quiet.waitedMs / 1000).toFixed(0)} s (${quiet.lastPct.toFixed(0)} % busy)`
        : `machine still busy after ${(quiet.waitedMs / 1000).toFixed(0)} s (${quiet.lastPct.toFixed(0)} %); going ahead`,
    );
  }
  const [machine, git] = await Promise.all([machineInfo(), gitState()]);
  log(
    `machine: ${machine.cores} × ${machine.cpuModel}; other processes use ${machine.busyBeforeStartPct} % of one core right now`,
  );

  const profileDir = options.profile ? join(tmpdir(), `kafka-poc-bench-profiles-${process.pid}`) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });

  let stack: Stack | undefined;
  let currentLoad: RunningLoad | undefined;
  let stopSamplers: () => Promise<void> = async () => {};
  let interrupted = false;
  const onSignal = (signal: string) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping the load and the stack (again to force)`);
    currentLoad?.abort();
    void (async () => {
      await stopSamplers().catch(() => undefined);
      await stack?.stop();
    })().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  try {
    stack = options.url
      ? await attachStack({
          url: options.url,
          ...(options.apiKey ? { apiKey: options.apiKey } : {}),
          ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
          ...(options.brokers ? { brokers: options.brokers } : {}),
          env: process.env,
          log,
        })
      : await startOwnStack({
          fsync: options.fsync,
          logLevel: options.logLevel,
          serviceEnv: options.serviceEnv,
          ...(profileDir ? { cpuProfileDir: profileDir } : {}),
          pgStatStatements: options.pgStats,
          kafkaProperties: options.kafkaProperties,
          kafkaJvmArgs: options.kafkaJvmArgs,
          env: process.env,
          console: options.console,
          log,
        });
  } catch (error) {
    log(`could not start the stack: ${(error as Error).stack ?? error}`);
    return 2;
  }
  const own = stack;
  log(`stack ready (${own.kind}); order-service at ${own.orderUrl}`);
  if (profileDir) await keepBundleMaps(own.services, profileDir);

  const procs = new ProcSampler(
    [
      ...own.services.map((s) => ({ name: s.name, pid: () => s.pid })),
      { name: 'kafka', pid: () => own.kafka?.nodes[0]?.pid },
      { name: 'postgres', pid: () => own.postgres?.pid, withChildren: true },
      // Kafka's perf tools and pgbench while the bound is measured (ours, so not "other processes").
      {
        name: 'perf tools',
        pid: () => process.pid,
        childrenExcept: () => [
          ...own.services.map((s) => s.pid),
          own.kafka?.nodes[0]?.pid,
          own.postgres?.pid,
        ],
      },
    ],
    origin,
  );
  procs.start();
  const backlog = new BacklogSampler(own, origin);
  const metrics = new MetricsSampler(
    own.services.map((s) => ({ name: s.name, url: s.url })),
    origin,
  );
  metrics.start();
  stopSamplers = async () => {
    procs.stop();
    await backlog.stop();
    await metrics.stop();
  };
  let exitCode = 2;
  try {
    await backlog.start();
    const result = await runBench({
      options,
      stack: own,
      procs,
      backlog,
      metrics,
      origin,
      log,
      setLoad: (l) => {
        currentLoad = l;
      },
    });
    procs.stop();
    await backlog.stop();
    await metrics.stop();

    let profiles: BenchResult['profiles'];
    if (profileDir) {
      log('stopping services to write their CPU profiles');
      await Promise.all(own.services.map((s) => s.stop()));
      profiles = await readProfiles(profileDir, result.measured, result.phases);
      const keep = `${outDir.replace(/\/$/, '')}.profiles.tmp`;
      await cp(profileDir, keep, { recursive: true }).catch(() => undefined);
      log(`raw profiles kept in ${relative(process.cwd(), keep)} (open in Chrome DevTools)`);
    }

    const { measured: _measured, ...measuredResult } = result;
    const full: BenchResult = {
      ...measuredResult,
      version: 1,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      command,
      label: options.label,
      git,
      machine,
      options: { ...options, apiKey: options.apiKey ? '(set)' : undefined },
      stack: own.settings,
      resources: { points: procs.points, summary: summarizeResources(procs.points).processes },
      backlog: backlog.samples,
      profiles,
      serviceExits: own.services.map((s) => s.unexpectedExit).filter((e): e is string => e !== undefined),
      targets: [],
    };
    full.targets = evaluateTargets(full);
    await writeResults(full, outDir, options.latest ? resultsRoot : undefined);
    printSummary(full, outDir);
    exitCode = runExitCode(full);
    if (exitCode !== 0) await own.keepLogs(`${outDir.replace(/\/$/, '')}.logs.tmp`);
    // After the report: a target that fails the run was missed (a service's memory grew).
    for (const t of failingTargets(full.targets)) log(`FAILED: ${t.failure ?? `${t.name}: ${t.measured}`}`);
  } catch (error) {
    log(interrupted ? 'interrupted' : `bench failed: ${(error as Error).stack ?? error}`);
    await own.keepLogs(`${outDir.replace(/\/$/, '')}.logs.tmp`).catch(() => undefined);
    exitCode = 2;
  } finally {
    procs.stop();
    await backlog.stop().catch(() => undefined);
    await metrics.stop();
    log('stopping the stack');
    await own.stop();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  }
  return exitCode;
}

/**
 * Idle time before the idle phase: start-up work is not what an idle stack costs. The broker
 * JIT-compiles for minutes after it starts: measured with `npm start` (same requests throughout),
 * its CPU was 0.045–0.055 cores 35–65 s after start, 0.033–0.036 in the third minute and 0.022–0.027
 * from the fourth on.
 */
const SETTLE_MS = 240_000;

/** The cost phases: each of --rates (0 = idle, measured first), --rate's for --duration in full mode. */
export function costPlan(options: BenchOptions): { rate: number; durationMs: number }[] {
  const rates = [...new Set(options.rates)].sort((a, b) => a - b);
  if (options.mode === 'full' && !rates.includes(options.rate)) rates.push(options.rate);
  return rates.map((rate) => ({
    rate,
    durationMs:
      options.mode === 'cost' || rate === options.rate ? options.durationMs : options.costDurationMs,
  }));
}

/** The statements of a phase that took the most time, for the report's table. */
function slowestStatements(phase: PhaseResult | undefined): BenchResult['statements'] {
  if (!phase?.statementCounts) return undefined;
  return [...phase.statementCounts]
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, 15)
    .map((s) => ({
      query: s.query,
      calls: s.calls,
      totalMs: Math.round(s.totalMs),
      meanMs: s.calls > 0 ? Math.round((s.totalMs / s.calls) * 1000) / 1000 : 0,
      rows: s.rows,
    }));
}

type RunOutput = Pick<BenchResult, 'bound' | 'phases' | 'findMax' | 'exactlyOnce' | 'statements' | 'ok'> & {
  /** Monotonic µs from the end of the warm-up to the end of the last phase (for CPU profiles). */
  measured: { fromUs: number; toUs: number };
};

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

async function runBench(args: {
  options: BenchOptions;
  stack: Stack;
  procs: ProcSampler;
  backlog: BacklogSampler;
  metrics: MetricsSampler;
  origin: number;
  log: (m: string) => void;
  setLoad: (load: RunningLoad | undefined) => void;
}): Promise<RunOutput> {
  const { options, stack, procs, backlog, metrics, origin } = args;
  const bound = options.bound
    ? await measureBound({
        stack,
        procs,
        origin,
        kafkaRecords: options.kafkaRecords,
        recordSize: options.recordSize,
        pgSeconds: options.pgSeconds,
        pgClients: options.pgClients,
        log,
      })
    : undefined;

  const ctx: PhaseContext = {
    stack,
    metrics,
    backlog,
    procs,
    origin,
    connections: options.connections,
    timeoutMs: options.timeoutMs,
    log,
    onLoad: args.setLoad,
  };
  const sinceEpochMs = Date.now() - 1000;
  const stockBefore = await readStock(stack.databaseUrl);
  const outputs: PhaseOutput[] = [];
  const phases: PhaseResult[] = [];
  let statements: BenchResult['statements'];

  const warmupRate = options.mode === 'find-max' ? options.findMax.start : options.rate;
  if (options.warmupMs > 0 && options.mode !== 'cost' && options.mode !== 'full') {
    const out = await runPhase(ctx, {
      name: 'warm-up',
      kind: 'warmup',
      rate: warmupRate,
      durationMs: options.warmupMs,
    });
    outputs.push(out);
    phases.push(out.result);
  }

  const fromUs = monotonicUs();
  if (options.mode === 'fixed') {
    if (stack.pgStatStatements) await resetStatements(stack.databaseUrl).catch(() => undefined);
    const out = await runPhase(ctx, {
      name: `fixed ${options.rate}/s`,
      kind: 'fixed',
      rate: options.rate,
      durationMs: options.durationMs,
    });
    out.result.verdict = judgeStep(stepMeasure(out.result));
    outputs.push(out);
    phases.push(out.result);
    if (stack.pgStatStatements) statements = await topStatements(stack.databaseUrl).catch(() => undefined);
  }

  if (options.mode === 'cost' || options.mode === 'full') {
    for (const { rate, durationMs } of costPlan(options)) {
      if (rate === 0) {
        // Start-up work (JIT, group joins, first purges) is over before the idle stack is measured.
        log(`idle: letting the stack settle for ${SETTLE_MS / 1000} s first`);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const out = await runPhase(ctx, { name: 'idle', kind: 'idle', rate: 0, durationMs });
        outputs.push(out);
        phases.push(out.result);
        continue;
      }
      if (options.warmupMs > 0) {
        const warm = await runPhase(ctx, {
          name: `warm-up ${rate}/s`,
          kind: 'warmup',
          rate,
          durationMs: options.warmupMs,
        });
        outputs.push(warm);
        phases.push(warm.result);
      }
      const out = await runPhase(ctx, {
        name: `fixed ${rate}/s`,
        kind: 'fixed',
        rate,
        durationMs,
        cost: true,
      });
      out.result.verdict = judgeStep(stepMeasure(out.result));
      outputs.push(out);
      phases.push(out.result);
    }
    statements = slowestStatements(mainFixedPhase(phases, options.rate));
  }

  let findMax: BenchResult['findMax'];
  if (options.mode === 'find-max' || options.mode === 'full') {
    const plan: FindMaxPlan = {
      start: options.findMax.start,
      step: options.findMax.step,
      max: options.findMax.max,
      refine: options.findMax.refine,
      granularity: 50,
    };
    const history: { rate: number; sustained: boolean; reasons: string[] }[] = [];
    for (let rate = nextRate(history, plan); rate !== undefined; rate = nextRate(history, plan)) {
      const out = await runPhase(ctx, {
        name: `step ${rate}/s`,
        kind: 'step',
        rate,
        durationMs: options.findMax.stepDurationMs,
      });
      const verdict = judgeStep(stepMeasure(out.result));
      out.result.verdict = verdict;
      outputs.push(out);
      phases.push(out.result);
      history.push({ rate, sustained: verdict.sustained, reasons: verdict.reasons });
      log(
        `step ${rate}/s: ${verdict.sustained ? 'sustained' : `not sustained (${verdict.reasons.join('; ')})`}`,
      );
    }
    findMax = {
      maxSustained: maxSustained(history),
      plan: { ...options.findMax },
      steps: history,
    };
    log(`find-max: highest sustained rate ${findMax.maxSustained ?? 'none'} orders/s`);
  }

  const toUs = monotonicUs();
  log('exactly-once check over every order of the run');
  if (!(await waitForQuiescence(stack.databaseUrl, sinceEpochMs)))
    log('orders still arriving or PENDING after 60 s');
  const accepted = outputs.flatMap((o) => o.acceptedIds);
  const facts = await readRunFacts({
    databaseUrl: stack.databaseUrl,
    ids: accepted,
    stockBefore,
    sinceEpochMs,
  });
  const check = checkExactlyOnce(accepted, facts);
  const storedSinceStart = await countOrdersSince(stack.databaseUrl, sinceEpochMs);
  const lag: string[] = [];
  for (const group of Object.values(stack.groups)) {
    try {
      for (const p of await stack.admin.groupLag(group.groupId, group.topics)) {
        if (p.lag > 0n) lag.push(`${group.groupId} ${p.topic}:${p.partition} lags ${p.lag}`);
      }
    } catch (error) {
      lag.push(`${group.groupId}: ${(error as Error).message}`);
    }
  }
  return {
    bound,
    phases,
    findMax,
    exactlyOnce: { ...check, accepted: accepted.length, storedSinceStart, kafkaLagAtEnd: lag },
    statements,
    ok: check.ok,
    measured: { fromUs, toUs },
  };
}

function stepMeasure(p: PhaseResult) {
  return {
    rate: p.rate,
    sent: Object.values(p.outcomes).reduce((a, b) => a + b, 0),
    accepted: p.outcomes['201'] ?? 0,
    httpP99Ms: p.latencyMs.http.p99,
    notifiedP99Ms: p.latencyMs.notified.count > 0 ? p.latencyMs.notified.p99 : undefined,
    backlogGrowthPerSec: p.backlog.growthPerSec,
    sendLagP99Ms: p.latencyMs.sendLag.p99,
    drained: p.drain.drained,
  };
}

function keptMapName(service: string): string {
  return `${service}.${FULL_MAP_FILE}`;
}

/**
 * Copies the full source map of each service's bundle (the one it started from a moment ago) beside
 * its profile: another build of the apps during the run (tests, another launcher) would replace the
 * map, and the profile's positions would then be read through another bundle's map.
 */
async function keepBundleMaps(services: readonly { name: string }[], dir: string): Promise<void> {
  for (const { name } of services) {
    const app = findService(name);
    if (!app) continue;
    const map = join(repoRoot(), app.dir, dirname(BUNDLE_FILE), FULL_MAP_FILE);
    await copyFile(map, join(dir, keptMapName(name))).catch((error: Error) =>
      log(`could not keep ${relative(process.cwd(), map)} for the CPU profiles: ${error.message}`),
    );
  }
}

async function readProfiles(
  dir: string,
  window: { fromUs: number; toUs: number },
  phases: PhaseResult[],
): Promise<BenchResult['profiles']> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const out: NonNullable<BenchResult['profiles']> = [];
  // Each measured fixed-rate or idle phase on its own as well (the cost per rate).
  const measured = phases.filter((p) => (p.kind === 'fixed' || p.kind === 'idle') && p.monotonicUs);
  for (const file of files.sort()) {
    try {
      const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
      const service = file.replace(/\.cpuprofile$/, '');
      // The service's frames are in its bundle: attribute them through the bundle's full map (read
      // once for this profile's summaries, let go after).
      const resolve = bundleFrameResolver(
        BUNDLE_FILE,
        readBundleMap(FULL_MAP_FILE, join(dir, keptMapName(service))),
      );
      out.push({ service, summary: summarizeProfile(profile, 15, window, resolve) });
      if (measured.length > 1) {
        for (const p of measured) {
          if (p.monotonicUs)
            out.push({
              service,
              phase: p.name,
              summary: summarizeProfile(profile, 10, p.monotonicUs, resolve),
            });
        }
      }
    } catch (error) {
      log(`could not read profile ${file}: ${(error as Error).message}`);
    }
  }
  return out;
}

async function writeResults(
  result: BenchResult,
  outDir: string,
  latestRoot: string | undefined,
): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const charts = await renderCharts(result);
  for (const c of charts) await writeFile(join(outDir, c.file), c.svg);
  await writeFile(join(outDir, 'result.json'), compactJson(result));
  await writeFile(join(outDir, 'report.md'), renderReport(result, charts));
  if (latestRoot) {
    const prefix = `${relative(latestRoot, outDir)}/`;
    await writeFile(join(latestRoot, 'latest.md'), renderReport(result, charts, prefix));
  }
}

/** Re-renders an earlier run (report.md, charts, and latest.md if it shows that run or setLatest) from its result.json. */
async function rerender(dir: string, setLatest: boolean): Promise<number> {
  const resultsRoot = join(repoRoot(), 'bench', 'results');
  const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as BenchResult;
  result.targets = evaluateTargets(result);
  await writeFile(join(dir, 'result.json'), compactJson(result));
  const charts = await renderCharts(result);
  for (const c of charts) await writeFile(join(dir, c.file), c.svg);
  await writeFile(join(dir, 'report.md'), renderReport(result, charts));
  const prefix = `${relative(resultsRoot, dir)}/`;
  const latest = await readFile(join(resultsRoot, 'latest.md'), 'utf8').catch(() => '');
  if (setLatest || latest.includes(`](${prefix}`))
    await writeFile(join(resultsRoot, 'latest.md'), renderReport(result, charts, prefix));
  log(`re-rendered ${relative(process.cwd(), dir)}`);
  return 0;
}

function printSummary(result: BenchResult, outDir: string): void {
  const lines = ['', `  Results: ${relative(process.cwd(), join(outDir, 'report.md'))}`];
  for (const p of result.phases.filter((x) => x.kind !== 'warmup')) {
    const l = p.latencyMs;
    lines.push(
      `  ${p.name.padEnd(16)} end-to-end ${p.throughput.endToEnd.toFixed(0).padStart(5)} orders/s | ` +
        `HTTP p50/p90/p99/p99.9/max ${[l.http.p50, l.http.p90, l.http.p99, l.http.p999, l.http.max].map((v) => v.toFixed(1)).join('/')} ms | ` +
        `201→notified ${[l.notified.p50, l.notified.p90, l.notified.p99, l.notified.p999, l.notified.max].map((v) => v.toFixed(1)).join('/')} ms` +
        (p.verdict && p.kind === 'step' ? ` | ${p.verdict.sustained ? 'sustained' : 'not sustained'}` : ''),
    );
  }
  if (result.findMax)
    lines.push(`  find-max: highest sustained ${result.findMax.maxSustained ?? 'none'} orders/s`);
  if (result.bound?.ordersPerSec.combined)
    lines.push(`  bound: ${result.bound.ordersPerSec.combined.toFixed(0)} orders/s`);
  for (const t of result.targets) {
    lines.push(
      `  target ${t.name}: ${t.measured} → ${t.met === undefined ? 'n/a' : t.met ? 'met' : t.failsRun ? 'MISSED (fails the run)' : 'MISSED'}`,
    );
  }
  const eo = result.exactlyOnce;
  lines.push(
    eo.ok
      ? `  exactly-once: OK (${eo.checkedOrders} orders)`
      : `  exactly-once: FAILED — lost ${eo.lost}, duplicated ${eo.duplicated}, inconsistent ${eo.inconsistent}\n    ${eo.problems.slice(0, 10).join('\n    ')}`,
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench crashed: ${(error as Error).stack ?? error}`);
    process.exit(2);
  },
);
