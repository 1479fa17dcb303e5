import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { LoadResult, RunningLoad } from '@kafka-poc/verification';
import type { Verification } from './fault-checks.ts';
import { RESULTS_DIR } from './process-stack.ts';

/** What one fault scenario did and found, written as JSON for docs/faults.md. */
export interface ScenarioReport {
  scenario: string;
  title: string;
  fault: string;
  load: LoadSummary | undefined;
  /** Fault steps, in ms after the load started. */
  timeline: { at: number; event: string }[];
  /** Named durations in ms (settling, exits, restarts, …). */
  timings: Record<string, number>;
  /** Scenario-specific assertions and their outcome. */
  checks: Record<string, boolean>;
  /** Other facts worth reading (assignments, metrics, CLI output). */
  observations: Record<string, unknown>;
  verification: Verification;
}

export interface LoadSummary {
  rate: number;
  durationMs: number;
  sent: number;
  accepted: number;
  rejected: Record<string, number>;
  latencyMs: LoadResult['latencyMs'];
  /** Slowest answer per outcome, e.g. {"201": 40, "503": 2100}. */
  maxLatencyByOutcome: Record<string, number>;
}

/** Records when fault steps happened, relative to a start. */
export class Timeline {
  readonly events: { at: number; event: string }[] = [];
  #start = Date.now();

  restart(): void {
    this.#start = Date.now();
  }

  mark(event: string): void {
    this.events.push({ at: Date.now() - this.#start, event });
  }

  /** Runs fault steps one after another, each not before its time (ms after restart()), and marks them. */
  async runSteps(steps: FaultStep[]): Promise<void> {
    for (const step of steps) {
      const wait = this.#start + step.at - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.mark(step.name);
      await step.run();
    }
  }
}

/** Lets the load run a little after the last fault step, then stops it. */
export async function tail(load: RunningLoad, ms = 3000): Promise<LoadResult> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return load.stop();
}

export interface FaultStep {
  at: number;
  name: string;
  run: () => Promise<unknown>;
}

export function summarizeLoad(load: LoadResult): LoadSummary {
  const maxLatencyByOutcome: Record<string, number> = {};
  for (const s of load.samples) {
    const key = String(s.outcome);
    maxLatencyByOutcome[key] = Math.max(maxLatencyByOutcome[key] ?? 0, s.ms);
  }
  return {
    rate: load.rate,
    durationMs: load.durationMs,
    sent: load.sent,
    accepted: load.accepted.length,
    rejected: load.rejected,
    latencyMs: load.latencyMs,
    maxLatencyByOutcome,
  };
}

/** Writes test-results/faults/<scenario>.json, pass or fail, so a failed run still explains itself. */
export async function writeScenarioReport(report: ScenarioReport): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const passed = report.verification.problems.length === 0 && Object.values(report.checks).every(Boolean);
  // Timings depend on the machine and on what else runs on it: keep both next to them.
  const machine = { cpus: cpus().length, loadAverage1m: Number(loadavg()[0]?.toFixed(1)) };
  const body = { ...report, passed, finishedAt: new Date().toISOString(), machine };
  await writeFile(
    join(RESULTS_DIR, `${report.scenario}.json`),
    `${JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
}
