import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --config services/inventory-service/drizzle.config.ts` writes SQL migrations
// from src/db/schema.ts into migrations/ (committed). They are applied at start-up by runMigrations.
export default defineConfig({
  dialect: 'postgresql',
  schema: './services/inventory-service/src/db/schema.ts',
  out: './services/inventory-service/migrations',
});
