import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { commonEnvShape } from '@kafka-poc/config';
import { VIEWS } from '@kafka-poc/contracts';
import { repoRoot } from '@kafka-poc/local-stack';
import {
  type CheckerDbOptions,
  checkPipeline,
  describeViolation,
  type LoadResult,
  query,
  type RunningLoad,
  startLoad,
  waitUntilSettled,
} from '@kafka-poc/verification';
import { Nemesis } from './nemesis.ts';
import type { ChaosOptions } from './options.ts';
import { clock, ProgressReporter } from './progress.ts';
import { Random } from './random.ts';
import { type CampaignReport, faultFigures, seconds, violationFigures, writeReport } from './report.ts';
import { ChaosStack } from './stack.ts';
import { Supervisor } from './supervisor.ts';

export interface CampaignOutcome {
  report: CampaignReport;
  dir: string;
}

/**
 * One campaign: the stack, open-loop orders, the nemesis for `durationMs`, then every fault healed,
 * the load stopped, the pipeline left to settle, and the checker's verdict. Never throws for a
 * violation (that is in the report); throws when the campaign itself cannot run.
 */
export async function runCampaign(
  options: ChaosOptions,
  command: string,
  print: (line: string) => void,
  interrupted: AbortSignal,
): Promise<CampaignOutcome> {
  const startedAt = new Date();
  const dir =
    options.out ??
    join(
      repoRoot(),
      'test-results',
      'chaos',
      `${startedAt.toISOString().replace(/[:.]/g, '-')}-seed${options.seed}`,
    );
  let t0 = Date.now();
  const log = (message: string) => print(`[${clock(Date.now() - t0)}] ${message}`);
  print(
    `seed ${options.seed}  (replay: npm run chaos -- --seed ${options.seed} --duration ${options.durationMs / 1000}s)`,
  );
  const stack = await ChaosStack.start({
    seed: options.seed,
    logLevel: options.logLevel,
    brokerTiming: options.brokerTiming,
    log,
  });
  const info = stack.info();
  print(
    `stack in ${info.dir}: Kafka ${info.bootstrapServers}, Postgres ${info.databaseUrl}, toxiproxy ${info.toxiproxyApi}`,
  );
  for (const slot of info.slots)
    print(`  ${slot.id.padEnd(22)} ${slot.url}  kafka via ${slot.kafka}  pg via ${slot.postgres}`);
  let passed = false;
  try {
    await stack.startServices(log);
    const random = new Random(options.seed);
    const statementTimeoutMs = commonEnvShape.DB_STATEMENT_TIMEOUT_MS.parse(undefined);
    t0 = Date.now();
    const supervisor = new Supervisor(stack, t0, log);
    const nemesis = new Nemesis(
      { stack, random, log, statementTimeoutMs },
      { kinds: options.kinds, intervalMs: options.faultIntervalMs, maxActive: options.maxActive, t0 },
    );
    const load: RunningLoad = startLoad({
      rate: options.rate,
      durationMs: options.durationMs,
      targets: () => stack.orderUrls(),
      timeoutMs: options.requestTimeoutMs,
      keyPrefix: `chaos-${options.seed}`,
    });
    const progress = new ProgressReporter(
      {
        admin: stack.admin,
        databaseUrl: stack.databaseUrl,
        groups: stack.groups,
        load: () => load.progress(),
        activeFaults: () => nemesis.active.map((f) => `#${f.id} ${f.kind} ${f.target}`),
      },
      t0,
      print,
    );
    supervisor.start();
    progress.start(options.durationMs > 600_000 ? 10_000 : 5000);
    log(`faults for ${clock(options.durationMs)}, orders at ${options.rate}/s`);
    const stopped = new Promise<void>((resolve) => interrupted.addEventListener('abort', () => resolve()));
    await Promise.race([nemesis.run(options.durationMs), stopped]);
    const faultsMs = Date.now() - t0;

    log('heal everything');
    const healStart = Date.now();
    await nemesis.healActive();
    await nemesis.healEverything(log);
    const healMs = Date.now() - healStart;
    const result: LoadResult = await load.stop();
    log(`load stopped: ${result.sent} sent, ${result.accepted.length} answered 201`);

    // Postgres may still be starting (a pg-restart healed last): the checker's reads wait for it.
    const db = checkerDb(log);
    const settle = await waitUntilSettled(
      stack.databaseUrl,
      stack.admin,
      stack.groups,
      options.settleTimeoutMs,
      db,
    );
    log(
      settle.settled
        ? `settled in ${seconds(settle.ms)}`
        : `NOT settled within ${clock(settle.ms)}: ${settle.outstanding.join('; ')}`,
    );
    progress.stop();
    await progress.sample();
    supervisor.stop();

    log('checking (databases and topics only)');
    const checkStart = Date.now();
    const requestedKeys = new Map(
      result.samples.flatMap((s) =>
        s.key ? [[s.key, Number(s.key.slice(s.key.lastIndexOf('-') + 1))] as const] : [],
      ),
    );
    const check = await checkPipeline({
      databaseUrl: stack.databaseUrl,
      admin: stack.admin,
      topics: stack.topics,
      groups: stack.groups,
      initialStock: stack.initialStock,
      db,
      history: {
        accepted: result.accepted,
        requestedKeys,
        outcomes: new Map(
          result.samples.flatMap((s) => (s.key ? [[s.key, String(s.outcome)] as const] : [])),
        ),
      },
    });
    const checkMs = Date.now() - checkStart;
    const longestOutboxWaitMs = await longestOutboxWait(stack.databaseUrl, db);
    const faults = faultFigures(nemesis.history, options.kinds);
    const missingKinds = options.everyKind
      ? Object.entries(faults.perKind)
          .filter(([, n]) => n.injected === 0)
          .map(([kind]) => kind)
      : [];
    passed =
      check.violations.length === 0 &&
      supervisor.unexpectedExits.length === 0 &&
      settle.settled &&
      missingKinds.length === 0;
    const report: CampaignReport = {
      seed: options.seed,
      brokerTiming: options.brokerTiming,
      command,
      options: { ...options },
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverage: loadavg().map((n) => Number(n.toFixed(1))) },
      stack: info,
      phases: {
        faultsMs,
        healMs,
        settleMs: settle.ms,
        settled: settle.settled,
        outstanding: settle.settled ? [] : settle.outstanding,
        checkMs,
      },
      load: {
        rate: result.rate,
        durationMs: result.durationMs,
        sent: result.sent,
        accepted: result.accepted.length,
        outcomes: outcomeCounts(result),
        latencyMs: result.latencyMs,
      },
      faults,
      missingKinds,
      peaks: {
        lag: progress.maxLag,
        unsentOutboxRows: progress.maxUnsent,
        longestOutboxWaitMs,
        loopDelayMs: progress.maxLoopDelayMs,
      },
      unexpectedExits: supervisor.unexpectedExits,
      check: {
        violations: check.violations.length,
        ...violationFigures(check.violations),
        figures: check.figures,
      },
      passed,
    };
    await writeReport(dir, report);
    if (!passed || options.keep) await stack.keepLogs(join(dir, 'logs'));
    printSummary(report, dir, print);
    return { report, dir };
  } catch (error) {
    await stack.keepLogs(join(dir, 'logs')).catch(() => undefined);
    throw error;
  } finally {
    await stack.stop({ keep: options.keep });
  }
}

