import { listNotificationsQuery, notificationListResponse } from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import type { HttpServer } from '@kafka-poc/service-kit';
import { listNotifications } from './notification-repository.ts';

export function registerNotificationRoutes(app: HttpServer, deps: { db: Database }): void {
  app.get(
    '/notifications',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Notifications, newest first; filter by order',
        tags: ['notifications'],
        querystring: listNotificationsQuery,
        response: { 200: notificationListResponse },
      },
    },
    async (request) => ({ items: await listNotifications(deps.db, request.query) }),
  );
}
