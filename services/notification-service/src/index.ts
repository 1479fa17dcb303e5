// The public API of notification-service: what tests and tools may use (its composition root is src/main.ts).
export { createNotificationService, migrationsFolder } from './app.ts';
export { loadNotificationServiceConfig, type NotificationServiceConfig } from './config.ts';
