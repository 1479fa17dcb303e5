/**
 * Screenshots of the console's main pages for the docs, taken from a running stack (`npm start`):
 *
 *   npx node apps/console/test/take-screenshots.ts [--console URL] [--orders URL] [--out DIR]
 *
 * Places a few orders (some rejected) and one message that is not JSON (so there is a dead letter),
 * consumes order-events once under the group `console-screenshots-replay` (left behind, empty) and
 * resets it to the earliest offsets through the console (so its lag chart has something to show),
 * then saves docs/screenshots/*.png. Set CONSOLE_TOKEN when the console asks for a login.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAdmin, createConsumerRunner } from '@kafka-poc/kafka';
import type { Page } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';

const { values } = parseArgs({
  options: {
    console: { type: 'string', default: 'http://127.0.0.1:8080' },
    orders: { type: 'string', default: 'http://127.0.0.1:8000' },
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    out: { type: 'string', default: resolve(import.meta.dirname, '..', '..', '..', 'docs', 'screenshots') },
  },
});
const base = values.console;
const out = values.out;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function placeOrders(): Promise<string[]> {
  const ids: string[] = [];
  const items = ['Laptop', 'Phone', 'Headphones', 'Monitor', 'Keyboard', 'Phone', 'Unicorn', 'Laptop'];
  for (let i = 0; i < 24; i++) {
    const item = items[i % items.length] ?? 'Phone';
    const quantity = item === 'Monitor' && i > 10 ? 500 : 1 + (i % 3);
    const order = await json<{ id: string }>(`${values.orders}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item, quantity }),
    });
    ids.push(order.id);
    await sleep(250);
  }
  return ids;
}

/** A group that read the topic to its end and left: empty, so the console may reset it. */
async function consumeOnce(topic: string, groupId: string): Promise<void> {
  const connection = { brokers: values.brokers.split(','), clientId: groupId };
  const admin = createAdmin(connection);
  await admin.start();
  const runner = createConsumerRunner({
    connection,
    groupId,
    topics: [topic],
    handler: async () => undefined,
  });
  try {
    await runner.start();
    for (let i = 0; i < 100; i++) {
      if ((await admin.groupLag(groupId, [topic])).every((p) => p.lag === 0n)) break;
      await sleep(200);
    }
  } finally {
    await runner.stop();
    await admin.stop();
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  process.stdout.write(`saved ${join(out, `${name}.png`)}\n`);
}

async function main(): Promise<void> {
  await mkdir(out, { recursive: true });
  const browser = await launchBrowser();
  const { page } = browser;
  try {
    await page.goto(`${base}/`);
    if (await page.getByRole('form', { name: 'Log in' }).isVisible()) {
      await page.getByLabel('Token').fill(process.env.CONSOLE_TOKEN ?? '');
      await page.getByRole('button', { name: 'Log in' }).click();
    }
    const { topics } = (await page.evaluate(async () => (await fetch('/api/info')).json())) as {
      topics: { orderEvents: string };
    };

    const ids = await placeOrders();
    // One message that is not JSON: inventory-service dead-letters it.
    await page.evaluate(async (topic) => {
      await fetch(`/api/topics/${encodeURIComponent(topic)}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          key: 'broken-order',
          value: '{"orderId": oops',
          headers: { 'event-type': 'order.created' },
        }),
      });
    }, topics.orderEvents);
    await sleep(3000);

    const { items } = (await page.evaluate(async () =>
      (await fetch('/api/orders?status=CONFIRMED&limit=1')).json(),
    )) as {
      items: { id: string }[];
    };
    const confirmed = items[0]?.id ?? ids[0];
    await page.goto(`${base}/#/flow/${confirmed}`);
    await page.locator('.timeline li.done').nth(6).waitFor();
    await sleep(1500);
    await shot(page, 'order-flow');

    await page.goto(`${base}/#/cluster`);
    await page.locator(`tr[data-topic="${topics.orderEvents}"] button`).click();
    await sleep(500);
    await shot(page, 'cluster');

    await page.goto(`${base}/#/messages?topic=${encodeURIComponent(topics.orderEvents)}&limit=20`);
    await page.locator('tr.message').nth(2).click();
    await sleep(500);
    await shot(page, 'messages');

    const replay = 'console-screenshots-replay';
    await consumeOnce(topics.orderEvents, replay);
    await page.goto(`${base}/#/groups/${encodeURIComponent(replay)}`);
    const reset = page.getByRole('region', { name: 'Reset offsets' });
    await reset.getByLabel('Reset to', { exact: true }).selectOption('earliest');
    await sleep(6000);
    await reset.getByRole('button', { name: 'Preview reset' }).click();
    await page.getByRole('table', { name: 'Reset plan' }).waitFor();
    await shot(page, 'reset-offsets');
    await reset.getByRole('button', { name: 'Confirm reset' }).click();
    await sleep(11_000);
    await shot(page, 'consumer-group');

    await page.goto(`${base}/#/groups`);
    await page.getByRole('table', { name: 'Consumer groups' }).waitFor();
    await sleep(500);
    await shot(page, 'consumer-groups');

    await page.goto(`${base}/#/dead-letters/${encodeURIComponent(`${topics.orderEvents}.DLT`)}`);
    await page.getByRole('table', { name: 'Dead letters' }).locator('tr.message').first().click();
    await sleep(500);
    await shot(page, 'dead-letters');
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
