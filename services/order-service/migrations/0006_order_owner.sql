-- Orders have an owner: the principal (API key name) that placed the order, NULL when placed without
-- a key (local development). A key without the admin scope lists, reads, watches and cancels only its
-- own orders; orders_owner_created_idx serves its GET /orders (owner = $1, newest first, keyset
-- cursor on created_at, id). The column is instant (nullable, no default); the plain CREATE INDEX
-- (migrations run in one transaction) blocks writes to orders while it builds. Orders placed before
-- this migration keep a NULL owner: only admin keys (or keyless local callers) see them.
ALTER TABLE "orders" ADD COLUMN "owner" text;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "orders_owner_created_idx" ON "orders" USING btree ("owner","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
-- orders_v1 publishes the owner as a new last column (adding at the end keeps the view's contract).
CREATE OR REPLACE VIEW order_service_api.orders_v1 AS
  SELECT id, item, quantity, status, reason, idempotency_key, correlation_id, created_at, updated_at, owner
    FROM order_service.orders;
