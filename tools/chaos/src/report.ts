import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckFigures, Violation } from '@kafka-poc/verification';
import { INVARIANTS } from '@kafka-poc/verification';
import type { FaultKind } from './faults/index.ts';
import type { FaultRecord } from './nemesis.ts';
import { clock } from './progress.ts';
import type { StackInfo } from './stack.ts';
import type { UnexpectedExit } from './supervisor.ts';

export interface CampaignReport {
  seed: number;
  /** The brokers' failure detection: the local stack's fast one, or Kafka's own defaults. */
  brokerTiming: 'fast' | 'stock';
  command: string;
  options: Record<string, unknown>;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; loadAverage: number[] };
  stack: StackInfo;
  phases: {
    faultsMs: number;
    healMs: number;
    settleMs: number;
    settled: boolean;
    /** What was still outstanding when the settle wait gave up. */
    outstanding: string[];
    checkMs: number;
  };
  load: {
    rate: number;
    durationMs: number;
    sent: number;
    accepted: number;
    outcomes: Record<string, number>;
    latencyMs: { p50: number; p99: number; max: number };
  };
  faults: {
    injected: number;
    failed: number;
    perKind: Record<string, { injected: number; failed: number }>;
    history: FaultRecord[];
  };
  /** With --every-kind: the selected kinds that were never injected (each fails the campaign). */
  missingKinds: string[];
  peaks: {
    lag: number;
    unsentOutboxRows: number;
    /** The longest wait of an event in an outbox before Kafka acknowledged it (undefined: not read). */
    longestOutboxWaitMs?: number | undefined;
    /** The campaign process' event-loop delay (worst sample): large values mean the client side was starved. */
    loopDelayMs: { p99: number; max: number };
  };
  unexpectedExits: UnexpectedExit[];
  check: {
    violations: number;
    perInvariant: Record<string, number>;
    first: Violation | undefined;
    /** The first violations of each invariant (at most 20 each). */
    sample: Violation[];
    figures: CheckFigures;
  };
  passed: boolean;
}

export function faultFigures(history: FaultRecord[], kinds: FaultKind[]): CampaignReport['faults'] {
  const perKind: CampaignReport['faults']['perKind'] = {};
  for (const kind of kinds) perKind[kind] = { injected: 0, failed: 0 };
  for (const r of history) {
    const entry = perKind[r.kind] ?? { injected: 0, failed: 0 };
    perKind[r.kind] = entry;
    if (r.injectedAt === undefined) entry.failed += 1;
    else entry.injected += 1;
  }
  const injected = history.filter((r) => r.injectedAt !== undefined).length;
  return { injected, failed: history.length - injected, perKind, history };
}

export function violationFigures(
  violations: Violation[],
): Pick<CampaignReport['check'], 'perInvariant' | 'first' | 'sample'> {
  const perInvariant: Record<string, number> = {};
  const sample: Violation[] = [];
  for (const v of violations) {
    perInvariant[v.invariant] = (perInvariant[v.invariant] ?? 0) + 1;
    if ((perInvariant[v.invariant] ?? 0) <= 20) sample.push(v);
  }
  return { perInvariant, first: violations[0], sample };
}

export async function writeReport(dir: string, report: CampaignReport): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'report.md'), renderMarkdown(report));
}

