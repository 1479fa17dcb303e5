// The public API of order-service: what tests and tools may use (its composition root is src/main.ts).
export { createOrderService, migrationsFolder } from './app.ts';
export { loadOrderServiceConfig, type OrderServiceConfig } from './config.ts';
