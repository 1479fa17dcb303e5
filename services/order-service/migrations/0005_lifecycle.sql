ALTER TABLE "orders" ADD COLUMN "cancel_key" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "announced_status" text;--> statement-breakpoint
CREATE INDEX "orders_pending_created_idx" ON "orders" USING btree ("created_at") WHERE "orders"."status" = 'PENDING';--> statement-breakpoint
CREATE INDEX "orders_unannounced_idx" ON "orders" USING btree ("updated_at") WHERE "orders"."status" <> 'PENDING' AND "orders"."announced_status" IS NULL;--> statement-breakpoint
-- Wake the requests waiting for an order (GET /orders/:id?wait, /orders/:id/events): one NOTIFY per
-- statement that changes statuses, listing `id:STATUS` of the changed orders (chunks under the
-- 8000-byte payload limit), delivered at commit. A wake-up only: the waiter reads the row.
CREATE OR REPLACE FUNCTION orders_status_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('order_status_changed', chunk)
    FROM (SELECT string_agg(c.id::text || ':' || c.status, ',') AS chunk
            FROM (SELECT n.id, n.status, (row_number() OVER ()) / 150 AS part
                    FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE n.status IS DISTINCT FROM o.status) c
           GROUP BY c.part) chunks;
  RETURN NULL;
END; $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS orders_status_notify_trigger ON orders;
--> statement-breakpoint
CREATE TRIGGER orders_status_notify_trigger AFTER UPDATE ON orders
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION orders_status_notify();
