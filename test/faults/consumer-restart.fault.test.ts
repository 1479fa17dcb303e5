import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { query, verifyScenario, waitUntilSettled } from '../support/fault-checks.ts';
import { committedOffsets } from '../support/group-assignment.ts';
import type { ServiceName } from '../support/process-stack.ts';
import { ProcessStack, type Scenario } from '../support/process-stack.ts';
import { metricSum } from '../support/prometheus.ts';
import { summarizeLoad, Timeline, tail, writeScenarioReport } from '../support/scenario-report.ts';
import { inboxRowsAhead, repeatedRecordsFrom } from '../support/topic-scan.ts';

// Scenario 6: a consumer restarted normally (SIGTERM) under load resumes from its committed offsets.
// On SIGTERM it finishes and commits its in-flight batch, so everything it processed is committed
// (no inbox row beyond the committed offsets), and after the restart it reprocesses nothing: its
// "duplicate" count equals the records that are copies in the topic itself (producer retries).

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({ name: 'consumer-restart' });
});

afterAll(async () => {
  await stack?.stop();
});

const INBOX: Record<string, string> = {
  'inventory-service': 'inventory_inbox',
  'notification-service': 'notification_inbox',
};

interface Restart {
  exitCode: number | null;
  exitMs: number;
  committed: Record<string, string>;
  inboxAhead: number;
}

/** SIGTERM, wait for the exit, note the committed offsets and the inbox beyond them, start again. */
async function restart(scenario: Scenario, service: ServiceName, timeline: Timeline): Promise<Restart> {
  const instance = scenario.instance(`${service}-1`);
  const group = scenario.consumerGroup(service);
  timeline.mark(`SIGTERM ${instance.id}`);
  const exit = await instance.stop();
  const committed = await committedOffsets(stack.admin, group);
  const rows = await query<{ partition: number; offset: string }>(
    scenario.databaseUrl,
    `SELECT partition, "offset"::text AS "offset" FROM ${INBOX[service]}`,
  );
  await instance.start();
  timeline.mark(`${instance.id} ready again`);
  return {
    exitCode: exit.code,
    exitMs: exit.ms,
    committed,
    inboxAhead: inboxRowsAhead(rows, group.topics[0] ?? '', committed),
  };
}

describe('consumer restarted with SIGTERM', () => {
  it('commits its in-flight batch on the way out and resumes from the committed offsets', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('consumer-restart');
    await scenario.startPipeline();
    const timeline = new Timeline();
    const load = scenario.load({ rate: 25 });
    const restarts: Partial<Record<ServiceName, Restart>> = {};
    await timeline.runSteps([
      {
        at: 4000,
        name: 'restart inventory-service',
        run: async () => {
          restarts['inventory-service'] = await restart(scenario, 'inventory-service', timeline);
        },
      },
      {
        at: 9000,
        name: 'restart notification-service',
        run: async () => {
          restarts['notification-service'] = await restart(scenario, 'notification-service', timeline);
        },
      },
    ]);
    const result = await tail(load);
    timeline.mark('load finished');
    const settleMs = await waitUntilSettled(scenario, 120_000);
    const verification = await verifyScenario(scenario, result.accepted);

    const resumed: Record<string, { duplicates: number; repeatedRecords: number }> = {};
    for (const service of ['inventory-service', 'notification-service'] as const) {
      const topic = scenario.consumerGroup(service).topics[0] ?? '';
      resumed[service] = {
        duplicates: await metricSum(scenario.instance(`${service}-1`).url, 'events_consumed_total', {
          topic,
          outcome: 'duplicate',
        }),
        repeatedRecords: await repeatedRecordsFrom(stack.admin, topic, restarts[service]?.committed ?? {}),
      };
    }
    const all = Object.values(restarts);
    const checks = {
      'both exited with code 0': all.length === 2 && all.every((r) => r.exitCode === 0),
      'both exited within 10 s of SIGTERM': all.every((r) => r.exitMs <= 10_000),
      'everything processed was committed before exit': all.every((r) => r.inboxAhead === 0),
      'after restart nothing was reprocessed (duplicates = copies in the topic)': Object.values(
        resumed,
      ).every((r) => r.duplicates === r.repeatedRecords),
    };
    await writeScenarioReport({
      scenario: 'consumer-restart',
      title: 'Consumers restarted with SIGTERM under load',
      fault: 'inventory-service SIGTERMed and started again 4 s into the load, notification-service 9 s in',
      load: summarizeLoad(result),
      timeline: timeline.events,
      timings: {
        settleMs,
        ...Object.fromEntries(Object.entries(restarts).map(([s, r]) => [`${s} exit ms`, r.exitMs])),
      },
      checks,
      observations: { restarts, resumed },
      verification,
    });
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  });
});
