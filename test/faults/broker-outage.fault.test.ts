import { VIEWS } from '@kafka-poc/contracts';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { query, verifyScenario, waitUntilSettled } from '../support/fault-checks.ts';
import { ProcessStack } from '../support/process-stack.ts';
import { monitorReadiness, wentDownAndBack } from '../support/readiness-monitor.ts';
import { startSampler } from '../support/sampler.ts';
import { summarizeLoad, Timeline, tail, writeScenarioReport } from '../support/scenario-report.ts';

// Scenario 4: the (single) Kafka broker stopped and restarted while orders flow. POST /orders does
// not need Kafka, so every order is accepted; the accepted orders wait in the outbox and all go
// through once the broker is back.

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({ name: 'broker-outage' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('Kafka broker outage', () => {
  it('accepted orders wait in the outbox while the broker is down and all go through', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('broker-outage');
    await scenario.startPipeline();
    const pids = scenario.instances.map((i) => i.pid);
    const readiness = monitorReadiness(scenario.instances);
    const backlog = startSampler(async () => {
      const [row] = await query<{ n: number }>(
        scenario.databaseUrl,
        `SELECT count(*)::int AS n FROM ${VIEWS.orderOutbox} WHERE sent_at IS NULL`,
      );
      return row?.n ?? 0;
    });
    const timeline = new Timeline();
    const load = scenario.load({ rate: 25 });
    await timeline.runSteps([
      { at: 4000, name: 'stop the broker (SIGTERM)', run: () => stack.kafka.stopNode(1) },
      { at: 14_000, name: 'start the broker', run: () => stack.kafka.startNode(1) },
    ]);
    timeline.mark('broker serving metadata');
    const result = await tail(load);
    timeline.mark('load finished');
    const settleMs = await waitUntilSettled(scenario, 120_000);
    const peak = await backlog.stop();
    await Promise.all(scenario.instances.map((i) => i.waitReady(60_000)));
    const changes = await readiness.stop();
    const verification = await verifyScenario(scenario, result.accepted);

    const checks = {
      'every service kept running (same pid, no exit)': scenario.instances.every(
        (i, n) => i.pid === pids[n] && i.exits.length === 0,
      ),
      'every POST /orders answered 201 (the HTTP path does not need Kafka)':
        result.accepted.length === result.sent,
      'accepted orders piled up in the outbox during the outage': peak.max >= 50,
      'every instance went 503 and back to 200': scenario.instances.every((i) =>
        wentDownAndBack(changes[i.id] ?? [], 503),
      ),
    };
    await writeScenarioReport({
      scenario: 'broker-outage',
      title: 'Kafka broker stopped and restarted under load',
      fault: 'the only broker stopped (SIGTERM) 4 s into the load and started again 10 s later',
      load: summarizeLoad(result),
      timeline: timeline.events,
      timings: { settleMs },
      checks,
      observations: { peakOutboxBacklog: peak.max, readiness: changes },
      verification,
    });
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  });
});
