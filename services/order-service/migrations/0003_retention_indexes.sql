-- Indexes for the retention purges: sent outbox rows by sent_at (partial), inbox rows by processed_at.
-- Plain CREATE INDEX (drizzle runs migrations in one transaction): it blocks writes to the table
-- while it builds; IF NOT EXISTS, so an index pre-built CONCURRENTLY (docs/operations.md) is kept.
CREATE INDEX IF NOT EXISTS "order_inbox_processed_idx" ON "order_inbox" USING btree ("processed_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "order_outbox_sent_idx" ON "order_outbox" USING btree ("sent_at") WHERE "order_outbox"."sent_at" IS NOT NULL;
