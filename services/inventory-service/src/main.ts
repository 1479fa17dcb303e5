// Composition root of inventory-service: read env once, wire, start, stop on SIGTERM/SIGINT.
import { handleSignals } from '@kafka-poc/service-kit';
import { createInventoryService } from './app.ts';
import { loadInventoryServiceConfig } from './config.ts';

const service = await createInventoryService(loadInventoryServiceConfig(process.env));
handleSignals(() => service.stop(), service.logger);
await service.start();
