import { VIEWS } from '@kafka-poc/contracts';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { query, verifyScenario, waitUntilSettled } from '../support/fault-checks.ts';
import { assignmentOf, waitForBalancedGroup } from '../support/group-assignment.ts';
import { ProcessStack } from '../support/process-stack.ts';
import { summarizeLoad, Timeline, tail, writeScenarioReport } from '../support/scenario-report.ts';

// Production's settings: a broker on Kafka's own defaults (45 s consumer-group sessions, 5 s
// heartbeats, 9 s broker sessions), not the local stack's fast ones, and the services' default
// timeouts. One inventory-service instance of two is SIGKILLed under load, later the other is frozen
// (SIGSTOP) for longer than a session: each time its partitions wait ~50 s for the group to move them,
// and ORDER_DECISION_TIMEOUT must outlast that (docs/architecture.md, "Timeouts an order crosses"):
// no order may expire, and nothing is lost or duplicated.

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({ name: 'stock-broker', timing: 'stock' });
});

afterAll(async () => {
  await stack?.stop();
});

const SESSION_MS = 45_000;

describe('a consumer killed, then one frozen, on a stock broker', () => {
  it('every order is decided in time: none expires, nothing lost or duplicated', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const [timings] = await Promise.all([stack.admin.describeClusterTimings(['inventory-service'])]);
    const scenario = await stack.scenario('stock-broker');
    await scenario.startPipeline({ 'inventory-service': 2 });
    const group = scenario.group('inventory-service');
    await waitForBalancedGroup(stack.admin, group, { members: 2, partitions: 3 }, 90_000);

    const timeline = new Timeline();
    const load = scenario.load({ rate: 20, durationMs: 150_000 });
    await timeline.runSteps([
      {
        at: 5_000,
        name: 'SIGKILL inventory-service-1',
        run: () => scenario.instance('inventory-service-1').kill(),
      },
      {
        at: 5_000 + SESSION_MS + 15_000,
        name: 'restart inventory-service-1',
        run: () => scenario.instance('inventory-service-1').restart(),
      },
      {
        at: 5_000 + SESSION_MS + 30_000,
        name: 'SIGSTOP inventory-service-2 (longer than a session)',
        run: async () => scenario.instance('inventory-service-2').pause(),
      },
      {
        at: 5_000 + 2 * SESSION_MS + 45_000,
        name: 'SIGCONT inventory-service-2',
        run: async () => scenario.instance('inventory-service-2').resume(),
      },
    ]);
    const result = await tail(load);
    timeline.mark('load finished');
    const settleMs = await waitUntilSettled(scenario, 180_000);
    const verification = await verifyScenario(scenario, result.accepted);
    const [row] = await query<{ expired: number; pending: number }>(
      scenario.databaseUrl,
      `SELECT count(*) FILTER (WHERE status = 'EXPIRED')::int AS expired,
              count(*) FILTER (WHERE status = 'PENDING')::int AS pending FROM ${VIEWS.orders}`,
    );
    const finalGroup = await waitForBalancedGroup(stack.admin, group, { members: 2, partitions: 3 }, 120_000);

    const checks = {
      'the broker runs 45 s consumer sessions (stock)': timings.groups[0]?.sessionTimeoutMs === SESSION_MS,
      'every request answered 201': result.accepted.length === result.sent,
      'no order expired': row?.expired === 0,
      'no order left pending': row?.pending === 0,
    };
    await writeScenarioReport({
      scenario: 'stock-broker',
      title: 'Stock broker: a consumer killed, then one frozen past its session',
      fault:
        "Kafka's default failure detection (45 s sessions); 2 inventory-service instances under 20 orders/s; " +
        'inventory-service-1 SIGKILLed and restarted, then inventory-service-2 frozen (SIGSTOP) 60 s',
      load: summarizeLoad(result),
      timeline: timeline.events,
      timings: { settleMs },
      checks,
      observations: { clusterTimings: timings, finalAssignment: assignmentOf(finalGroup), statuses: row },
      verification,
    });
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  }, 480_000);
});
