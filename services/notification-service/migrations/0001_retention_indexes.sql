-- Index for the inbox retention purge: inbox rows by processed_at.
-- Plain CREATE INDEX (drizzle runs migrations in one transaction): it blocks writes to the table
-- while it builds; IF NOT EXISTS, so an index pre-built CONCURRENTLY (docs/operations.md) is kept.
CREATE INDEX IF NOT EXISTS "notification_inbox_processed_idx" ON "notification_inbox" USING btree ("processed_at");
