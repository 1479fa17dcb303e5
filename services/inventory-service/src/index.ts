// The public API of inventory-service: what tests and tools may use (its composition root is src/main.ts).
export { createInventoryService, migrationsFolder } from './app.ts';
export { type InventoryServiceConfig, loadInventoryServiceConfig } from './config.ts';
