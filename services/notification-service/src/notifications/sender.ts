import type { NotificationStatus } from '@kafka-poc/contracts';
import { ServiceError } from '@kafka-poc/resilience';
import type { Logger } from '@kafka-poc/service-kit';

export interface OutgoingNotification {
  id: string;
  orderId: string;
  status: NotificationStatus;
  message: string;
  createdAt: string;
}

/** Where notifications go. Implementations throw SendError; `retryable` decides whether to try again. */
export interface NotificationSender {
  readonly name: string;
  send(notification: OutgoingNotification, signal: AbortSignal): Promise<void>;
}

export class SendError extends ServiceError<'NOTIFICATION_SEND_FAILED'> {
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super('NOTIFICATION_SEND_FAILED', message, options);
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
