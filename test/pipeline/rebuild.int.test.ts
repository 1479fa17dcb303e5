import { VIEWS } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import { testKafkaBrokers, uniqueName, waitFor } from '@kafka-poc/testing';
import { Admin } from '@platformatic/kafka';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliInProcess } from '../support/cli.ts';
import { request } from '../support/http.ts';
import { TestPipeline } from '../support/pipeline.ts';

// The deliberate rebuild path: forget a time range of notifications, rewind the stopped group, and
// the restarted notification-service re-creates exactly those notifications from the log. Nothing
// is deleted unless the rewind succeeded; no notification is lost at the range's boundaries; only
// notifications whose recorded source event is replayed are deleted; a range older than the inbox
// retention or whose events left the topic is refused.

let pipeline: TestPipeline;
let db: pg.Client;
let admin: KafkaAdmin;
/** When the first test started: a --from that covers every notification of this file. */
let fileStart: string;

beforeAll(async () => {
  fileStart = new Date(Date.now() - 1000).toISOString();
  pipeline = await TestPipeline.create({ seed: 'Laptop=100' });
  await pipeline.startAll();
  db = new pg.Client({ connectionString: pipeline.env.DATABASE_URL });
  await db.connect();
  admin = createAdmin({ brokers: testKafkaBrokers(), clientId: uniqueName('rebuild_test') });
  await admin.start();
});

afterAll(async () => {
  await admin?.stop();
  await db?.end();
  await pipeline?.stop();
});

const env = () => ({
  KAFKA_BROKERS: pipeline.env.KAFKA_BROKERS ?? '',
  DATABASE_URL: pipeline.env.DATABASE_URL ?? '',
});
const rebuild = (...args: string[]) =>
  runCliInProcess(['rebuild', 'notifications', '--group', pipeline.groups.notification, ...args], env());

interface Notification {
  id: string;
  order_id: string;
  message: string;
  created_at: Date;
}

const notifications = async (orderIds?: string[]) =>
  (
    await db.query<Notification>(
      `SELECT id, order_id, message, created_at FROM ${VIEWS.notifications}
       WHERE $1::uuid[] IS NULL OR order_id = ANY($1::uuid[]) ORDER BY order_id`,
      [orderIds ?? null],
    )
  ).rows;

async function counts(): Promise<{ notifications: number; inbox: number }> {
  const { rows } = await db.query<{ n: string; i: string }>(
    // Inbox rows of the events that make notifications (order.created is read, skipped, and kept).
    `SELECT (SELECT count(*) FROM ${VIEWS.notifications}) AS n,
            (SELECT count(*) FROM ${VIEWS.notificationInbox} WHERE event_type <> 'order.created') AS i`,
  );
  return { notifications: Number(rows[0]?.n), inbox: Number(rows[0]?.i) };
}

async function placeOrders(count: number): Promise<string[]> {
  const responses = await Promise.all(
    Array.from({ length: count }, () =>
      request('POST', `${pipeline.url('order')}/orders`, { item: 'Laptop', quantity: 1 }),
    ),
  );
  return responses.map((r) => r.body.id as string);
}

const waitForNotifications = (orderIds: string[], message: string) =>
  waitFor(() => notifications(orderIds), {
    until: (rows) => rows.length === orderIds.length,
    timeoutMs: 30_000,
    message,
  });

async function stopNotificationService(): Promise<void> {
  const instance = pipeline.instances.find((i) => i.kind === 'notification')?.runtime;
  if (instance) await pipeline.stop(instance);
  await waitFor(async () => (await admin.describeGroup(pipeline.groups.notification)).members.length === 0, {
    message: 'notification group empty',
  });
}

async function committed(): Promise<Map<number, bigint | undefined>> {
  const lag = await admin.groupLag(pipeline.groups.notification, [pipeline.topics.orderEvents]);
  return new Map(lag.map((p) => [p.partition, p.committedOffset]));
}

const without = (rows: Notification[]) => rows.map(({ created_at: _, ...rest }) => rest);