/**
 * The longest time an event waited in an outbox before Kafka acknowledged it (both services). Not an
 * invariant: an outage holds events by design. It shows a publisher held long after its fault.
 */
async function longestOutboxWait(databaseUrl: string, db: CheckerDbOptions): Promise<number | undefined> {
  const waits = (view: string) =>
    `SELECT max(sent_at - created_at) AS wait FROM ${view} WHERE sent_at IS NOT NULL`;
  const rows = await query<{ ms: string | null }>(
    databaseUrl,
    `SELECT (extract(epoch FROM greatest((${waits(VIEWS.orderOutbox)}), (${waits(VIEWS.inventoryOutbox)}))) * 1000)::bigint::text AS ms`,
    [],
    db,
  ).catch(() => undefined);
  const ms = rows?.[0]?.ms;
  return ms == null ? undefined : Number(ms);
}

/**
 * How the settle wait and the checker reach Postgres: through an outage they retry with backoff (up
 * to the checker's deadline), and say so in the log; a connection Postgres drops is logged, never
 * an uncaught 'error' that would end the campaign.
 */
function checkerDb(log: (message: string) => void): CheckerDbOptions {
  return {
    onRetry: ({ attempt, delayMs, error, target }) =>
      log(
        `checker: Postgres at ${target} unreachable (attempt ${attempt}: ${(error as Error).message.split('\n')[0]}); retrying in ${delayMs} ms`,
      ),
    onConnectionError: (error) =>
      log(`checker: connection to Postgres lost: ${error.message.split('\n')[0]}`),
  };
}

