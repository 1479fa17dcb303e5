import type { NotificationSender, OutgoingNotification } from './sender.ts';
import { SendError } from './sender.ts';

export interface WebhookOptions {
  url: string;
  timeoutMs: number;
  /** Sent as `Authorization: Bearer …` when set. */
  token?: string | undefined;
  fetch?: typeof fetch;
}

/**
 * POSTs each notification as JSON. The notification id goes in `Idempotency-Key`, since delivery is
 * at-least-once (a crash between the POST and marking it sent repeats the POST). Network errors,
 * timeouts, 408, 429 and 5xx are retryable; other 4xx are not.
 */
export function createWebhookSender(options: WebhookOptions): NotificationSender {
  const doFetch = options.fetch ?? fetch;
  return {
    name: 'webhook',
    async send(notification: OutgoingNotification, signal: AbortSignal) {
      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': notification.id,
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body: JSON.stringify(notification),
          signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
        });
      } catch (error) {
        throw new SendError(`webhook unreachable: ${(error as Error).message}`, {
          retryable: true,
          cause: error,
        });
      }
      await response.body?.cancel();
      if (response.ok) return;
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      throw new SendError(`webhook answered ${response.status}`, { retryable });
    },
  };
}