/** Milliseconds as seconds with one decimal, e.g. "1.5 s". */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function renderMarkdown(r: CampaignReport): string {
  const out: string[] = [];
  out.push(`# Chaos campaign, seed ${r.seed}: ${r.passed ? 'PASSED' : 'FAILED'}`, '');
  out.push(
    `\`${r.command}\` — ${r.startedAt} to ${r.finishedAt}, ${r.machine.cpus} CPUs, load average ${r.machine.loadAverage.join(' / ')}`,
    '',
  );
  out.push('| figure | value |', '| --- | --- |');
  const outcomes = Object.entries(r.load.outcomes)
    .map(([k, n]) => `${n} × ${k}`)
    .join(', ');
  const rows: [string, string][] = [
    [
      'broker failure detection',
      r.brokerTiming === 'stock'
        ? "stock (Kafka's own defaults: 45 s group sessions)"
        : 'fast (the local stack: 10 s group sessions)',
    ],
    ['faults injected (failed to inject)', `${r.faults.injected} (${r.faults.failed})`],
    [
      'orders sent (planned)',
      `${r.load.sent} (${Math.round((r.load.rate * r.phases.faultsMs) / 1000)}) at ${r.load.rate}/s over ${seconds(r.load.durationMs)}`,
    ],
    ['answers', outcomes],
    [
      'latency p50 / p99 / max',
      `${r.load.latencyMs.p50} / ${r.load.latencyMs.p99} / ${r.load.latencyMs.max} ms`,
    ],
    [
      'orders stored (of them without a 201)',
      `${r.check.figures.stored} (${r.check.figures.storedWithoutAck})`,
    ],
    [
      'stored orders by what their client was told',
      Object.entries(r.check.figures.storedByOutcome ?? {})
        .map(([k, n]) => `${n} × ${k}`)
        .join(', '),
    ],
    [
      'confirmed / rejected / expired / pending',
      `${r.check.figures.confirmed} / ${r.check.figures.rejected} / ${r.check.figures.expired} / ${r.check.figures.pending}`,
    ],
    [
      'event records: order-events / inventory-events',
      `${r.check.figures.orderEventRecords} / ${r.check.figures.decisionEventRecords}`,
    ],
    [
      'of them copies (re-published, absorbed by inboxes)',
      `${r.check.figures.orderEventCopies} / ${r.check.figures.decisionEventCopies}`,
    ],
    ['dead-letter records', String(r.check.figures.deadLetters)],
    ['max lag (all groups) / max unsent outbox rows', `${r.peaks.lag} / ${r.peaks.unsentOutboxRows}`],
    [
      'longest wait of an event in an outbox',
      r.peaks.longestOutboxWaitMs === undefined ? '–' : seconds(r.peaks.longestOutboxWaitMs),
    ],
    [
      "campaign process' event-loop delay, worst p99 / max",
      `${r.peaks.loopDelayMs?.p99 ?? '–'} / ${r.peaks.loopDelayMs?.max ?? '–'} ms`,
    ],
    [
      'heal / settle / check',
      `${seconds(r.phases.healMs)} / ${seconds(r.phases.settleMs)}${r.phases.settled ? '' : ' (not settled)'} / ${seconds(r.phases.checkMs)}`,
    ],
    ['services that exited by themselves', String(r.unexpectedExits.length)],
    ['violations', String(r.check.violations)],
  ];
  for (const [k, v] of rows) out.push(`| ${k} | ${v} |`);
  out.push('', '## Faults per kind', '', '| kind | injected | failed to inject |', '| --- | ---: | ---: |');
  for (const [kind, n] of Object.entries(r.faults.perKind))
    out.push(`| ${kind} | ${n.injected} | ${n.failed} |`);
  out.push('', '## Invariants', '', '| invariant | meaning | violations |', '| --- | --- | ---: |');
  for (const [name, meaning] of Object.entries(INVARIANTS)) {
    out.push(`| ${name} | ${meaning} | ${r.check.perInvariant[name] ?? 0} |`);
  }
  if (r.check.sample.length > 0) {
    out.push('', '## Violations (first 20 of each invariant)', '');
    for (const v of r.check.sample) out.push(`- **${v.invariant}**: ${v.detail}`);
  }
  if (r.unexpectedExits.length > 0) {
    out.push('', '## Services that exited by themselves', '');
    for (const e of r.unexpectedExits)
      out.push(`- ${clock(e.at)} ${e.slot}: ${e.signal ?? `code ${e.code}`}`);
  }
  if (!r.phases.settled) out.push('', `Not settled: ${r.phases.outstanding.join('; ')}`);
  if (r.missingKinds.length > 0) out.push('', `Fault kinds never injected: ${r.missingKinds.join(', ')}`);
  out.push(
    '',
    '## Fault history',
    '',
    '| # | start | healed | kind | target | what | seen |',
    '| ---: | --- | --- | --- | --- | --- | --- |',
  );
  for (const f of r.faults.history) {
    const healedAt = f.healedAt === undefined ? '–' : clock(f.healedAt);
    const seen = [f.note, f.error].filter(Boolean).join('; ').replaceAll('|', '\\|');
    out.push(
      `| ${f.id} | ${clock(f.startedAt)} | ${healedAt} | ${f.kind} | ${f.target} | ${f.detail} | ${seen} |`,
    );
  }
  return `${out.join('\n')}\n`;
}
