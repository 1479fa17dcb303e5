import { VIEWS } from '@kafka-poc/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { query, verifyScenario, waitUntilSettled } from '../support/fault-checks.ts';
import { committedOffsets, waitForBalancedGroup } from '../support/group-assignment.ts';
import { ProcessStack, type Scenario } from '../support/process-stack.ts';
import { metricSum } from '../support/prometheus.ts';
import { summarizeLoad, Timeline, tail, writeScenarioReport } from '../support/scenario-report.ts';
import { inboxRowsAhead, repeatedRecordsFrom } from '../support/topic-scan.ts';

// Scenario 5: inventory-service SIGKILLed in the middle of a batch, twice, at the two moments that
// matter, made deterministic instead of left to chance:
//  1. inside the batch transaction (the test holds the stock rows' locks, so the batch waits on
//     them): nothing of the batch is committed anywhere; after restart it is processed again.
//  2. after the batch transaction committed but before the offset commit (the broker is frozen
//     with SIGSTOP while the batch finishes, then killed with the commit request unread): the
//     batch's effects are in the database, its offsets are not; after restart it is delivered
//     again and the inbox must absorb every event.
// Afterwards: no lost and no duplicated effects.

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({ name: 'consumer-kill' });
});

afterAll(async () => {
  await stack?.stop();
});

const INSTANCE = 'inventory-service-1';

/**
 * Locks every stock row in an open transaction: the next inventory batch blocks on them. Through the
 * published view (row locks reach the table's rows), as the administrator: a fault, not a read.
 */
async function lockStock(scenario: Scenario): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: scenario.databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SELECT item FROM ${VIEWS.stock} FOR UPDATE`);
  return client;
}

async function unlock(client: pg.Client): Promise<void> {
  await client.query('ROLLBACK');
  await client.end();
}

/** Polls pg_stat_activity until `condition` holds for the instance's connections. */
async function waitForSessions(scenario: Scenario, condition: string, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [row] = await query<{ ok: boolean }>(
      scenario.databaseUrl,
      `SELECT ${condition} AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [INSTANCE],
    );
    if (row?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${INSTANCE}: ${what} not seen within 30 s`);
}

async function inboxRows(scenario: Scenario): Promise<{ partition: number; offset: string }[]> {
  return query(
    scenario.databaseUrl,
    `SELECT partition, "offset"::text AS "offset" FROM ${VIEWS.inventoryInbox}`,
  );
}

describe('consumer SIGKILLed mid-batch', () => {
  it('loses and duplicates nothing, whether killed inside the transaction or before the offset commit', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('consumer-kill');
    await scenario.startPipeline();
    const group = scenario.consumerGroup('inventory-service');
    const topic = scenario.topics.orderEvents;
    const inventory = scenario.instance(INSTANCE);
    const timeline = new Timeline();
    // Open-ended: the load lasts as long as the two kills and restarts do.
    const load = scenario.load({ rate: 20 });
    await new Promise((resolve) => setTimeout(resolve, 3000));

    // Kill 1: inside the batch transaction.
    let locks = await lockStock(scenario);
    await waitForSessions(
      scenario,
      "bool_or(wait_event_type = 'Lock')",
      'a batch waiting on the stock locks',
    );
    timeline.mark('batch blocked inside its transaction; SIGKILL');
    const kill1 = await inventory.kill();
    await unlock(locks);
    await inventory.start();
    timeline.mark(`${INSTANCE} restarted`);
    // The killed member keeps its partitions until its session expires; wait for the new one to own them.
    await waitForBalancedGroup(stack.admin, group.groupId, { members: 1, partitions: 3 });
    timeline.mark('partitions reassigned to the new member');
    const afterKill1 = await metricSum(inventory.url, 'events_consumed_total', {
      topic,
      outcome: 'duplicate',
    });

    // Kill 2: after the batch transaction committed, before the offsets are.
    locks = await lockStock(scenario);
    await waitForSessions(
      scenario,
      "bool_or(wait_event_type = 'Lock')",
      'a batch waiting on the stock locks',
    );
    const committed = await committedOffsets(stack.admin, group);
    const aheadBefore = inboxRowsAhead(await inboxRows(scenario), topic, committed);
    const broker = stack.kafka.nodes[0]?.pid ?? 0;
    process.kill(broker, 'SIGSTOP');
    timeline.mark('broker frozen (SIGSTOP); stock locks released');
    let ahead = 0;
    try {
      await unlock(locks);
      await waitForSessions(scenario, "bool_and(state = 'idle')", 'the batch transaction committed');
      ahead = inboxRowsAhead(await inboxRows(scenario), topic, committed) - aheadBefore;
      timeline.mark(`batch committed in the database (${ahead} events), offsets not; SIGKILL`);
      await inventory.kill();
    } finally {
      // The offset commit may sit in the frozen broker's socket buffer, and a resumed broker would
      // still apply it. Killing the broker while frozen drops it, so the commit is really lost.
      await stack.kafka.stopNode(1, { signal: 'SIGKILL' });
    }
    timeline.mark('broker SIGKILLed while frozen');
    await stack.kafka.startNode(1);
    timeline.mark('broker restarted');
    const committedAtKill2 = await committedOffsets(stack.admin, group);
    const afterRestartRows = await inboxRows(scenario);
    await inventory.start();
    timeline.mark(`${INSTANCE} restarted`);

    const result = await tail(load);
    timeline.mark('load finished');
    const settleMs = await waitUntilSettled(scenario, 120_000);
    const verification = await verifyScenario(scenario, result.accepted);
    const duplicates = await metricSum(inventory.url, 'events_consumed_total', {
      topic,
      outcome: 'duplicate',
    });
    const repeated = await repeatedRecordsFrom(stack.admin, topic, committedAtKill2);

    // Offsets are committed at most every CONSUMER_COMMIT_INTERVAL_MS, so batches handled just
    // before the batch of kill 2 may be uncommitted too: all of them come back after the restart.
    const uncommitted = inboxRowsAhead(afterRestartRows, topic, committedAtKill2);
    const checks = {
      'kill 1 was a SIGKILL': kill1.signal === 'SIGKILL',
      'kill 2 left processed events uncommitted': ahead > 0 && uncommitted >= ahead,
      'the restarted consumer absorbed exactly those events (plus repeated records)':
        duplicates === uncommitted + repeated,
    };
    await writeScenarioReport({
      scenario: 'consumer-kill',
      title: 'inventory-service SIGKILLed mid-batch (twice)',
      fault:
        'SIGKILL while its batch transaction waits on row locks the test holds; then SIGKILL after the batch ' +
        'transaction committed while the broker is frozen (SIGSTOP, then SIGKILL and restart), so the ' +
        'offset commit never lands',
      load: summarizeLoad(result),
      timeline: timeline.events,
      timings: { settleMs },
      checks,
      observations: {
        eventsOfTheBatchAtKill2: ahead,
        eventsProcessedButUncommittedAtKill2: uncommitted,
        duplicatesAbsorbedAfterKill2: duplicates,
        duplicatesAfterKill1Restart: afterKill1,
        repeatedRecordsInTopic: repeated,
      },
      verification,
    });
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  });
});
