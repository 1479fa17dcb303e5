import { VIEWS } from '@kafka-poc/contracts';
import type { ServiceProcess } from '@kafka-poc/local-stack';
import { combineLoads } from '@kafka-poc/verification';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { runCli } from '../support/cli.ts';
import { effectsFingerprint, query, verifyScenario, waitUntilSettled } from '../support/fault-checks.ts';
import { committedOffsets, totalLag, waitForEmptyGroup } from '../support/group-assignment.ts';
import { ProcessStack, type Scenario } from '../support/process-stack.ts';
import { metricSum } from '../support/prometheus.ts';
import { summarizeLoad, Timeline, writeScenarioReport } from '../support/scenario-report.ts';

// Scenario 2, replay: a stopped consumer catches up from its committed offsets; `npm run cli --
// replay` refuses while the group has members, plans with --dry-run, and a real replay of the whole
// history to earliest re-reads everything and changes nothing.

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({ name: 'replay' });
});

afterAll(async () => {
  await stack?.stop();
});

/** events_consumed_total of one instance by outcome (the counters start at 0 with each process). */
async function consumed(instance: ServiceProcess, topic: string) {
  const [ok, duplicate] = await Promise.all(
    ['ok', 'duplicate'].map((outcome) =>
      metricSum(instance.url, 'events_consumed_total', { topic, outcome }),
    ),
  );
  return { ok: ok ?? 0, duplicate: duplicate ?? 0 };
}

async function waitForOrdersDecided(scenario: Scenario): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const [row] = await query<{ n: number }>(
      scenario.databaseUrl,
      `SELECT (SELECT count(*) FROM ${VIEWS.orders} WHERE status = 'PENDING')
            + (SELECT count(*) FROM ${VIEWS.inventoryOutbox} WHERE sent_at IS NULL) AS n`,
    );
    if (Number(row?.n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('orders not decided within 60 s');
}

describe('replay', () => {
  it('catches up from committed offsets, and a replay of history to earliest changes nothing', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('replay');
    await scenario.startPipeline();
    const notifications = scenario.consumerGroup('notification-service');
    const inventory = scenario.consumerGroup('inventory-service');
    const brokers = stack.kafka.bootstrapServers;
    const timeline = new Timeline();
    const warmup = await scenario.load({ rate: 25, durationMs: 4000 }).done;
    await waitUntilSettled(scenario);

    // 1. Catch-up: orders decided while notification-service is down wait in its partitions.
    timeline.mark('SIGTERM notification-service-1');
    await scenario.instance('notification-service-1').stop();
    const whileDown = await scenario.load({ rate: 25, durationMs: 8000 }).done;
    await waitForOrdersDecided(scenario);
    const backlog = await totalLag(stack.admin, notifications);
    timeline.mark(`start notification-service-1 (backlog ${backlog})`);
    const caughtUpIn = Date.now();
    await scenario.instance('notification-service-1').start();
    await waitUntilSettled(scenario);
    const catchUpMs = Date.now() - caughtUpIn;
    const catchUp = await consumed(scenario.instance('notification-service-1'), scenario.topics.orderEvents);

    // 2. The replay command refuses while the group has members.
    const refused = await runCli(['replay', '--group', notifications.groupId, '--to', 'earliest'], brokers);
    timeline.mark('replay refused while running');

    // 3. Stop both consumers, plan, then replay their whole history.
    await Promise.all(
      ['notification-service-1', 'inventory-service-1'].map((id) => scenario.instance(id).stop()),
    );
    await Promise.all([notifications, inventory].map((g) => waitForEmptyGroup(stack.admin, g.groupId)));
    const offsetsBefore = await committedOffsets(stack.admin, notifications);
    const dryRun = await runCli(
      ['replay', '--group', notifications.groupId, '--to', 'earliest', '--dry-run'],
      brokers,
    );
    const offsetsAfterDryRun = await committedOffsets(stack.admin, notifications);
    const history = {
      notifications: await totalRecords(scenario, scenario.topics.orderEvents),
      inventory: await totalRecords(scenario, scenario.topics.orderEvents),
    };
    const replays = await Promise.all(
      [notifications, inventory].map((g) =>
        runCli(['replay', '--group', g.groupId, '--to', 'earliest'], brokers),
      ),
    );
    timeline.mark('replayed both groups to earliest');
    const before = await effectsFingerprint(scenario.databaseUrl);
    const replayStarted = Date.now();
    await Promise.all(
      ['notification-service-1', 'inventory-service-1'].map((id) => scenario.instance(id).start()),
    );
    await waitUntilSettled(scenario);
    const replayMs = Date.now() - replayStarted;
    const after = await effectsFingerprint(scenario.databaseUrl);
    const reread = {
      notifications: await consumed(scenario.instance('notification-service-1'), scenario.topics.orderEvents),
      inventory: await consumed(scenario.instance('inventory-service-1'), scenario.topics.orderEvents),
    };
    const accepted = [...warmup.accepted, ...whileDown.accepted];
    const verification = await verifyScenario(scenario, accepted);

    const checks = {
      'nothing notified while notification-service was down': backlog >= whileDown.accepted.length,
      'catch-up read exactly the backlog from the committed offsets':
        catchUp.ok + catchUp.duplicate === backlog,
      // notification-service reads order-events: each order's order.created (skipped) and its status event.
      'catch-up applied the two events of each order decided while down':
        catchUp.ok === 2 * whileDown.accepted.length,
      'replay refused with exit 1 and a clear message':
        refused.code === 1 && /refused.*active member/s.test(refused.stderr),
      'dry run printed a plan per partition': [0, 1, 2].every((p) =>
        new RegExp(`${scenario.topics.orderEvents}\\s+${p}\\s`).test(dryRun.stdout),
      ),
      'dry run changed no offset': JSON.stringify(offsetsBefore) === JSON.stringify(offsetsAfterDryRun),
      'both replays succeeded': replays.every((r) => r.code === 0 && /reset/.test(r.stdout)),
      'replay re-read the whole history':
        reread.notifications.duplicate === history.notifications &&
        reread.inventory.duplicate === history.inventory,
      'replay applied nothing again': reread.notifications.ok === 0 && reread.inventory.ok === 0,
      'effects identical before and after the replay': JSON.stringify(before) === JSON.stringify(after),
    };
    await writeScenarioReport({
      scenario: 'replay',
      title: 'Replay: catch-up from committed offsets, CLI replay to earliest',
      fault:
        'notification-service stopped while 8 s of orders flow, then started; `replay` tried on a running group; ' +
        'both consumer groups (inventory, notification) stopped and replayed to earliest, then started',
      load: summarizeLoad(combineLoads(warmup, whileDown)),
      timeline: timeline.events,
      timings: { catchUpMs, replayMs },
      checks,
      observations: {
        backlog,
        catchUp,
        history,
        reread,
        refusedStderr: refused.stderr.trim(),
        dryRunOutput: dryRun.stdout.trim().split('\n'),
        replayOutput: replays.map((r) => r.stdout.trim().split('\n').at(-1)),
        effectsBefore: before,
        effectsAfter: after,
      },
      verification,
    });
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  });
});

/** Records in all partitions of a topic (what a replay to earliest re-reads). */
async function totalRecords(scenario: Scenario, topic: string): Promise<number> {
  const [description] = await scenario.stack.admin.describeTopics([topic]);
  return Number(
    (description?.partitions ?? []).reduce((sum, p) => sum + p.latestOffset - p.earliestOffset, 0n),
  );
}
