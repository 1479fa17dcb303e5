import { type FakePostgres, startFakePostgres } from '@kafka-poc/verification/fake-postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '../random.ts';
import type { ChaosStack } from '../stack.ts';
import { lockHold, slowStatements } from './database.ts';
import type { FaultContext } from './types.ts';

let fake: FakePostgres | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function context(databaseUrl: string): { ctx: FaultContext; lines: string[] } {
  const lines: string[] = [];
  const ctx: FaultContext = {
    stack: { databaseUrl } as unknown as ChaosStack,
    random: new Random(7771),
    log: (line) => lines.push(line),
    statementTimeoutMs: 1000,
    signal: new AbortController().signal,
  };
  return { ctx, lines };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// The nemesis' own sessions (real pg.Client) against a fake server that terminates them as a
// Postgres restart would: pg emits 'error' on the idle session, which must be logged, not crash.
describe("the nemesis' Postgres sessions survive their connection being dropped", () => {
  it('slow-statements: its session terminated while the trigger is in place; the heal drops it on a new one', async () => {
    fake = await startFakePostgres({ answer: () => ({ rows: [] }) });
    const { ctx, lines } = context(fake.url);
    const plan = slowStatements.plan(ctx, new Set());
    if (!plan) throw new Error('no plan');
    const injected = await plan.inject();
    expect(fake.sessions[0]?.queries.some((q) => q.startsWith('CREATE TRIGGER chaos_slow'))).toBe(true);
    fake.sessions[0]?.terminate();
    await until(() => lines.some((l) => l.includes('nemesis session to Postgres lost')));
    await expect(injected.heal()).resolves.toBe('removed at attempt 2');
    expect(fake.sessions).toHaveLength(2);
    expect(fake.sessions[1]?.queries.some((q) => q.startsWith('DROP TRIGGER IF EXISTS chaos_slow'))).toBe(
      true,
    );
  });

  it('lock-hold: its session terminated while it holds the locks; the heal completes', async () => {
    fake = await startFakePostgres({ answer: () => ({ rows: [{ item: 'Laptop' }] }) });
    const { ctx, lines } = context(fake.url);
    const plan = lockHold.plan(ctx, new Set());
    if (!plan) throw new Error('no plan');
    const injected = await plan.inject();
    fake.sessions[0]?.terminate();
    await until(() => lines.some((l) => l.includes('administrator command')));
    await expect(injected.heal()).resolves.toBeUndefined();
  });
});
