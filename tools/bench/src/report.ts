/** Renders a result as the markdown report (report.md, and bench/results/latest.md with a link prefix). */
import { runOrdersPerSec } from './bound-postgres.ts';
import type { Summary } from './histogram.ts';
import { callsByKind } from './pg-stats.ts';
import type { ProcPoint } from './proc-sampler.ts';
import type { BenchResult, PhaseResult } from './result.ts';

export interface ChartRef {
  file: string;
  title: string;
}

const f0 = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US');
const f1 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(1));
const pct = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(0)} %`;

function table(header: string[], rows: string[][]): string {
  const clean = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${header.map(clean).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(clean).join(' | ')} |`),
  ].join('\n');
}

function latencyRow(name: string, s: Summary): string[] {
  return [name, f0(s.count), f1(s.p50), f1(s.p90), f1(s.p99), f1(s.p999), f1(s.max)];
}

const LATENCY_HEADER = ['ms', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'];

function image(chart: ChartRef | undefined, prefix: string): string {
  return chart ? `![${chart.title}](${prefix}${chart.file})` : '';
}

/**
 * The fixed-rate phase the report and the latency target are about: the one at `rate` (--rate,
 * default 500/s), else the longest.
 */
export function mainFixedPhase(phases: PhaseResult[], rate = 500): PhaseResult | undefined {
  const fixed = phases.filter((p) => p.kind === 'fixed');
  return fixed.find((p) => p.rate === rate) ?? [...fixed].sort((a, b) => b.durationMs - a.durationMs)[0];
}

/** Seconds at the start of an idle phase left out of its RSS (what the previous phase left behind settling). */
export const IDLE_RSS_SKIP_S = 5;

/**
 * RSS max per process (MB) during a phase's load (idle: the whole phase after its first
 * IDLE_RSS_SKIP_S seconds), from the /proc points. Processes without a sample there are absent.
 */
export function phaseRssMax(points: ProcPoint[], p: PhaseResult): Record<string, number> {
  const from = p.startedAt + (p.kind === 'idle' ? IDLE_RSS_SKIP_S : 0);
  const out: Record<string, number> = {};
  for (const point of points) {
    if (point.t < from || point.t > p.loadEndedAt) continue;
    for (const [name, mb] of Object.entries(point.rssMb)) out[name] = Math.max(out[name] ?? 0, mb);
  }
  return out;
}

/** --rate of a result's options (500 when absent). */
export function mainRate(result: Pick<BenchResult, 'options'>): number {
  return Number(result.options.rate) || 500;
}

/** Sustained throughput the run demonstrated: the find-max result, else the fixed run's end-to-end rate. */
export function sustainedRate(result: BenchResult): number | undefined {
  if (result.findMax?.maxSustained !== undefined) {
    const step = result.phases.find((p) => p.kind === 'step' && p.rate === result.findMax?.maxSustained);
    return step?.throughput.endToEnd ?? result.findMax.maxSustained;
  }
  return mainFixedPhase(result.phases, mainRate(result))?.throughput.endToEnd;
}

function phaseSection(p: PhaseResult, charts: ChartRef[], prefix: string): string[] {
  const l = p.latencyMs;
  const out = [
    `## Fixed rate: ${p.rate} orders/s for ${p.durationMs / 1000} s`,
    '',
    table(
      ['throughput', 'orders/s'],
      [
        ['offered (scheduled)', f1(p.throughput.offered)],
        ['answered 201', f1(p.throughput.accepted)],
        ['end to end (notified, first arrival → last notification)', f1(p.throughput.endToEnd)],
      ],
    ),
    '',
    `Outcomes: ${Object.entries(p.outcomes)
      .map(([k, v]) => `${k} × ${v}`)
      .join(', ')}. Pipeline drained ${f1((p.drain.waitedMs ?? 0) / 1000)} s after the last request` +
      `${p.drain.drained ? '' : ` — **not drained: ${p.drain.reason}**`}. Backlog during the load: max ${f0(p.backlog.max)}, ` +
      `at the end ${f0(p.backlog.end)}, trend over the second half ${f1(p.backlog.growthPerSec)} orders/s.`,
    '',
    table(LATENCY_HEADER, [
      latencyRow('HTTP: intended send → 201', l.http),
      latencyRow('HTTP: sent → 201 (service time)', l.service),
      latencyRow('201 → CONFIRMED/REJECTED (orders.updated_at)', l.decided),
      latencyRow('201 → notification stored (notifications.created_at)', l.notified),
      latencyRow('201 → notification delivered (delivered_at)', l.delivered),
      latencyRow('orders.created_at → notifications.created_at (DB clock only)', l.db),
      latencyRow('load generator send lag (sent − intended)', l.sendLag),
    ]),
    '',
  ];
  if (p.stages?.length) {
    out.push(
      "Hop by hop (sent_at of order-service's outbox, created_at of the reservation, sent_at of inventory-service's outbox — each the start of the transaction that wrote it):",
      '',
      table(
        LATENCY_HEADER,
        p.stages.map((s) => latencyRow(s.name, s.latencyMs)),
      ),
      '',
    );
  }
  if (p.negative.decided + p.negative.notified > 0 || p.incomplete > 0) {
    out.push(
      `Clamped to 0: ${p.negative.decided} decided and ${p.negative.notified} notified values below zero ` +
        `(the client read its 201 after the next transaction had started). Incomplete after the drain: ${p.incomplete}.`,
      '',
    );
  }
  if (p.pg) {
    out.push(
      `Postgres during the phase (load + drain): ${f0(p.pg.commits)} commits = ${f1(p.pg.commitsPerOrder)} per order, ` +
        `${f0(p.pg.walBytes / 1024 / 1024)} MB WAL = ${f0(p.pg.walBytesPerOrder)} bytes per order.`,
      '',
    );
  }
  out.push(
    `Machine CPU during the load: ${f0(p.machineCpuMean)} % of one core on average, of which other processes (not this bench) ${f0(p.othersCpuMean)} %.`,
    '',
    ...cpuPerOrder(p),
    ...gaugeTable(p),
    ...tableStats(p),
    image(
      charts.find((c) => c.file === 'latency-over-time.svg'),
      prefix,
    ),
    '',
    image(
      charts.find((c) => c.file === 'latency-distribution.svg'),
      prefix,
    ),
    '',
  );
  return out;
}

/** Churn and dead rows per table after the phase: bloat shows up as dead rows and scans of them. */
function tableStats(p: PhaseResult): string[] {
  const rows = (p.tables ?? []).filter((t) => t.inserted + t.updated + t.deleted > 0);
  if (rows.length === 0) return [];
  return [
    table(
      [
        'table (pg_stat_user_tables, since start)',
        'live',
        'dead',
        'inserted',
        'updated (HOT)',
        'deleted',
        'seq scans',
        'index scans',
        'autovacuums',
      ],
      rows.map((t) => [
        t.table,
        f0(t.live),
        f0(t.dead),
        f0(t.inserted),
        `${f0(t.updated)} (${f0(t.hotUpdated)})`,
        f0(t.deleted),
        f0(t.seqScans),
        f0(t.indexScans),
        f0(t.autovacuums),
      ]),
    ),
    '',
  ];
}

/** DB pool and event loop gauges per service during the load (from /metrics every 2 s). */
function gaugeTable(p: PhaseResult): string[] {
  const rows = Object.entries(p.gauges ?? {}).filter(([, g]) => Object.keys(g).length > 0);
  if (rows.length === 0) return [];
  return [
    table(
      [
        'during the load (/metrics every 2 s)',
        'DB pool in use (mean)',
        'waiting for a connection (mean / max)',
        'event loop lag p99 max ms',
      ],
      rows.map(([name, g]) => [
        name,
        f1(g.poolInUseMean),
        `${f1(g.poolWaitingMean)} / ${f0(g.poolWaitingMax)}`,
        f1(g.eventLoopLagP99MaxMs),
      ]),
    ),
    '',
  ];
}

/** CPU per order per process, and the capacity it implies: robust to other load on the machine. */
function cpuPerOrder(p: PhaseResult): string[] {
  const entries = Object.entries(p.cpuMsPerOrder).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return [];
  const total = entries.reduce((sum, [, v]) => sum + v, 0);
  return [
    table(
      ['CPU per order (ms of one core, load + drain)', ...entries.map(([name]) => name), 'total'],
      [['', ...entries.map(([, v]) => v.toFixed(2)), total.toFixed(2)]],
    ),
    '',
    `If the pipeline had the machine to itself and scaled linearly, this CPU cost would allow about ` +
      `**${f0(p.cpuCapacityEstimate)} orders/s** (cores × 1000 / total) — an estimate that ignores locks, fsync waits and batching effects, but not other load.`,
    '',
  ];
}

export function renderReport(result: BenchResult, charts: ChartRef[], prefix = ''): string {
  const out: string[] = [];
  const chart = (file: string) =>
    image(
      charts.find((c) => c.file === file),
      prefix,
    );
  const eo = result.exactlyOnce;
  const sustained = sustainedRate(result);
  const bound = result.bound?.ordersPerSec.combined;
  const fixed = mainFixedPhase(result.phases, mainRate(result));
  // Targets whose miss fails the run (targets.ts' failingTargets; not imported: targets.ts imports this file).
  const failed = result.targets.filter((t) => t.failsRun === true && t.met === false);

  out.push(
    `# Benchmark ${result.startedAt.slice(0, 19).replace('T', ' ')} UTC${result.label ? ` — ${result.label}` : ''}`,
    '',
    eo.ok
      ? `**Exactly-once: OK** — ${f0(eo.checkedOrders)} orders answered 201, each stored, final, decided once and notified once; stock conserved.`
      : `**Exactly-once: FAILED** — ${eo.lost} lost, ${eo.duplicated} duplicated, ${eo.inconsistent} inconsistent (see below).`,
    '',
    ...failed.flatMap((t) => [`**Run FAILED: ${t.failure ?? `${t.name} — ${t.measured}`}.**`, '']),
    `Command: \`${result.command}\`  `,
    `Code: commit \`${result.git.commit}\`${result.git.dirtyFiles ? ` with ${result.git.dirtyFiles} modified tracked file(s) in the working tree${result.git.diffHash ? ` (diff ${result.git.diffHash})` : ''}` : ''}.  `,
    `Run: ${result.startedAt} → ${result.finishedAt}.`,
    '',
    '## Summary',
    '',
    table(
      ['', 'value'],
      [
        [
          'sustained end to end',
          sustained === undefined
            ? '–'
            : `${f0(sustained)} orders/s${result.findMax ? ` (find-max: highest sustained step ${f0(result.findMax.maxSustained)}/s)` : ' (fixed-rate run)'}`,
        ],
        [
          'machine bound (min of Kafka produce/consume, Postgres intake)',
          bound === undefined ? 'not measured' : `${f0(bound)} orders/s`,
        ],
        ['system as a fraction of the bound', bound && sustained ? pct(sustained / bound) : '–'],
        ...(fixed
          ? [
              [
                `at ${fixed.rate}/s: HTTP p50 / p99`,
                `${f1(fixed.latencyMs.http.p50)} / ${f1(fixed.latencyMs.http.p99)} ms`,
              ],
              [
                `at ${fixed.rate}/s: 201 → notified p50 / p99 / p99.9 / max`,
                `${f1(fixed.latencyMs.notified.p50)} / ${f1(fixed.latencyMs.notified.p99)} / ${f1(fixed.latencyMs.notified.p999)} / ${f1(fixed.latencyMs.notified.max)} ms`,
              ],
            ]
          : []),
        [
          'other processes on the machine (noise)',
          `${f0(result.machine.busyBeforeStartPct)} % of one core before the start; see per phase below`,
        ],
      ],
    ),
    '',
    '## Targets',
    '',
    'Reported, not asserted — except those marked "a miss fails the run" (a growing memory): missing one makes `npm run bench` exit 1.',
    '',
    table(
      ['target', 'goal', 'measured', 'met'],
      result.targets.map((t) => [
        t.name,
        t.target,
        t.measured,
        t.met === false
          ? `**no**${t.failsRun ? ' (fails the run)' : ''}`
          : `${t.met ? 'yes' : 'n/a'}${t.failsRun ? ' (a miss fails the run)' : ''}`,
      ]),
    ),
    '',
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${result.machine.cpuModel}, ${result.machine.cores} cores`],
        ['memory', `${result.machine.memoryGb} GB`],
        [
          'kernel / Node / Java',
          `${result.machine.kernel} / ${result.machine.node} / ${result.machine.java}`,
        ],
        ['load average at start', f1(result.machine.load1AtStart)],
        [
          'CPU used by other processes before start',
          `${f0(result.machine.busyBeforeStartPct)} % of one core`,
        ],
      ],
    ),
    '',
    'Everything runs on this one machine: broker, Postgres, the three services and the load generator.',
    '',
    '## System under test',
    '',
    table(
      ['', ''],
      Object.entries(result.stack).map(([k, v]) => [k, v]),
    ),
    '',
  );

  if (result.bound) {
    const b = result.bound;
    out.push("## The machine's bound (same run, before the load)", '');
    const rows: string[][] = [];
    if (b.kafka) {
      rows.push(
        [
          `Kafka ProducerPerformance (${f0(b.kafka.producer.records)} × ${b.kafka.recordSize} B, ${b.kafka.producerProps.join(' ')})`,
          `${f0(b.kafka.producer.recordsPerSec)} records/s (${f1(b.kafka.producer.mbPerSec)} MB/s)`,
          `${f0(b.ordersPerSec.kafkaProduce)} (2 records produced per order)`,
        ],
        [
          'Kafka ConsumerPerformance (same topic, fetch rate)',
          `${f0(b.kafka.consumer.fetchRecordsPerSec)} records/s (${f1(b.kafka.consumer.mbPerSec)} MB/s incl. join)`,
          `${f0(b.ordersPerSec.kafkaConsume)} (3 records consumed per order)`,
        ],
      );
    }
    for (const r of b.postgres?.runs ?? []) {
      rows.push(
        r.batch === undefined
          ? [
              `Postgres ${r.tool}, ${r.clients} clients, ${f1(r.seconds)} s: insert order + outbox row per tx`,
              `${f0(r.tps)} tx/s`,
              f0(r.tps),
            ]
          : [
              `Postgres ${r.tool}, ${r.clients} clients, ${f1(r.seconds)} s: intake statement, ${r.batch} order(s) each`,
              `${f0(r.tps)} statements/s`,
              f0(runOrdersPerSec(r)),
            ],
      );
    }
    out.push(table(['measurement', 'rate', 'orders/s it allows'], rows), '');
    out.push(
      `Bound = ${f0(b.ordersPerSec.combined)} orders/s (the smallest). Each number is the resource alone on the whole ` +
        "machine; the pipeline needs all of them at once plus the services' CPU, so it is an upper bound. " +
        `Other processes used ${f0(b.othersCpuMean)} % of one core on average meanwhile.`,
      '',
    );
    if (b.kafka) out.push('Commands:', '', ...b.kafka.commands.map((c) => `    ${c}`), '');
    if (b.postgres) out.push('Statements:', '', ...b.postgres.statements.map((s) => `    ${s}`), '');
    if (b.errors.length) out.push(`Errors: ${b.errors.join('; ')}`, '');
  }

  out.push(...costSection(result));
  if (fixed) out.push(...phaseSection(fixed, charts, prefix));

  if (result.findMax) {
    const steps = result.phases.filter((p) => p.kind === 'step');
    const plan = result.findMax.plan;
    out.push(
      '## Find the maximum',
      '',
      `Steps of ${plan.stepDurationMs / 1000} s from ${plan.start}/s by ${plan.step}/s (up to ${plan.max}/s), then ${plan.refine} bisection step(s); ` +
        'the pipeline drains between steps. A step is sustained when ≥ 99 % answer 201, HTTP p99 ≤ 1 s, ' +
        '201→notified p99 ≤ 5 s, the backlog grows by less than 5 % of the rate per second over the second half, ' +
        'the generator keeps its schedule (send lag p99 ≤ 200 ms) and the pipeline drains.',
      '',
      `**Highest sustained rate: ${result.findMax.maxSustained === undefined ? 'none' : `${result.findMax.maxSustained} orders/s`}.**`,
      '',
      table(
        [
          'offered/s',
          '201/s',
          'end to end/s',
          'HTTP p99 ms',
          '201→notified p50 / p99 ms',
          'backlog max / trend',
          'drain s',
          'CPU ms/order',
          'others CPU %',
          'verdict',
        ],
        steps.map((s) => [
          f0(s.rate),
          f0(s.throughput.accepted),
          f0(s.throughput.endToEnd),
          f1(s.latencyMs.http.p99),
          `${f1(s.latencyMs.notified.p50)} / ${f1(s.latencyMs.notified.p99)}`,
          `${f0(s.backlog.max)} / ${f1(s.backlog.growthPerSec)}/s`,
          f1((s.drain.waitedMs ?? 0) / 1000),
          Object.values(s.cpuMsPerOrder)
            .reduce((a, b) => a + b, 0)
            .toFixed(2),
          f0(s.othersCpuMean),
          s.verdict?.sustained ? 'sustained' : `not: ${s.verdict?.reasons.join('; ') ?? ''}`,
        ]),
      ),
      '',
      chart('find-max.svg'),
      '',
      chart('find-max-latency.svg'),
      '',
    );
  }

  out.push('## Over the whole run', '', chart('throughput.svg'), '');
  if (result.resources.points.length > 0) {
    out.push(
      '### CPU and memory per process',
      '',
      table(
        [
          'process',
          'CPU mean %',
          'CPU max %',
          'RSS first MB',
          'RSS last MB',
          'RSS max MB',
          'RSS trend MB/min',
        ],
        result.resources.summary.map((r) => [
          r.name,
          f0(r.cpuMean),
          f0(r.cpuMax),
          f0(r.rssFirst),
          f0(r.rssLast),
          f0(r.rssMax),
          f1(r.rssSlopeMbPerMin),
        ]),
      ),
      '',
      '(CPU in % of one core; postgres = postmaster + backends; RSS of postgres is the postmaster only.)',
      '',
      ...rssByPhase(result),
      chart('cpu.svg'),
      '',
      chart('memory.svg'),
      '',
    );
  }

  if (result.statements?.length) {
    const orders = fixed?.throughput ? fixed.latencyMs.http.count || 1 : 1;
    out.push(
      `## Statements by total time (pg_stat_statements, ${fixed ? 'fixed-rate phase' : 'whole run'})`,
      '',
      table(
        ['statement', 'calls', 'calls/order', 'total ms', 'mean ms', 'rows'],
        result.statements.map((s) => [
          `\`${s.query.slice(0, 140)}${s.query.length > 140 ? '…' : ''}\``,
          f0(s.calls),
          (s.calls / orders).toFixed(2),
          f0(s.totalMs),
          s.meanMs.toFixed(3),
          f0(s.rows),
        ]),
      ),
      '',
    );
  }

  if (result.profiles?.length) {
    const perPhase = result.profiles.filter((p) => p.phase !== undefined);
    out.push(
      '## CPU profiles (node --cpu-prof, measured phases only)',
      '',
      'Self time of natives and node internals is charged to the nearest caller from a package or our code ("by caller").',
      '',
    );
    for (const p of result.profiles.filter((x) => x.phase === undefined)) {
      out.push(
        `### ${p.service}: ${f0(p.summary.busyMs / 1000)} s busy of ${f0(p.summary.totalMs / 1000)} s`,
        '',
        table(
          ['by caller (self time)', 'ms', '% of busy'],
          p.summary.byCaller.map((e) => [e.name, f0(e.ms), f1(e.pct)]),
        ),
        '',
        table(
          ['function (inclusive)', 'ms', '% of busy'],
          p.summary.topInclusive.slice(0, 15).map((e) => [`\`${e.name}\``, f0(e.ms), f1(e.pct)]),
        ),
        '',
        ...profileByPhase(
          p.service,
          perPhase.filter((x) => x.service === p.service),
          result.phases,
        ),
      );
    }
  }

  out.push(
    '## Exactly-once check',
    '',
    `${eo.ok ? 'OK' : '**FAILED**'}: ${f0(eo.checkedOrders)} orders checked (${f0(eo.accepted)} answers 201; ${f0(eo.storedSinceStart)} orders stored since the start, ` +
      'the difference being requests that timed out on the client after the order committed). ' +
      `Lost ${eo.lost}, duplicated ${eo.duplicated}, inconsistent ${eo.inconsistent}.`,
    '',
  );
  if (eo.problems.length) out.push(...eo.problems.map((p) => `- ${p}`), '');
  if (eo.kafkaLagAtEnd.length) out.push(`Kafka lag left at the end: ${eo.kafkaLagAtEnd.join('; ')}`, '');
  if (result.serviceExits.length)
    out.push(`**Service exits during the run:** ${result.serviceExits.join('; ')}`, '');

  out.push(
    '## How it was measured',
    '',
    '- Open loop: request *i* is sent at start + *i*/rate by the wall clock whatever the answers; HTTP latency counts from that intended time, so waiting for a connection or a late timer counts too (no coordinated omission). Keep-alive connections: see options.',
    "- End-to-end times come from what the services stored: `orders.updated_at`, `notifications.created_at` and `delivered_at`, read in bulk after the pipeline drained, for every order (no per-order polling during the load). Postgres `now()` is the *start* of the writing transaction, so these are early by that transaction's duration; timestamps have millisecond precision; client and server share one clock.",
    "- The backlog is sampled once a second from outbox rows not yet sent and the consumer groups' Kafka lag.",
    '- CPU and RSS come from /proc once a second; "other processes" is machine CPU not used by the processes of this bench — noise from whatever else runs on the machine.',
    '- Percentiles come from HdrHistogram (hdr-histogram-js, 3 significant digits: ≤ 0.1 % relative error, never optimistic; max is exact).',
    '',
  );
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** Processes that are the load generator or the bench's own tools, not the system under test. */
const NOT_THE_STACK = new Set(['bench', 'perf tools']);

/** Fixed-rate and idle phases that measured their cost, by rate. */
export function costPhases(phases: PhaseResult[]): PhaseResult[] {
  return phases
    .filter((p) => (p.kind === 'fixed' || p.kind === 'idle') && p.cpuCores !== undefined)
    .sort((a, b) => a.rate - b.rate);
}

/** Cores of the stack (every process but the load generator and the bench's tools) during a phase. */
export function stackCores(p: PhaseResult): number {
  return Object.entries(p.cpuCores ?? {})
    .filter(([name]) => !NOT_THE_STACK.has(name))
    .reduce((sum, [, v]) => sum + v, 0);
}

/** CPU ms of the stack per order stored during a phase (load + drain). */
export function stackMsPerOrder(p: PhaseResult): number {
  return Object.entries(p.cpuMsPerOrder)
    .filter(([name]) => !NOT_THE_STACK.has(name))
    .reduce((sum, [, v]) => sum + v, 0);
}

function rateLabel(p: PhaseResult): string {
  return p.rate === 0 ? 'idle' : `${f0(p.rate)}/s`;
}

/** Per order, or per second for an idle phase. */
function perUnit(p: PhaseResult, count: number): string {
  const n = (v: number) => (v >= 100 ? f0(v) : v.toFixed(2));
  if (p.rate === 0) {
    const seconds = p.drainedAt - p.startedAt || p.durationMs / 1000;
    return `${n(count / seconds)}/s`;
  }
  const orders = p.ordersStored ?? 0;
  return orders > 0 ? n(count / orders) : '–';
}

/**
 * The cost at each rate: CPU per process (cores, ms per order), the broker's requests and the
 * services' statements per order by kind, and the latency there.
 */
function costSection(result: BenchResult): string[] {
  const phases = costPhases(result.phases);
  if (phases.length < 2 && !phases.some((p) => p.kafkaRequests || p.statementCounts)) return [];
  const out: string[] = [
    '## Cost per rate',
    '',
    'CPU from /proc once a second: cores = mean during the load (the whole phase when idle); ms per order = CPU over load + drain ÷ orders stored. ' +
      '"stack" is every process but the load generator ("bench") and the bench\'s own tools. ' +
      'During these phases the bench does not sample the backlog (no Kafka or Postgres queries of its own); when idle it does not scrape /metrics either.',
    '',
  ];
  const names = [...new Set(phases.flatMap((p) => Object.keys(p.cpuCores ?? {})))].filter(
    (n) => !NOT_THE_STACK.has(n),
  );
  const cell = (p: PhaseResult, name: string) => {
    const cores = p.cpuCores?.[name];
    if (cores === undefined) return '–';
    return p.rate === 0
      ? cores.toFixed(3)
      : `${cores.toFixed(2)} / ${(p.cpuMsPerOrder[name] ?? 0).toFixed(2)}`;
  };
  out.push(
    table(
      ['process: cores / ms per order', ...phases.map(rateLabel)],
      [
        ...names.map((name) => [name, ...phases.map((p) => cell(p, name))]),
        [
          '**stack**',
          ...phases.map((p) =>
            p.rate === 0
              ? `**${stackCores(p).toFixed(3)}**`
              : `**${stackCores(p).toFixed(2)} / ${stackMsPerOrder(p).toFixed(2)}**`,
          ),
        ],
        ['load generator (bench)', ...phases.map((p) => cell(p, 'bench'))],
        ['other processes on the machine (cores)', ...phases.map((p) => (p.othersCpuMean / 100).toFixed(2))],
        ['load average (1 min, max during the phase)', ...phases.map((p) => f1(loadMax(result, p)))],
      ],
    ),
    '',
  );
  const loaded = phases.filter((p) => p.rate > 0);
  if (loaded.length > 0) {
    out.push(
      table(
        ['latency ms', ...loaded.map(rateLabel)],
        [
          [
            'HTTP p50 / p99',
            ...loaded.map((p) => `${f1(p.latencyMs.http.p50)} / ${f1(p.latencyMs.http.p99)}`),
          ],
          [
            '201 → notified p50 / p99',
            ...loaded.map((p) => `${f1(p.latencyMs.notified.p50)} / ${f1(p.latencyMs.notified.p99)}`),
          ],
          ['end to end orders/s', ...loaded.map((p) => f0(p.throughput.endToEnd))],
        ],
      ),
      '',
    );
  }
  if (phases.some((p) => p.kafkaRequests)) {
    const kinds = totalsByKey(phases.map((p) => p.kafkaRequests ?? {}));
    out.push(
      'Kafka requests the broker served, by kind (its own counters: JMX `kafka.network:type=RequestMetrics,name=RequestsPerSec`), per order (idle: per second):',
      '',
      table(
        ['request', ...phases.map(rateLabel)],
        [
          ...kinds.map((kind) => [
            kind,
            ...phases.map((p) => (p.kafkaRequests ? perUnit(p, p.kafkaRequests[kind] ?? 0) : '–')),
          ]),
          [
            '**all**',
            ...phases.map((p) =>
              p.kafkaRequests
                ? `**${perUnit(
                    p,
                    Object.values(p.kafkaRequests).reduce((a, b) => a + b, 0),
                  )}**`
                : '–',
            ),
          ],
        ],
      ),
      '',
    );
  }
  if (phases.some((p) => p.statementCounts)) {
    const byKind = phases.map((p) => Object.fromEntries(callsByKind(p.statementCounts ?? [])));
    const kinds = totalsByKey(byKind);
    out.push(
      "Postgres statements the services ran, by kind (pg_stat_statements; the bench's sessions are not tracked), per order (idle: per second), and transactions (pg_stat_database, including a few of the bench's reads):",
      '',
      table(
        ['statement', ...phases.map(rateLabel)],
        [
          ...kinds.map((kind) => [
            `\`${kind}\``,
            ...phases.map((p, i) => (p.statementCounts ? perUnit(p, byKind[i]?.[kind] ?? 0) : '–')),
          ]),
          [
            '**all statements**',
            ...phases.map((p, i) =>
              p.statementCounts
                ? `**${perUnit(
                    p,
                    Object.values(byKind[i] ?? {}).reduce((a, b) => a + b, 0),
                  )}**`
                : '–',
            ),
          ],
          ['transactions committed', ...phases.map((p) => (p.pg ? perUnit(p, p.pg.commits) : '–'))],
          ['WAL bytes', ...phases.map((p) => (p.pg ? perUnit(p, p.pg.walBytes) : '–'))],
        ],
      ),
      '',
    );
  }
  return out;
}

/**
 * RSS max per process and idle or fixed-rate phase: the idle column is what the stack holds doing
 * nothing (after the phase's first IDLE_RSS_SKIP_S seconds), the others during each rate's load.
 */
function rssByPhase(result: BenchResult): string[] {
  const phases = result.phases.filter((p) => p.kind === 'idle' || p.kind === 'fixed');
  if (phases.length === 0) return [];
  const maxima = phases.map((p) => phaseRssMax(result.resources.points, p));
  const names = [...new Set(maxima.flatMap((m) => Object.keys(m)))];
  if (names.length === 0) return [];
  return [
    table(
      [
        `RSS max MB (idle: after its first ${IDLE_RSS_SKIP_S} s; else during the load)`,
        ...phases.map((p) => `${rateLabel(p)}${p.kind === 'fixed' ? ` (${f0(p.durationMs / 1000)} s)` : ''}`),
      ],
      names.map((name) => [name, ...maxima.map((m) => f0(m[name]))]),
    ),
    '',
  ];
}

/** Keys of several count maps, largest total first. */
function totalsByKey(maps: Record<string, number>[]): string[] {
  const totals = new Map<string, number>();
  for (const m of maps) for (const [k, v] of Object.entries(m)) totals.set(k, (totals.get(k) ?? 0) + v);
  return [...totals].sort((a, b) => b[1] - a[1]).map(([k]) => k);
}

function loadMax(result: BenchResult, p: PhaseResult): number {
  const points = result.resources.points.filter((x) => x.t >= p.startedAt && x.t <= p.drainedAt);
  return Math.max(0, ...points.map((x) => x.load1));
}

/** A service's profile by phase: self time by caller in ms per order (idle: ms per second). */
function profileByPhase(
  service: string,
  entries: NonNullable<BenchResult['profiles']>,
  phases: PhaseResult[],
): string[] {
  if (entries.length === 0) return [];
  const columns = entries
    .map((e) => ({ entry: e, phase: phases.find((p) => p.name === e.phase) }))
    .filter((c): c is { entry: (typeof entries)[number]; phase: PhaseResult } => c.phase !== undefined)
    .sort((a, b) => a.phase.rate - b.phase.rate);
  const callers = totalsByKey(
    columns.map((c) => Object.fromEntries(c.entry.summary.byCaller.map((x) => [x.name, x.ms]))),
  ).slice(0, 12);
  const value = (c: (typeof columns)[number], ms: number) => {
    if (c.phase.rate === 0) {
      const seconds = c.entry.summary.totalMs / 1000 || 1;
      return (ms / seconds).toFixed(2);
    }
    const orders = c.phase.ordersStored ?? 0;
    return orders > 0 ? (ms / orders).toFixed(3) : '–';
  };
  return [
    `${service} by phase: self time by caller, ms per order (idle: ms per second):`,
    '',
    table(
      ['caller', ...columns.map((c) => rateLabel(c.phase))],
      [
        ...callers.map((name) => [
          name,
          ...columns.map((c) => value(c, c.entry.summary.byCaller.find((x) => x.name === name)?.ms ?? 0)),
        ]),
        ['**busy**', ...columns.map((c) => `**${value(c, c.entry.summary.busyMs)}**`)],
      ],
    ),
    '',
  ];
}

/** Indented JSON with arrays of plain values on one line (the per-second series stay readable and short). */
export function compactJson(value: unknown): string {
  const text = JSON.stringify(value, null, 1);
  return `${text.replace(/\[\s*([^[\]{}]*?)\s*\]/g, (_, inner: string) => `[${inner.replace(/\s*\n\s*/g, ' ')}]`)}\n`;
}
