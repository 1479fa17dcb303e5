import { createProducer, type KafkaProducer } from '@kafka-poc/kafka';
import { testKafkaBrokers, uniqueName, waitFor } from '@kafka-poc/testing';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from './support/browser.ts';
import { type RunningConsole, startConsole, TestPipeline } from './support/console-harness.ts';
import { saveScreenshot } from './support/screenshots.ts';

// Access in a real browser: login with the configured token (session cookie httpOnly, SameSite=Strict)
// and the read-only mode, which hides every write control and refuses every write with 403.

const TOKEN = 'correct-horse-battery';
let pipeline: TestPipeline;
let secured: RunningConsole;
let readOnly: RunningConsole;
let browser: Browser;
let producer: KafkaProducer;

beforeAll(async () => {
  pipeline = await TestPipeline.create();
  await pipeline.startAll();
  [secured, readOnly] = await Promise.all([
    startConsole({ pipeline, env: { CONSOLE_TOKEN: TOKEN } }),
    startConsole({ pipeline, env: { CONSOLE_READ_ONLY: '1' } }),
  ]);
  producer = createProducer({ brokers: testKafkaBrokers(), clientId: uniqueName('console_access') });
  await producer.start();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([secured?.stop(), readOnly?.stop()]);
  await producer?.stop();
  await pipeline?.stop();
});

describe('login', () => {
  it('refuses the API without a session', async () => {
    for (const path of ['/api/cluster', '/api/groups', '/api/orders', '/api/info']) {
      const response = await fetch(`${secured.url}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const session = await (await fetch(`${secured.url}/api/session`)).json();
    expect(session).toEqual({ authRequired: true, authenticated: false, readOnly: false });
    // Health stays open for the process supervisor.
    expect((await fetch(`${secured.url}/health/ready`)).status).toBe(200);
  });

  it('asks for the token, refuses a wrong one, sets a strict httpOnly cookie, logs out', async () => {
    const { page, context } = browser;
    await page.goto(`${secured.url}/#/cluster`);
    const form = page.getByRole('form', { name: 'Log in' });
    await form.getByLabel('Token').fill('wrong-token');
    await form.getByRole('button', { name: 'Log in' }).click();
    await form.getByText('Wrong token.').waitFor();
    await saveScreenshot(page, 'login');

    await form.getByLabel('Token').fill(TOKEN);
    await form.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Cluster' }).waitFor();
    const [cookie] = (await context.cookies(secured.url)).filter((c) => c.name === 'console_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // The page's scripts cannot read it.
    expect(String(await page.evaluate('document.cookie'))).not.toContain('console_session');
    await page.getByRole('table', { name: 'Topics' }).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/cluster')).status);
    expect(status).toBe(401);
  });
});

describe('read-only mode', () => {
  it('hides every write control', async () => {
    const { page } = browser;
    const dlt = `${pipeline.topics.orderEvents}.DLT`;
    await producer.send([{ topic: dlt, key: 'letter', value: 'x', headers: { 'dlq-error': 'test' } }]);

    await page.goto(`${readOnly.url}/#/flow`);
    await page.getByText('read-only', { exact: true }).waitFor();
    await page.locator('tr[data-item="Laptop"]').waitFor();
    await expectHidden(page.locator('tr[data-item="Laptop"] form[data-write]'));
    await saveScreenshot(page, 'read-only');

    await page.goto(`${readOnly.url}/#/cluster`);
    await page.getByRole('table', { name: 'Topics' }).waitFor();
    await expectHidden(page.locator('form[aria-label="Create topic"]'));

    await page.goto(`${readOnly.url}/#/messages?topic=${encodeURIComponent(pipeline.topics.orderEvents)}`);
    await page.getByRole('form', { name: 'Browse messages' }).waitFor();
    await expectHidden(page.locator('form[aria-label="Produce a message"]'));

    await page.goto(`${readOnly.url}/#/dead-letters/${encodeURIComponent(dlt)}`);
    await page.getByRole('table', { name: 'Dead letters' }).locator('tbody tr').first().waitFor();
    await expectHidden(page.locator('tr.message button', { hasText: 'Redrive' }).first());
    await expectHidden(page.locator('button', { hasText: 'Redrive all…' }));

    await page.goto(`${readOnly.url}/#/groups/${encodeURIComponent(pipeline.groups.inventory)}`);
    await page.getByRole('table', { name: 'Partitions' }).waitFor();
    await expectHidden(page.locator('section[aria-label="Reset offsets"]'));

    // The audit trail is readable in read-only mode, from the menu; it has nothing to write with.
    await page.locator('nav a', { hasText: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    await page
      .locator('.page-audit')
      .getByText(/No audit records|read-only/)
      .first()
      .waitFor();
    expect(await page.locator('.page-audit [data-write]').count()).toBe(0);
  });

  it('refuses every write with 403, also when called directly', async () => {
    const { page } = browser;
    await page.goto(`${readOnly.url}/#/cluster`);
    const topic = pipeline.topics.orderEvents;
    const dlt = `${topic}.DLT`;
    const writes: [string, string, unknown][] = [
      ['POST', '/api/topics', { name: uniqueName('nope'), partitions: 1, replicationFactor: 1 }],
      ['POST', `/api/topics/${topic}/messages`, { value: 'x' }],
      ['POST', `/api/groups/${pipeline.groups.inventory}/reset-offsets`, { to: 'earliest', dryRun: true }],
      ['POST', `/api/dead-letters/${dlt}/redrive`, { all: true }],
      ['PUT', '/api/inventory/Laptop', { stock: 1 }],
    ];
    for (const [method, path, body] of writes) {
      const answer = await page.evaluate(
        async ([m, p, b]) => {
          const response = await fetch(p as string, {
            method: m as string,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(b),
          });
          return { status: response.status, body: await response.json() };
        },
        [method, path, body],
      );
      expect(answer, `${method} ${path}`).toMatchObject({ status: 403, body: { code: 'READ_ONLY' } });
    }
    // Nothing changed.
    const stock = (await (await fetch(`${pipeline.url('inventory')}/inventory/Laptop`)).json()) as {
      stock: number;
    };
    expect(stock.stock).toBe(50);
    await waitFor(async () => (await fetch(`${readOnly.url}/api/cluster`)).status === 200, {
      message: 'reads work',
    });
  });

  it('reported no page errors', () => {
    expect(browser.errors).toEqual([]);
  });
});

/** The control is on the page (so the check means something) but not shown. */
async function expectHidden(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'attached' });
  expect(await locator.isVisible()).toBe(false);
}
