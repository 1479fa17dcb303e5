// Composition root of order-service: read env once, wire, start, stop on SIGTERM/SIGINT.
import { handleSignals } from '@kafka-poc/service-kit';
import { createOrderService } from './app.ts';
import { loadOrderServiceConfig } from './config.ts';

const service = await createOrderService(loadOrderServiceConfig(process.env));
handleSignals(() => service.stop(), service.logger);
await service.start();
