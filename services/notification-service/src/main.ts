// Composition root of notification-service: read env once, wire, start, stop on SIGTERM/SIGINT.
import { handleSignals } from '@kafka-poc/service-kit';
import { createNotificationService } from './app.ts';
import { loadNotificationServiceConfig } from './config.ts';

const service = await createNotificationService(loadNotificationServiceConfig(process.env));
handleSignals(() => service.stop(), service.logger);
await service.start();
