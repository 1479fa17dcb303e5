import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { verifyScenario, waitUntilSettled } from '../support/fault-checks.ts';
import { ProcessStack } from '../support/process-stack.ts';
import { monitorReadiness, wentDownAndBack } from '../support/readiness-monitor.ts';
import { summarizeLoad, Timeline, tail, writeScenarioReport } from '../support/scenario-report.ts';

// Scenario 3: PostgreSQL stopped for ~10 s while orders flow. Every service keeps running and
// retries; readiness goes 503 and back to 200; POST /orders answers 503 quickly (never hangs, never
// 500); afterwards every order answered 201 is fully processed.

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({ name: 'postgres-outage' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('PostgreSQL outage', () => {
  it('services ride out a stopped database and process every accepted order afterwards', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('postgres-outage');
    await scenario.startPipeline();
    const pids = scenario.instances.map((i) => i.pid);
    const readiness = monitorReadiness(scenario.instances);
    const timeline = new Timeline();
    const load = scenario.load({ rate: 25 });
    await timeline.runSteps([
      { at: 4000, name: 'stop PostgreSQL (fast shutdown)', run: () => stack.postgres.stop() },
      { at: 14_000, name: 'start PostgreSQL', run: () => stack.postgres.start() },
    ]);
    timeline.mark('PostgreSQL accepting connections');
    const result = await tail(load);
    timeline.mark('load finished');
    await Promise.all(scenario.instances.map((i) => i.waitReady(60_000)));
    timeline.mark('every instance ready again');
    const changes = await readiness.stop();
    const settleMs = await waitUntilSettled(scenario, 120_000);
    timeline.mark('settled');
    const verification = await verifyScenario(scenario, result.accepted);
    timeline.mark('verified');

    const refused = result.samples.filter((s) => s.outcome === 503);
    const checks = {
      'every service kept running (same pid, no exit)': scenario.instances.every(
        (i, n) => i.pid === pids[n] && i.exits.length === 0,
      ),
      'every instance went 503 and back to 200': scenario.instances.every((i) =>
        wentDownAndBack(changes[i.id] ?? [], 503),
      ),
      'POST /orders answered only 201 or 503 (no 500, no hang)': Object.keys(result.rejected).every(
        (outcome) => outcome === '503',
      ),
      'orders were refused with 503 while the database was down': refused.length > 0,
      'every 503 came within 5 s': refused.every((s) => s.ms <= 5000),
    };
    await writeScenarioReport({
      scenario: 'postgres-outage',
      title: 'PostgreSQL stopped ~10 s under load',
      fault: 'PostgreSQL fast shutdown (SIGINT) 4 s into the load, started again 10 s later',
      load: summarizeLoad(result),
      timeline: timeline.events,
      timings: {
        settleMs,
        first503At: refused[0]?.at ?? -1,
        last503At: refused.at(-1)?.at ?? -1,
        max503LatencyMs: Math.max(0, ...refused.map((s) => s.ms)),
      },
      checks,
      observations: { readiness: changes },
      verification,
    });
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  });
});