function outcomeCounts(result: LoadResult): Record<string, number> {
  return { '201': result.accepted.length, ...result.rejected };
}

function printSummary(r: CampaignReport, dir: string, print: (line: string) => void): void {
  print('');
  print('fault history:');
  for (const f of r.faults.history) {
    const end = f.healedAt === undefined ? '     ' : clock(f.healedAt);
    const seen = [f.note, f.error].filter(Boolean).join('; ');
    print(
      `  #${String(f.id).padStart(3)} ${clock(f.startedAt)}–${end} ${f.kind.padEnd(15)} ${f.target}: ${f.detail}${seen ? ` — ${seen}` : ''}`,
    );
  }
  print('');
  print(
    'faults per kind: ' +
      Object.entries(r.faults.perKind)
        .map(([k, n]) => `${k} ${n.injected}${n.failed ? ` (+${n.failed} failed)` : ''}`)
        .join(', '),
  );
  const f = r.check.figures;
  print(
    `orders: ${r.load.sent} sent, answers ${Object.entries(r.load.outcomes)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')}`,
  );
  print(
    `stored ${f.stored} (${f.storedWithoutAck} without a 201): ${f.confirmed} confirmed, ${f.rejected} rejected, ${f.expired} expired, ${f.cancelled} cancelled, ${f.pending} pending`,
  );
  print(
    `stored orders by what their client was told: ${Object.entries(f.storedByOutcome)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')}`,
  );
  print(
    `events: ${f.orderEventRecords} order-events (${f.orderEventCopies} copies), ${f.decisionEventRecords} inventory-events (${f.decisionEventCopies} copies), ${f.deadLetters} dead letters`,
  );
  print(
    `peaks: lag ${r.peaks.lag}, unsent outbox rows ${r.peaks.unsentOutboxRows}, longest outbox wait ${r.peaks.longestOutboxWaitMs === undefined ? '?' : seconds(r.peaks.longestOutboxWaitMs)}; heal ${seconds(r.phases.healMs)}, settle ${seconds(r.phases.settleMs)}${r.phases.settled ? '' : ' (NOT settled)'}`,
  );
  print(`report: ${join(dir, 'report.md')}`);
  print('');
  if (r.passed) {
    print(`PASSED: seed ${r.seed}, ${r.faults.injected} faults, every invariant holds.`);
    return;
  }
  print(`FAILED: seed ${r.seed}`);
  if (r.check.first)
    print(
      `first violated invariant: ${describeViolation(r.check.first)} (${r.check.violations} violation(s))`,
    );
  for (const e of r.unexpectedExits)
    print(`service exited by itself: ${e.slot} at ${clock(e.at)} (${e.signal ?? `code ${e.code}`})`);
  if (!r.phases.settled) print(`not settled: ${r.phases.outstanding.join('; ')}`);
  if (r.missingKinds.length > 0)
    print(`fault kinds never injected (--every-kind): ${r.missingKinds.join(', ')}`);
  print(`logs: ${join(dir, 'logs')}`);
}
