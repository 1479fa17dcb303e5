import { Admin, ConfigResourceTypes } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { verifyScenario, waitUntilSettled } from '../support/fault-checks.ts';
import { ProcessStack, type Scenario } from '../support/process-stack.ts';
import { summarizeLoad, Timeline, tail, writeScenarioReport } from '../support/scenario-report.ts';

// Scenario 8: a 3-node KRaft cluster; the services create their topics with replication factor 3
// and min.insync.replicas 2 and produce with acks=all. One broker (the leader of order-events
// partition 0) is SIGKILLed under load and started again 8 s later: no acknowledged order is lost.

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({ name: 'three-brokers', brokers: 3 });
});

afterAll(async () => {
  await stack?.stop();
});

async function replication(scenario: Scenario) {
  const topics = await stack.admin.describeTopics([
    scenario.topics.orderEvents,
    scenario.topics.inventoryEvents,
  ]);
  const partitions = topics.flatMap((t) => t.partitions);
  return {
    allReplicated: partitions.every((p) => p.replicas.length === 3),
    allInSync: partitions.every((p) => p.isr.length === 3),
    leaderOfOrderEvents0: topics[0]?.partitions[0]?.leader ?? 1,
  };
}

/** min.insync.replicas of each topic, as the broker reports it. */
async function minInsyncReplicas(scenario: Scenario): Promise<string[]> {
  const admin = new Admin({
    clientId: 'faults-configs',
    bootstrapBrokers: stack.kafka.bootstrapServers.split(','),
  });
  try {
    const described = await admin.describeConfigs({
      resources: [scenario.topics.orderEvents, scenario.topics.inventoryEvents].map((resourceName) => ({
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName,
        configurationKeys: ['min.insync.replicas'],
      })),
    });
    return described.map((d) => d.configs.find((c) => c.name === 'min.insync.replicas')?.value ?? 'unset');
  } finally {
    await admin.close();
  }
}

describe('three brokers', () => {
  it('loses no acknowledged order when one of three brokers is killed under load', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('three-brokers');
    await scenario.startPipeline();
    const pids = scenario.instances.map((i) => i.pid);
    const before = await replication(scenario);
    const minIsr = await minInsyncReplicas(scenario);
    const victim = before.leaderOfOrderEvents0;
    const timeline = new Timeline();
    const load = scenario.load({ rate: 25 });
    await timeline.runSteps([
      {
        at: 5000,
        name: `SIGKILL broker ${victim} (leader of order-events partition 0)`,
        run: () => stack.kafka.stopNode(victim, { signal: 'SIGKILL' }),
      },
      { at: 13_000, name: `start broker ${victim}`, run: () => stack.kafka.startNode(victim) },
    ]);
    timeline.mark(`broker ${victim} serving metadata`);
    const result = await tail(load);
    timeline.mark('load finished');
    const settleMs = await waitUntilSettled(scenario, 120_000);
    const verification = await verifyScenario(scenario, result.accepted);
    let after = await replication(scenario);
    for (let i = 0; i < 60 && !after.allInSync; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await replication(scenario);
    }

    const checks = {
      'topics have 3 replicas, all in sync': before.allReplicated && before.allInSync,
      'topics require 2 in-sync replicas': minIsr.every((v) => v === '2'),
      'every POST /orders answered 201': result.accepted.length === result.sent,
      'every service kept running (same pid, no exit)': scenario.instances.every(
        (i, n) => i.pid === pids[n] && i.exits.length === 0,
      ),
      'all replicas back in sync after the broker returned': after.allInSync,
    };
    await writeScenarioReport({
      scenario: 'three-brokers',
      title: 'One of three brokers killed under load (RF 3, min ISR 2, acks=all)',
      fault: `broker ${victim}, leader of order-events partition 0, SIGKILLed 5 s into the load, started 8 s later`,
      load: summarizeLoad(result),
      timeline: timeline.events,
      timings: { settleMs },
      checks,
      observations: { minInsyncReplicas: minIsr, victim },
      verification,
    });
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  });
});
