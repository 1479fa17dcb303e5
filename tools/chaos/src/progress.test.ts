import type { KafkaAdmin } from '@kafka-poc/kafka';
import { type FakePostgres, startFakePostgres } from '@kafka-poc/verification/fake-postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgressReporter } from './progress.ts';

let fake: FakePostgres | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function reporter(databaseUrl: string, lines: string[]): ProgressReporter {
  return new ProgressReporter(
    {
      admin: { groupLag: async () => [] } as unknown as KafkaAdmin,
      databaseUrl,
      groups: [{ groupId: 'inventory-service', topics: ['order-events'] }],
      load: () => undefined,
      activeFaults: () => ['#37 pg-restart postgres'],
      db: { backoff: { initialMs: 20, maxMs: 50 } },
    },
    Date.now(),
    (line) => lines.push(line),
  );
}

describe('progress samples through Postgres faults', () => {
  it('a connection reset during the sample is retried within the sample', async () => {
    fake = await startFakePostgres({
      answer: (_sql, session) => (session.id === 1 ? 'reset' : { rows: [{ n: 7 }] }),
    });
    const lines: string[] = [];
    const sample = await reporter(fake.url, lines).sample();
    expect(sample?.unsent).toBe(7);
    expect(lines[0]).toMatch(/unsent 7 .*faults: #37 pg-restart postgres/);
  });

  it("Postgres down: the sample shows '?' after its timeout instead of waiting or failing", async () => {
    fake = await startFakePostgres();
    await fake.setState('down');
    const lines: string[] = [];
    const started = Date.now();
    const sample = await reporter(fake.url, lines).sample();
    expect(Date.now() - started).toBeLessThan(4500);
    expect(sample?.unsent).toBeUndefined();
    expect(lines[0]).toMatch(/unsent \?/);
  });
});
