/**
 * Renders the scenario results the fault suite wrote (test-results/faults/*.json) as markdown for
 * docs/faults.md: `npx node test/support/render-fault-report.ts > /tmp/faults.md`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS_DIR } from './process-stack.ts';
import type { ScenarioReport } from './scenario-report.ts';

type Stored = ScenarioReport & {
  passed: boolean;
  finishedAt: string;
  machine?: { cpus: number; loadAverage1m: number };
};

const ORDER = [
  'scaling',
  'replay',
  'postgres-outage',
  'broker-outage',
  'consumer-kill',
  'consumer-restart',
  'graceful-shutdown',
  'rolling-restart',
  'three-brokers',
];

const files = (await readdir(RESULTS_DIR)).filter((f) => f.endsWith('.json'));
const reports = await Promise.all(
  files.map(async (f) => JSON.parse(await readFile(join(RESULTS_DIR, f), 'utf8')) as Stored),
);
reports.sort((a, b) => ORDER.indexOf(a.scenario) - ORDER.indexOf(b.scenario));

const out: string[] = [
  '| scenario | load | answers | fault | invariants | scenario checks | settled in |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const r of reports) {
  const load = r.load
    ? `${r.load.rate}/s × ${(r.load.durationMs / 1000).toFixed(1)} s = ${r.load.sent}`
    : '-';
  const answers = r.load
    ? [`${r.load.accepted}×201`, ...Object.entries(r.load.rejected).map(([k, v]) => `${v}×${k}`)].join(', ')
    : '-';
  const problems = r.verification.problems.length;
  const checks = Object.values(r.checks);
  out.push(
    `| ${r.title} | ${load} | ${answers} | ${r.fault} | ${problems === 0 ? 'all hold' : `${problems} violated`} | ` +
      `${checks.filter(Boolean).length}/${checks.length} | ${((r.timings.settleMs ?? 0) / 1000).toFixed(1)} s |`,
  );
}
for (const r of reports) {
  out.push('', `### ${r.title}`, '', `Fault: ${r.fault}.`, '');
  if (r.load) {
    out.push(
      `Load: ${r.load.rate} orders/s for ${(r.load.durationMs / 1000).toFixed(1)} s, ${r.load.sent} sent; ` +
        `latency p50 ${r.load.latencyMs.p50} ms, p99 ${r.load.latencyMs.p99} ms, max ${r.load.latencyMs.max} ms ` +
        `(slowest per answer: ${JSON.stringify(r.load.maxLatencyByOutcome)}).`,
      '',
    );
  }
  out.push('Timeline (ms after the load started):', '');
  for (const e of r.timeline) out.push(`- ${e.at}: ${e.event}`);
  out.push('', 'Checks:', '');
  for (const [name, ok] of Object.entries(r.checks)) out.push(`- ${ok ? '✓' : '✗'} ${name}`);
  for (const p of r.verification.problems) out.push(`- ✗ ${p}`);
  out.push(
    `- ${r.verification.problems.length === 0 ? '✓' : '✗'} invariants: ${JSON.stringify(r.verification.counts)}`,
    '',
    `Timings: ${JSON.stringify(r.timings)}; machine: ${JSON.stringify(r.machine ?? {})}.`,
  );
}
process.stdout.write(`${out.join('\n')}\n`);
