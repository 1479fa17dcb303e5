import { waitFor } from '@kafka-poc/testing';
import { checkInvariants, readFacts } from '@kafka-poc/verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// Two inventory-service instances on different partitions of order-events race for the last units
// of one item: row locks in a fixed order must keep stock from going negative.

let pipeline: TestPipeline;

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed: 'Gadget=10' });
  await pipeline.start('inventory');
  await pipeline.start('inventory');
  await Promise.all([pipeline.start('order'), pipeline.start('notification')]);
  // Both inventory members own partitions before the race starts.
  await waitFor(
    async () => {
      const details = await Promise.all(
        [0, 1].map(async (i) => (await request('GET', `${pipeline.url('inventory', i)}/health/ready`)).body),
      );
      return details.every((d) =>
        /assigned \S+/.test(d.checks[`consumer:${pipeline.groups.inventory}`]?.detail ?? ''),
      );
    },
    { timeoutMs: 30_000, message: 'both inventory instances assigned' },
  );
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('last units under concurrency', () => {
  it('never oversells', async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const { status, body } = await request('POST', `${pipeline.url('order')}/orders`, {
          item: 'Gadget',
          quantity: 1,
        });
        expect(status).toBe(201);
        return body.id as string;
      }),
    );
    await waitFor(
      async () => (await readFacts(pipeline.env.DATABASE_URL ?? '')).notifications.length === 40,
      {
        timeoutMs: 30_000,
        message: '40 notifications',
      },
    );
    const facts = await readFacts(pipeline.env.DATABASE_URL ?? '');
    expect(facts.reservations.filter((r) => r.status === 'RESERVED')).toHaveLength(10);
    expect(facts.stock.get('Gadget')).toBe(0);
    await waitFor(
      async () =>
        (await readFacts(pipeline.env.DATABASE_URL ?? '')).orders.every((o) => o.status !== 'PENDING'),
      {
        timeoutMs: 20_000,
        message: 'all orders final',
      },
    );
    expect(
      checkInvariants(await readFacts(pipeline.env.DATABASE_URL ?? ''), new Map([['Gadget', 10]]), created),
    ).toEqual([]);
  });
});
