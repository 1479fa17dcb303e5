import type { Logger } from '@kafka-poc/service-kit';

export interface OutgoingNotification {
  id: string;
  orderId: string;
  status: 'CONFIRMED' | 'REJECTED';
  message: string;
  createdAt: string;
}

/** Where notifications go. Implementations throw SendError; `retryable` decides whether to try again. */
export interface NotificationSender {
  readonly name: string;
  send(notification: OutgoingNotification, signal: AbortSignal): Promise<void>;
}

export class SendError extends Error {
  readonly code = 'NOTIFICATION_SEND_FAILED';
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'SendError';
    this.retryable = options.retryable;
  }
}

/** The default sender: writes the notification to the service log. */
export function createLogSender(logger: Logger): NotificationSender {
  return {
    name: 'log',
    async send(notification) {
      logger.info({ notificationId: notification.id, orderId: notification.orderId }, notification.message);
    },
  };
}
