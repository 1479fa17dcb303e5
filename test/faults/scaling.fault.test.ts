import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { runCli } from '../support/cli.ts';
import { verifyScenario, waitUntilSettled } from '../support/fault-checks.ts';
import { assignmentOf, waitForBalancedGroup } from '../support/group-assignment.ts';
import { ProcessStack } from '../support/process-stack.ts';
import { summarizeLoad, Timeline, tail, writeScenarioReport } from '../support/scenario-report.ts';

// Scenario 1, scaling: N consumer instances share the partitions one each, and instances joining
// and leaving while orders flow lose nothing and duplicate nothing.

let stack: ProcessStack;

beforeAll(async () => {
  stack = await ProcessStack.start({ name: 'scaling' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('scaling consumers', () => {
  it('3 notification-service instances get one partition each; joins and leaves under load lose nothing', async () => {
    onTestFailed(() => {
      stack.keepLogs = true;
    });
    const scenario = await stack.scenario('scaling');
    await scenario.startPipeline({ 'notification-service': 3 });
    const group = scenario.group('notification-service');
    const balanced = await waitForBalancedGroup(stack.admin, group, { members: 3, partitions: 3 });
    const initialAssignment = assignmentOf(balanced);
    const cli = await runCli(['group', group], stack.kafka.bootstrapServers);

    const timeline = new Timeline();
    const load = scenario.load({ rate: 25 });
    await timeline.runSteps([
      { at: 2500, name: 'start notification-service-4', run: () => scenario.add('notification-service') },
      { at: 5000, name: 'start inventory-service-2', run: () => scenario.add('inventory-service') },
      {
        at: 8000,
        name: 'SIGTERM notification-service-1',
        run: () => scenario.instance('notification-service-1').stop(),
      },
      {
        at: 10_000,
        name: 'SIGTERM inventory-service-1',
        run: () => scenario.instance('inventory-service-1').stop(),
      },
      {
        at: 12_000,
        name: 'SIGTERM notification-service-2',
        run: () => scenario.instance('notification-service-2').stop(),
      },
    ]);
    const result = await tail(load);
    timeline.mark('load finished');
    const settleMs = await waitUntilSettled(scenario);
    const verification = await verifyScenario(scenario, result.accepted);
    const finalGroup = await waitForBalancedGroup(stack.admin, group, { members: 2, partitions: 3 });

    const checks = {
      'the group uses the KIP-848 consumer protocol': balanced.protocol === 'consumer',
      'three members, one partition each': Object.values(initialAssignment).every((p) => p.length === 1),
      'CLI shows each instance with its partition': ['1', '2', '3'].every((n) =>
        new RegExp(`notification-service-${n}\\s.*:\\d`).test(cli.stdout),
      ),
      'every request answered 201': result.accepted.length === result.sent,
      'remaining two members own all three partitions': Object.keys(assignmentOf(finalGroup)).length === 2,
    };
    await writeScenarioReport({
      scenario: 'scaling',
      title: 'Scaling: instances join and leave while orders flow',
      fault:
        '3 notification-service instances on 3 partitions; under load a 4th notification and a 2nd inventory instance join, ' +
        'then notification-1, inventory-1 and notification-2 leave (SIGTERM)',
      load: summarizeLoad(result),
      timeline: timeline.events,
      timings: { settleMs },
      checks,
      observations: {
        initialAssignment,
        finalAssignment: assignmentOf(finalGroup),
        cliGroupOutput: cli.stdout.trim().split('\n'),
      },
      verification,
    });
    expect(cli.code, cli.stderr).toBe(0);
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
    expect(verification.problems).toEqual([]);
  });
});
