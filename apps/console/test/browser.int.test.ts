import { createAdmin, createConsumerRunner, type IncomingMessage, type KafkaAdmin } from '@kafka-poc/kafka';
import { testKafkaBrokers, uniqueName, waitFor } from '@kafka-poc/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.ts';
import { type RunningConsole, startConsole, TestPipeline } from './support/console-harness.ts';
import { saveScreenshot } from './support/screenshots.ts';

// Every page of the console in Debian's Chromium, against the three services and the real broker,
// with every write action: stock change, create topic, produce, redrive one and all, offset reset.

let pipeline: TestPipeline;
let consoleApp: RunningConsole;
let browser: Browser;
let admin: KafkaAdmin;
const startedAt = Date.now();
const orders: { confirmed?: string; rejected?: string } = {};

beforeAll(async () => {
  pipeline = await TestPipeline.create({ seed: 'Laptop=50,Phone=100,Monitor=3' });
  await pipeline.startAll();
  consoleApp = await startConsole({ pipeline });
  admin = createAdmin({ brokers: testKafkaBrokers(), clientId: uniqueName('console_browser_test') });
  await admin.start();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await consoleApp?.stop();
  await admin?.stop();
  await pipeline?.stop();
});

async function placeOrder(item: string, quantity: number): Promise<string> {
  const response = await fetch(`${pipeline.url('order')}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ item, quantity }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function readAll(topic: string): Promise<IncomingMessage[]> {
  const [description] = await admin.describeTopics([topic]);
  const all: IncomingMessage[] = [];
  for (const p of description?.partitions ?? []) {
    all.push(...(await admin.readMessages(topic, { partition: p.partition, limit: 1000 })));
  }
  return all;
}

async function countMessages(topic: string): Promise<number> {
  const [description] = await admin.describeTopics([topic]);
  return (description?.partitions ?? []).reduce((n, p) => n + Number(p.latestOffset - p.earliestOffset), 0);
}

describe('console in a real browser', () => {
  it('order flow: orders move live, the timeline times every hop, stock can be changed', async () => {
    const { page } = browser;
    await page.goto(`${consoleApp.url}/#/flow`);
    await page.getByRole('heading', { name: 'Order flow' }).waitFor();
    orders.confirmed = await placeOrder('Laptop', 2);
    orders.rejected = await placeOrder('Unicorn', 1);

    // The list refreshes by itself: the orders show up and reach their final status.
    await page.locator(`tr[data-order="${orders.confirmed}"][data-status="CONFIRMED"]`).waitFor();
    const rejected = page.locator(`tr[data-order="${orders.rejected}"][data-status="REJECTED"]`);
    await rejected.waitFor();
    expect(await rejected.textContent()).toContain('unknown item "Unicorn"');

    // One order's way through the services, hop by hop, each with its time.
    await page.locator(`tr[data-order="${orders.confirmed}"] a`).click();
    const timeline = page.getByRole('region', { name: 'Order timeline' });
    await timeline.locator('li.done').nth(6).waitFor();
    expect(await timeline.locator('li.done').count()).toBe(7);
    const text = await timeline.textContent();
    expect(text).toContain('PENDING → CONFIRMED');
    expect(text).toContain('order.created published');
    expect(text).toContain('inventory.reserved published');
    expect(text).toMatch(/\+\d+ ms/);
    expect(text).toContain(`Order ${orders.confirmed} is CONFIRMED`);

    // Throughput and latency come from the services' own timestamps.
    // Any duration ("640 ms", "2.31 s" on a busy machine), not how fast: that is the benchmark's job.
    await waitFor(
      async () => /\d+(\.\d+)? (ms|s|min)\b/.test((await page.locator('.cards').textContent()) ?? ''),
      {
        message: 'latency cards',
      },
    );
    // Both charts (uPlot, on canvas) got their series.
    const charts = page.locator('figure.chart-box');
    expect(await charts.count()).toBe(2);
    for (const chart of await charts.all()) {
      await chart.locator('canvas').waitFor();
      expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    }

    // Stock change through the inventory-service API.
    const laptop = page.locator('tr[data-item="Laptop"]');
    await laptop.getByRole('spinbutton').fill('123');
    await laptop.getByRole('button', { name: 'Set' }).click();
    await page.getByText('Stock of Laptop set to 123').waitFor();
    const stock = (await (await fetch(`${pipeline.url('inventory')}/inventory/Laptop`)).json()) as {
      stock: number;
    };
    expect(stock.stock).toBe(123);
    await waitFor(async () => (await laptop.getByTestId('stock').textContent()) === '123', {
      message: 'stock table shows 123',
    });
    await saveScreenshot(page, 'order-flow');
  });

  it('cluster: brokers, topics with partition details, create a topic', async () => {
    const { page } = browser;
    const topic = pipeline.topics.orderEvents;
    await page.goto(`${consoleApp.url}/#/cluster`);
    await page.getByRole('table', { name: 'Brokers' }).getByText('controller').waitFor();
    await page.getByPlaceholder('Filter topics').fill(topic);
    const row = page.locator(`tr[data-topic="${topic}"]`);
    await row.getByRole('button').click();
    const partitions = page.getByRole('table', { name: `Partitions of ${topic}` });
    await partitions.waitFor();
    expect(await partitions.locator('tbody tr').count()).toBe(3);
    expect(await partitions.locator('thead').textContent()).toMatch(
      /Leader.*Replicas.*ISR.*Earliest.*Latest/,
    );

    const created = uniqueName('console_created');
    const form = page.getByRole('form', { name: 'Create topic' });
    await form.getByLabel('Name').fill(created);
    await form.getByLabel('Partitions').fill('2');
    await form.getByLabel('Replication factor').fill('1');
    await form.getByLabel('Cleanup policy').selectOption('compact');
    await form.getByRole('button', { name: 'Create topic' }).click();
    await page.getByText(`Topic ${created} created with 2 partition(s)`).waitFor();
    const [description] = await admin.describeTopics([created]);
    expect(description?.partitions).toHaveLength(2);
    await page.getByPlaceholder('Filter topics').fill(created);
    await page.locator(`tr[data-topic="${created}"]`).waitFor();

    // Its config: the cleanup policy chosen in the form is marked as set on the topic, listed first.
    await page.locator(`tr[data-topic="${created}"]`).getByRole('button').click();
    await page.getByText(/Config \(\d+ settings, 1 set on the topic\)/).click();
    const config = page.getByRole('table', { name: `Config of ${created}` });
    await config.waitFor();
    const first = config.locator('tbody tr').first();
    expect(await first.getAttribute('data-config')).toBe('cleanup.policy');
    expect(await first.getAttribute('class')).toBe('config-override');
    expect(await first.textContent()).toMatch(/cleanup\.policy.*set on topic.*compact.*topic/);
    expect(await config.locator('tbody tr.config-default').count()).toBeGreaterThan(10);

    // The same name again is refused with the server's reason.
    await form.getByLabel('Name').fill(created);
    await form.getByRole('button', { name: 'Create topic' }).click();
    await page.getByText(`topic ${created} already exists`).waitFor();
    await page.getByPlaceholder('Filter topics').fill('');
    await saveScreenshot(page, 'cluster');
  });

  it('messages: newest first, filter by key, offset and time, pretty JSON, live tail, produce', async () => {
    const { page } = browser;
    const topic = pipeline.topics.orderEvents;
    await page.goto(`${consoleApp.url}/#/messages?topic=${encodeURIComponent(topic)}`);
    const results = page.getByRole('table', { name: 'Messages' });
    await results.locator('tbody tr.message').nth(1).waitFor();

    // Filter by key: the confirmed order's events only (order.created, then order.confirmed from
    // order-service); the created one's value as pretty JSON.
    const controls = page.getByRole('form', { name: 'Browse messages' });
    await controls.getByLabel('Key filter').fill(orders.confirmed ?? '');
    await controls.getByRole('button', { name: 'Load' }).click();
    await waitFor(async () => (await results.locator('tbody tr.message').count()) === 2, {
      message: "the order's two events",
    });
    const row = results.locator('tbody tr.message', { hasText: 'order.created' }).first();
    const partition = (await row.getAttribute('data-partition')) ?? '';
    const offset = (await row.getAttribute('data-offset')) ?? '';
    await row.click();
    const value = await page.locator('pre.value').textContent();
    expect(value).toContain('"type": "order.created"');
    expect(value).toContain(`"orderId": "${orders.confirmed}"`);
    expect(await page.locator('table.headers').textContent()).toContain('event-type');

    // Text filter, then from an offset in one partition.
    await controls.getByLabel('Key filter').fill('');
    await controls.getByLabel('Text filter').fill('Unicorn');
    await controls.getByRole('button', { name: 'Load' }).click();
    // The Unicorn order's order.created and order.rejected (both name the item).
    await waitFor(async () => (await results.locator('tbody tr.message').count()) === 2, {
      message: 'Unicorn',
    });
    await controls.getByLabel('Text filter').fill('');
    await controls.getByLabel('Partition').selectOption(partition);
    await controls.getByLabel('Start').selectOption('offset');
    await controls.getByLabel('Offset').fill(offset);
    await controls.getByRole('button', { name: 'Load' }).click();
    await waitFor(
      async () => (await results.locator('tbody tr.message').first().getAttribute('data-offset')) === offset,
      {
        message: `first row at offset ${offset}`,
      },
    );

    // From a time: before the test everything, after it nothing.
    await controls.getByLabel('Partition').selectOption('');
    await controls.getByLabel('Start').selectOption('time');
    await controls.getByLabel('From time').fill(localInput(startedAt - 60_000));
    await controls.getByRole('button', { name: 'Load' }).click();
    await waitFor(async () => (await results.locator('tbody tr.message').count()) >= 2, {
      message: 'from time',
    });
    await controls.getByLabel('From time').fill(localInput(Date.now() + 3_600_000));
    await controls.getByRole('button', { name: 'Load' }).click();
    await page.getByText('No messages.').waitFor();

    // Live tail, then produce a message (not valid JSON: inventory-service and notification-service
    // will each dead-letter it).
    await controls.getByLabel('Start').selectOption('newest');
    await controls.getByRole('button', { name: 'Load' }).click();
    await page.getByRole('button', { name: 'Live tail' }).click();
    await page.getByText(`Live: new messages of ${topic} appear at the top.`).waitFor();
    const key = uniqueName('poison');
    const produce = page.getByRole('form', { name: 'Produce a message' });
    await produce.getByLabel('Message key').fill(key);
    await produce.getByLabel('Message headers').fill('x-console-test: yes\nevent-type: order.created');
    await produce.getByLabel('Message value').fill('{"not": json');
    await produce.getByRole('button', { name: 'Produce' }).click();
    await page.getByText(new RegExp(`Produced to ${topic} partition \\d+ at offset \\d+`)).waitFor();
    const tailed = results.locator('tbody tr.message.fresh', { hasText: key });
    await tailed.waitFor();
    const produced = (await readAll(topic)).find((m) => m.key === key);
    expect(produced?.headers['x-console-test']).toBe('yes');
    expect(produced?.value.toString()).toBe('{"not": json');
    await saveScreenshot(page, 'messages');
    await page.getByRole('button', { name: '● Live' }).click();
  });

  it('dead letters: error headers, redrive one, redrive all after confirming', async () => {
    const { page } = browser;
    const topic = pipeline.topics.orderEvents;
    const dlt = `${topic}.DLT`;
    // Two groups read order-events (inventory-service and notification-service): each dead-letters
    // the poison record, so every record on the topic gives two letters.
    await waitFor(() => countMessages(dlt), {
      until: (n) => n === 2,
      message: 'a dead letter from each group reading the topic',
      timeoutMs: 20_000,
    });
    await page.goto(`${consoleApp.url}/#/dead-letters/${encodeURIComponent(dlt)}`);
    const letters = page.getByRole('table', { name: 'Dead letters' });
    const letter = letters.locator('tbody tr.message', { hasText: pipeline.groups.inventory }).first();
    await letter.waitFor();
    const text = await letter.textContent();
    expect(text).toContain('invalid JSON');
    expect(text).toContain(pipeline.groups.inventory);
    expect(text).toContain(topic);
    await letter.click();
    expect(await page.locator('table.headers').textContent()).toContain('dlq-original-offset');

    // Redrive one: back on the original topic with dlq-redriven-from; still poison, so dead-lettered again.
    await letter.getByRole('button', { name: 'Redrive' }).click();
    await page.getByText(/Redriven .*: 1 message\(s\) to/).waitFor();
    const redriven = await waitFor(
      async () => (await readAll(topic)).find((m) => m.headers['dlq-redriven-from']?.startsWith(dlt)),
      { message: 'redriven message on the original topic' },
    );
    expect(redriven?.headers['x-console-test']).toBe('yes');
    expect(
      Object.keys(redriven?.headers ?? {}).filter((h) => h.startsWith('dlq-') && h !== 'dlq-redriven-from'),
    ).toEqual([]);
    await waitFor(() => countMessages(dlt), {
      until: (n) => n === 4,
      message: 'the redriven record dead-lettered again by both groups',
      timeoutMs: 20_000,
    });

    // Redrive all needs a confirmation.
    await page.getByRole('button', { name: 'Redrive all…' }).click();
    await page.getByRole('button', { name: /Confirm: redrive all \d+/ }).click();
    await page.getByText(/Redriven all: 4 message\(s\)/).waitFor();
    await waitFor(() => countMessages(dlt), {
      until: (n) => n === 12,
      message: 'all four back in the DLT, twice each',
      timeoutMs: 20_000,
    });
    await page.locator(`tr[data-topic="${dlt}"] td.num`, { hasText: /^12$/ }).waitFor();
    await saveScreenshot(page, 'dead-letters');
  });

  it('consumer groups: members, lag, lag chart; reset offsets of an empty group after a preview, a skip only when confirmed', async () => {
    const { page } = browser;
    await page.goto(`${consoleApp.url}/#/groups`);
    const groups = page.getByRole('table', { name: 'Consumer groups' });
    for (const group of Object.values(pipeline.groups)) {
      await groups.locator(`tr[data-group="${group}"]`, { hasText: 'Stable' }).waitFor();
    }
    await saveScreenshot(page, 'consumer-groups');

    // A running group: its members and lag; no reset while it has members.
    await groups.locator(`tr[data-group="${pipeline.groups.inventory}"] a`).click();
    await page.getByRole('table', { name: 'Members' }).waitFor();
    const partitions = page.getByRole('table', { name: 'Partitions' });
    expect(await partitions.locator('tbody tr').count()).toBe(3);
    await page.getByTestId('reset-unavailable').waitFor();
    await waitFor(
      async () => Number(await page.locator('figure.chart-box').first().getAttribute('data-points')) >= 2,
      { message: 'lag chart with two samples' },
    );
    await saveScreenshot(page, 'consumer-group');

    // An empty group with committed offsets: consume the topic once, then leave.
    const topic = pipeline.topics.orderEvents;
    const groupId = uniqueName('console_replay');
    const total = await countMessages(topic);
    let seen = 0;
    const runner = createConsumerRunner({
      connection: { brokers: testKafkaBrokers(), clientId: groupId },
      groupId,
      topics: [topic],
      handler: async (batch) => {
        seen += batch.length;
      },
    });
    await runner.start();
    await waitFor(
      async () => (await admin.groupLag(groupId, [topic])).every((p) => p.lag === 0n) && seen >= total,
      {
        message: 'replay group caught up',
        timeoutMs: 30_000,
      },
    );
    await runner.stop();

    await page.goto(`${consoleApp.url}/#/groups/${encodeURIComponent(groupId)}`);
    const reset = page.getByRole('region', { name: 'Reset offsets' });
    await reset.getByLabel('Reset to', { exact: true }).selectOption('earliest');
    await reset.getByRole('button', { name: 'Preview reset' }).click();
    const plan = page.getByRole('table', { name: 'Reset plan' });
    await plan.waitFor();
    expect(await plan.locator('tbody tr').count()).toBe(3);
    // The preview changed nothing.
    expect((await admin.groupLag(groupId, [topic])).every((p) => p.lag === 0n)).toBe(true);
    await saveScreenshot(page, 'reset-offsets');
    await reset.getByRole('button', { name: 'Confirm reset' }).click();
    await page.getByText(`Offsets of ${groupId} reset on 3 partition(s)`).waitFor();
    const lag = await admin.groupLag(groupId, [topic]);
    expect(lag.reduce((sum, p) => sum + Number(p.lag), 0)).toBe(await countMessages(topic));
    await waitFor(async () => (await page.getByTestId('total-lag').textContent()) !== '0', {
      message: 'lag shown after the reset',
    });

    // Forward to latest now skips every record the group has not consumed: the preview says how
    // many per partition, and Confirm waits for the explicit "skip on purpose".
    const skipping = await countMessages(topic);
    await reset.getByLabel('Reset to', { exact: true }).selectOption('latest');
    await reset.getByRole('button', { name: 'Preview reset' }).click();
    const warning = reset.getByTestId('reset-skips');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(`skips ${skipping} record(s) the group never consumed`);
    expect(await reset.getByTestId('reset-summary').textContent()).toContain(
      `skips ${skipping} never consumed`,
    );
    const confirm = reset.getByRole('button', { name: 'Confirm reset' });
    expect(await confirm.isDisabled()).toBe(true);
    await reset.getByLabel('Skip unconsumed records').check();
    await confirm.click();
    await page.getByText(`${skipping} unconsumed record(s) skipped`).waitFor();
    expect((await admin.groupLag(groupId, [topic])).every((p) => p.lag === 0n)).toBe(true);
  });

  it('reported no page errors', () => {
    expect(browser.errors).toEqual([]);
  });
});

/** The value a datetime-local input takes, in the browser's (= this machine's) time zone. */
function localInput(ms: number): string {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 19);
}
