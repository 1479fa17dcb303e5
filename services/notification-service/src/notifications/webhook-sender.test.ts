import { describe, expect, it } from 'vitest';
import { SendError } from './sender.ts';
import { createWebhookSender } from './webhook-sender.ts';

const notification = {
  id: '0b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11',
  orderId: '1b6f4f7e-5f43-4a53-9f0e-6f6d2b8a1c11',
  status: 'CONFIRMED' as const,
  message: 'Order 1b6f… is CONFIRMED',
  createdAt: '2026-11-25T08:00:00.000Z',
};

function fakeFetch(status: number | Error) {
  const calls: RequestInit[] = [];
  const fn = (async (_url: string, init: RequestInit) => {
    calls.push(init);
    if (status instanceof Error) throw status;
    return new Response(null, { status });
  }) as unknown as typeof fetch;
  return { fn, calls };
}

describe('webhook sender', () => {
  it('posts JSON with the notification id as idempotency key', async () => {
    const { fn, calls } = fakeFetch(204);
    const sender = createWebhookSender({
      url: 'http://127.0.0.1:1/hook',
      timeoutMs: 1000,
      token: 't',
      fetch: fn,
    });
    await sender.send(notification, new AbortController().signal);
    const headers = calls[0]?.headers as Record<string, string>;
    expect(headers['idempotency-key']).toBe(notification.id);
    expect(headers.authorization).toBe('Bearer t');
    expect(JSON.parse(String(calls[0]?.body))).toEqual(notification);
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [408, true],
    [400, false],
    [404, false],
  ])('status %i is retryable: %s', async (status, retryable) => {
    const sender = createWebhookSender({ url: 'http://x', timeoutMs: 1000, fetch: fakeFetch(status).fn });
    const error = await sender.send(notification, new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).retryable).toBe(retryable);
  });

  it('treats network errors as retryable', async () => {
    const sender = createWebhookSender({
      url: 'http://x',
      timeoutMs: 1000,
      fetch: fakeFetch(new Error('ECONNREFUSED')).fn,
    });
    const error = (await sender
      .send(notification, new AbortController().signal)
      .catch((e: unknown) => e)) as SendError;
    expect(error.retryable).toBe(true);
  });
});
