import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --config services/order-service/drizzle.config.ts` writes SQL migrations
// from src/db/schema.ts into migrations/ (committed). They are applied at start-up by runMigrations.
export default defineConfig({
  dialect: 'postgresql',
  schema: './services/order-service/src/db/schema.ts',
  out: './services/order-service/migrations',
});
