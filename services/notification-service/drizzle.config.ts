import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate --config services/notification-service/drizzle.config.ts` writes SQL migrations
// from src/db/schema.ts into migrations/ (committed). They are applied at start-up by runMigrations.
export default defineConfig({
  dialect: 'postgresql',
  schema: './services/notification-service/src/db/schema.ts',
  out: './services/notification-service/migrations',
});