describe('rebuild notifications', () => {
  it('re-creates exactly the forgotten range, with the same ids; while the service runs it refuses and deletes nothing', async () => {
    const orders = await placeOrders(10);
    const original = await waitForNotifications(orders, '10 notifications');
    const before = await counts();

    // The reset fails (the group has a member): the delete, already run, is rolled back.
    const refused = await rebuild('--from', fileStart);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /refused — group .* active member\(s\); stop notification-service first\. Nothing was deleted/,
    );
    expect(await counts()).toEqual(before);

    await stopNotificationService();
    const offsets = await committed();
    const dryRun = await rebuild('--from', fileStart, '--dry-run');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toMatch(
      /dry run: nothing changed; would forget 10 notification\(s\) and 10 inbox row\(s\)/,
    );
    expect(await counts()).toEqual(before);
    expect(await committed()).toEqual(offsets);

    const rebuilt = await rebuild('--from', fileStart);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/forgot 10 notification\(s\) and 10 inbox row\(s\)/);
    expect(await counts()).toEqual({ notifications: 0, inbox: 0 });

    await pipeline.start('notification');
    const after = await waitForNotifications(orders, 'rebuilt');
    expect(without(after)).toEqual(without(original));
    // Nothing beyond: once the group caught up, still exactly these.
    await waitFor(
      async () => (await admin.groupLag(pipeline.groups.notification)).every((p) => p.lag === 0n),
      {
        message: 'caught up',
      },
    );
    expect(await counts()).toEqual(before);
  });

  it('at the --from and --to boundaries no notification is lost: a notification and its source event’s inbox row go together', async () => {
    const [a, b, c, d] = await placeOrders(4);
    if (!a || !b || !c || !d) throw new Error('4 orders');
    const original = await waitForNotifications([a, b, c, d], '4 notifications');
    await stopNotificationService();
    const events = await eventIdsByOrder();

    // Each pair as a consumer transaction whose now() had this value would have written it: the
    // notification's timestamp(3) column rounds to the millisecond, the inbox row keeps microseconds.
    const from = Math.floor(Date.now() / 1000) * 1000 + 86_400_000; // a whole millisecond, tomorrow
    const to = from + 10;
    const stored = async (orderId: string, ms: number, micros: string) => {
      const now = `${new Date(ms).toISOString().slice(0, -1)}${micros}Z`;
      // Staged in notification-service's own tables: the one place this test writes them (see
      // check-data-ownership.ts).
      await db.query('UPDATE notification_service.notifications SET created_at = $1 WHERE order_id = $2', [
        now,
        orderId,
      ]);
      await db.query(
        'UPDATE notification_service.notification_inbox SET processed_at = $1 WHERE event_id = $2',
        [now, events.get(orderId)],
      );
    };
    await stored(a, from - 1, '600'); // now() = from - 0.4 ms: notification at `from`, inbox row just before
    await stored(b, from - 1, '400'); // now() = from - 0.6 ms: both before `from`
    await stored(c, from, '000'); // now() = from exactly
    await stored(d, to - 1, '600'); // now() = to - 0.4 ms: notification at `to` (excluded), inbox row just before
    const { rows: check } = await db.query<{ created: Date; before: boolean }>(
      `SELECT n.created_at AS created, i.processed_at < n.created_at AS before
       FROM ${VIEWS.notifications} n, ${VIEWS.notificationInbox} i WHERE n.order_id = $1 AND i.event_id = $2`,
      [a, events.get(a)],
    );
    expect(check[0]?.created.getTime()).toBe(from); // rounded up into the range…
    expect(check[0]?.before).toBe(true); // …while the inbox row is before it

    const result = await rebuild('--from', new Date(from).toISOString(), '--to', new Date(to).toISOString());
    expect(result.code, result.stderr).toBe(0);
    // a and c: the notification and its inbox row go together; b and d stay, both rows each.
    expect(result.stdout).toMatch(/forgot 2 notification\(s\) and 2 inbox row\(s\)/);
    expect((await notifications([a, b, c, d])).map((n) => n.order_id).sort()).toEqual([b, d].sort());

    await pipeline.start('notification');
    const after = await waitForNotifications([a, b, c, d], 'a and c rebuilt');
    expect(without(after)).toEqual(without(original));
    const rebuiltAt = new Map(after.map((n) => [n.order_id, n.created_at.getTime()]));
    expect(rebuiltAt.get(a)).toBeLessThan(from); // stored again now
    expect(rebuiltAt.get(c)).toBeLessThan(from);
    expect(rebuiltAt.get(b)).toBe(from - 1); // untouched
    expect(rebuiltAt.get(d)).toBe(to);
  });

  it('rebuilds notifications stored after --from from events produced before it, rewinding to their own offsets', async () => {
    await stopNotificationService();
    const orders = await placeOrders(5);
    // The events exist (inventory decided every order) before --from; they are stored after it.
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'PENDING'`, [orders]))
          .rowCount,
      { until: (n) => n === 5, timeoutMs: 30_000, message: 'orders decided' },
    );
    // …and published: a decided order's status event may still wait in order-service's outbox.
    await waitFor(
      async () =>
        Number(
          (
            await db.query<{ n: string }>(
              `SELECT count(*) AS n FROM ${VIEWS.orderOutbox} WHERE sent_at IS NULL`,
            )
          ).rows[0]?.n,
        ),
      { until: (n) => n === 0, timeoutMs: 30_000, message: 'status events published' },
    );
    const produced = await admin.describeTopics([pipeline.topics.orderEvents]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const from = new Date().toISOString();
    await pipeline.start('notification');
    const original = await waitForNotifications(orders, '5 notifications');
    await stopNotificationService();
    const before = await counts();
    const offsets = await committed();
    const { rows: firsts } = await db.query<{ partition: number; first: string }>(
      `SELECT partition, min("offset") AS first FROM ${VIEWS.notificationInbox}
       WHERE processed_at >= $1 AND processed_at < now() AND event_type <> 'order.created' GROUP BY partition`,
      [from],
    );
    // Their records were written before --from: a reset by time would land after them.
    for (const { partition, first } of firsts) {
      const end = produced[0]?.partitions.find((p) => p.partition === partition)?.latestOffset ?? 0n;
      expect(BigInt(first)).toBeLessThan(end);
    }

    const result = await rebuild('--from', from);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/forgot 5 notification\(s\) and 5 inbox row\(s\)/);
    const rewound = await committed();
    for (const [partition, offset] of offsets) {
      const first = firsts.find((f) => f.partition === partition)?.first;
      // Rewound exactly to the first forgotten event; partitions without one are untouched.
      expect([partition, rewound.get(partition)]).toEqual([
        partition,
        first === undefined ? offset : BigInt(first),
      ]);
    }

    await pipeline.start('notification');
    expect(without(await waitForNotifications(orders, '5 rebuilt'))).toEqual(without(original));
    await waitFor(
      async () => (await admin.groupLag(pipeline.groups.notification)).every((p) => p.lag === 0n),
      {
        message: 'caught up',
      },
    );
    expect(await counts()).toEqual(before);
  });

  it('forgets only notifications whose source event it replays: one without a source and one stored before --from survive', async () => {
    const [outside] = await placeOrders(1);
    if (!outside) throw new Error('1 order');
    await waitForNotifications([outside], 'the notification before the range');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const from = new Date().toISOString();
    const inRange = await placeOrders(4);
    const original = await waitForNotifications(inRange, '4 notifications in the range');
    await stopNotificationService();

    // Each notification records the status event that stored it, as the inbox saw it.
    const { rows: sources } = await db.query<{ same: boolean; event_type: string }>(
      `SELECT i.event_type, (i.topic, i.partition, i."offset") = (n.source_topic, n.source_partition, n.source_offset) AS same
       FROM ${VIEWS.notifications} n JOIN ${VIEWS.notificationInbox} i ON i.event_id = n.source_event_id
       WHERE n.order_id = ANY($1::uuid[])`,
      [inRange],
    );
    expect(sources).toHaveLength(4);
    expect(sources.every((r) => r.same && r.event_type === 'order.confirmed')).toBe(true);

    // One of them as stored before notifications recorded their source (the rows of an upgrade).
    const [legacy] = inRange;
    if (!legacy) throw new Error('4 orders');
    await db.query(
      `UPDATE notification_service.notifications
       SET source_event_id = NULL, source_topic = NULL, source_partition = NULL, source_offset = NULL
       WHERE order_id = $1`,
      [legacy],
    );
    const before = await counts();
    const survivors = await notifications([outside, legacy]);

    const result = await rebuild('--from', from);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/forgot 3 notification\(s\) and 3 inbox row\(s\)/);
    expect(result.stdout).toMatch(/kept 1 notification\(s\) of the range that record no source event/);
    // Exactly the three with a source in the range are gone; the other two are untouched.
    expect((await notifications([outside, ...inRange])).map((n) => n.order_id).sort()).toEqual(
      [outside, legacy].sort(),
    );
    expect(await notifications([outside, legacy])).toEqual(survivors);

    await pipeline.start('notification');
    expect(without(await waitForNotifications(inRange, 'the 3 rebuilt'))).toEqual(without(original));
    await waitFor(
      async () => (await admin.groupLag(pipeline.groups.notification)).every((p) => p.lag === 0n),
      { message: 'caught up' },
    );
    expect(await counts()).toEqual(before);
    expect(await notifications([outside, legacy])).toEqual(survivors);
  });

  it('refuses, deleting nothing, a range that starts before the inbox retention', async () => {
    await stopNotificationService();
    const before = await counts();
    const offsets = await committed();
    // fileStart was a second old when the file started: with INBOX_RETENTION_MS=1000 the range
    // reaches past what the inbox remembers.
    const refused = await runCliInProcess(
      ['rebuild', 'notifications', '--group', pipeline.groups.notification, '--from', fileStart],
      { ...env(), INBOX_RETENTION_MS: '1000' },
    );
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(
      /refused — the range \[\S+, \S+\) starts before \S+, older than the inbox retention \(INBOX_RETENTION_MS=1000, 1000 ms\).*Nothing was deleted; choose --from at or after/,
    );
    expect(refused.stderr).toContain(`[${new Date(fileStart).toISOString()}, `);
    expect(await counts()).toEqual(before);
    expect(await committed()).toEqual(offsets);
  });

  it('refuses, deleting nothing, when an event of the range is no longer in the log', async () => {
    await stopNotificationService();
    const before = await counts();
    const offsets = await committed();
    // Retention removed every record of every partition so far (DeleteRecords moves the log start):
    // the status events of the range, not only the order.created that open each partition.
    const [topic] = await admin.describeTopics([pipeline.topics.orderEvents]);
    const raw = new Admin({ clientId: uniqueName('truncate'), bootstrapBrokers: testKafkaBrokers() });
    try {
      await raw.deleteRecords({
        topics: [
          {
            name: pipeline.topics.orderEvents,
            partitions: (topic?.partitions ?? [])
              .filter((p) => p.latestOffset >= 1n)
              .map((p) => ({ partition: p.partition, offset: p.latestOffset })),
          },
        ],
      });
    } finally {
      await raw.close();
    }

    const refused = await runCli(
      ['rebuild', 'notifications', '--group', pipeline.groups.notification, '--from', fileStart],
      pipeline.env.KAFKA_BROKERS ?? '',
      60_000,
      env(),
    );
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(
      /refused — some events of the range \[\S+, \S+\) are no longer in the topic/,
    );
    expect(refused.stderr).toMatch(/the earliest offset still in the topic is \d+\).*Nothing was deleted/);
    expect(await counts()).toEqual(before);
    expect(await committed()).toEqual(offsets);

    // Their inbox rows purged as well (the janitor of a short INBOX_RETENTION_MS): the notifications
    // still name their source events, and those are gone from the topic — still refused.
    await db.query('DELETE FROM notification_service.notification_inbox');
    const inboxGone = await counts();
    const stillRefused = await rebuild('--from', fileStart);
    expect(stillRefused.code, stillRefused.stdout).toBe(1);
    expect(stillRefused.stderr).toMatch(/are no longer in the topic.*Nothing was deleted/);
    expect(await counts()).toEqual(inboxGone);
    expect(inboxGone.notifications).toBe(before.notifications);
    expect(await committed()).toEqual(offsets);
  });
});

/** Status event id of each order, read from the topic (the inbox knows events, not orders). */
async function eventIdsByOrder(): Promise<Map<string, string>> {
  const [topic] = await admin.describeTopics([pipeline.topics.orderEvents]);
  const ids = new Map<string, string>();
  for (const p of topic?.partitions ?? []) {
    const messages = await admin.readMessages(pipeline.topics.orderEvents, {
      partition: p.partition,
      limit: 1000,
    });
    for (const m of messages) {
      const event = JSON.parse(m.value.toString()) as {
        id: string;
        type: string;
        payload: { orderId: string };
      };
      if (event.type !== 'order.created') ids.set(event.payload.orderId, event.id);
    }
  }
  return ids;
}
