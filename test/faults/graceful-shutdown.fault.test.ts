import { readFile } from 'node:fs/promises';
import { VIEWS } from '@kafka-poc/contracts';
import type { ExitInfo, ServiceProcess } from '@kafka-poc/local-stack';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { query, verifyScenario, waitUntilSettled } from '../support/fault-checks.ts';
import { committedOffsets } from '../support/group-assignment.ts';
import { ProcessStack } from '../support/process-stack.ts';
import { summarizeLoad, Timeline, tail, writeScenarioReport } from '../support/scenario-report.ts';
import { inboxRowsAhead } from '../support/topic-scan.ts';

// Scenario 7, graceful shutdown: on SIGTERM a service stops taking work, finishes and commits its
// in-flight batch, drains its outbox relay and exits within a bounded time; a rolling restart of
// every instance of every service under load loses nothing; and a service whose stdout pipe is
// gone (its `npm start` was SIGKILLed) still exits on SIGTERM.

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({ name: 'graceful-shutdown' });
});

afterAll(async () => {
  await stack?.stop();
});

/** Bound for a clean exit: every stop step (consumers, relay, producer, HTTP, pool) took < 5 s. */
const EXIT_BOUND_MS = 10_000;

async function stoppedCleanly(instance: ServiceProcess, exit: ExitInfo): Promise<boolean> {
  const log = await readFile(instance.logFile, 'utf8');
  // "stop timed out" = a part was abandoned after SHUTDOWN_TIMEOUT_MS: bounded, but not graceful.
  return exit.code === 0 && exit.ms <= EXIT_BOUND_MS && !log.includes('stop timed out');
}

describe('graceful shutdown', () => {
  it('SIGTERM under load: commits the in-flight batch, drains the relay, exits in bounded time', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('sigterm');
    await scenario.startPipeline();
    const order = scenario.instance('order-service-1');
    const inventory = scenario.instance('inventory-service-1');
    const timeline = new Timeline();
    const load = scenario.load({ rate: 25 });
    const observed: Record<string, unknown> = {};
    const checks: Record<string, boolean> = {};
    await timeline.runSteps([
      {
        at: 3000,
        name: 'SIGTERM order-service-1',
        run: async () => {
          const exit = await order.stop();
          // Nobody else publishes this outbox: what is unsent now stayed behind at shutdown.
          const [row] = await query<{ n: number }>(
            scenario.databaseUrl,
            `SELECT count(*)::int AS n FROM ${VIEWS.orderOutbox} WHERE sent_at IS NULL`,
          );
          observed['order-service exit'] = exit;
          observed['order_outbox rows left unsent'] = row?.n;
          checks['order-service exited cleanly in bounded time'] = await stoppedCleanly(order, exit);
          checks['order-service published every accepted order before exiting'] = row?.n === 0;
          await order.start();
        },
      },
      {
        at: 7000,
        name: 'SIGTERM inventory-service-1',
        run: async () => {
          const exit = await inventory.stop();
          const group = scenario.consumerGroup('inventory-service');
          const committed = await committedOffsets(stack.admin, group);
          const rows = await query<{ partition: number; offset: string; unsent: number }>(
            scenario.databaseUrl,
            `SELECT partition, "offset"::text AS "offset",
                    (SELECT count(*)::int FROM ${VIEWS.inventoryOutbox} WHERE sent_at IS NULL) AS unsent
               FROM ${VIEWS.inventoryInbox}`,
          );
          const ahead = inboxRowsAhead(rows, group.topics[0] ?? '', committed);
          observed['inventory-service exit'] = exit;
          observed['inventory events processed but not committed'] = ahead;
          observed['inventory_outbox rows left unsent'] = rows[0]?.unsent;
          checks['inventory-service exited cleanly in bounded time'] = await stoppedCleanly(inventory, exit);
          checks['inventory-service committed every batch it processed'] = ahead === 0;
          checks['inventory-service published every decision before exiting'] = rows[0]?.unsent === 0;
          await inventory.start();
        },
      },
    ]);
    const result = await tail(load);
    timeline.mark('load finished');
    const settleMs = await waitUntilSettled(scenario, 120_000);
    const verification = await verifyScenario(scenario, result.accepted);
    // While the only order-service closes and restarts, clients are refused (or told 503 by the
    // closing server, or see it close a keep-alive connection: 'reset'); never a 500 or a hang.
    checks['POST /orders answered 201, or refused while no instance ran'] = Object.keys(
      result.rejected,
    ).every((outcome) => outcome === 'refused' || outcome === 'reset' || outcome === '503');
    await writeScenarioReport({
      scenario: 'graceful-shutdown',
      title: 'SIGTERM under load (single instances)',
      fault: 'order-service SIGTERMed 3 s into the load and started again; inventory-service at 7 s',
      load: summarizeLoad(result),
      timeline: timeline.events,
      timings: { settleMs },
      checks,
      observations: observed,
      verification,
    });
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  });

  it('a rolling restart of every service under load loses nothing', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('rolling');
    await scenario.startPipeline({ 'order-service': 2, 'inventory-service': 2, 'notification-service': 2 });
    // A load balancer takes an instance out of rotation before it is stopped.
    const draining = new Set<string>();
    const targets = () =>
      scenario
        .instancesOf('order-service')
        .filter((i) => !draining.has(i.id))
        .map((i) => i.url);
    const timeline = new Timeline();
    // Open-ended: the load lasts as long as the rolling restart does, on a fast or a slow machine.
    const load = scenario.load({ rate: 25, targets });
    const exits: Record<string, ExitInfo> = {};
    const clean: Record<string, boolean> = {};
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const instance of [...scenario.instances]) {
      draining.add(instance.id);
      await new Promise((resolve) => setTimeout(resolve, 300));
      timeline.mark(`SIGTERM ${instance.id}`);
      exits[instance.id] = await instance.stop();
      clean[instance.id] = await stoppedCleanly(instance, exits[instance.id] as ExitInfo);
      await instance.start();
      draining.delete(instance.id);
      timeline.mark(`${instance.id} ready again`);
    }
    const result = await tail(load);
    timeline.mark('load finished');
    const settleMs = await waitUntilSettled(scenario, 120_000);
    const verification = await verifyScenario(scenario, result.accepted);
    const checks = {
      'every instance exited cleanly in bounded time': Object.values(clean).every(Boolean),
      'every POST /orders answered 201': result.accepted.length === result.sent,
    };
    await writeScenarioReport({
      scenario: 'rolling-restart',
      title: 'Rolling restart of every service under load',
      fault:
        '2 instances of each service; one after another, each instance is taken out of rotation, SIGTERMed, ' +
        'started again and waited for',
      load: summarizeLoad(result),
      timeline: timeline.events,
      timings: {
        settleMs,
        slowestExitMs: Math.max(...Object.values(exits).map((e) => e.ms)),
      },
      checks,
      observations: { exits },
      verification,
    });
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  });

  it('exits on SIGTERM when its stdout pipe is gone (pretty logs, as npm start runs it)', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('orphaned');
    const [order] = await scenario.add('order-service', 1, { LOG_PRETTY: '1' }, { pipeOutput: true });
    if (!order) throw new Error('order-service not started');
    // Our end of its stdout closes, as when the launcher that read it was SIGKILLed.
    order.dropOutput();
    const answers = await scenario.load({ rate: 20, durationMs: 1000, targets: () => [order.url] }).done;
    const exit = await order.stop(30_000);
    expect(answers.accepted.length).toBe(answers.sent);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(exit.ms).toBeLessThanOrEqual(EXIT_BOUND_MS);
  });
});
