CREATE TABLE "stock_movements" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stock_movements_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"item" text NOT NULL,
	"kind" text NOT NULL,
	"on_hand_delta" integer NOT NULL,
	"reserved_delta" integer NOT NULL,
	"on_hand" integer NOT NULL,
	"reserved" integer NOT NULL,
	"reason" text,
	"order_id" uuid,
	"event_id" uuid,
	"request_key" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inventory" ADD COLUMN "on_hand" integer;--> statement-breakpoint
ALTER TABLE "inventory" ADD COLUMN "reserved" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Existing stock: `stock` was what is available; reservations made so far still hold their units.
UPDATE "inventory" AS i SET "reserved" = coalesce(
  (SELECT sum(r."quantity") FROM "reservations" r WHERE r."item" = i."item" AND r."status" = 'RESERVED'), 0);--> statement-breakpoint
UPDATE "inventory" SET "on_hand" = "stock" + "reserved";--> statement-breakpoint
ALTER TABLE "inventory" ALTER COLUMN "on_hand" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "inventory" ADD COLUMN "version" bigint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "released_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "release_cause" text;--> statement-breakpoint
CREATE INDEX "stock_movements_item_idx" ON "stock_movements" USING btree ("item","id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "stock_movements_order_kind_idx" ON "stock_movements" USING btree ("order_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "stock_movements_request_key_idx" ON "stock_movements" USING btree ("item","request_key");--> statement-breakpoint
ALTER TABLE "inventory" ADD CONSTRAINT "inventory_reserved_not_negative" CHECK ("inventory"."reserved" >= 0);--> statement-breakpoint
ALTER TABLE "inventory" ADD CONSTRAINT "inventory_stock_is_available" CHECK ("inventory"."stock" = "inventory"."on_hand" - "inventory"."reserved");--> statement-breakpoint
-- The audit trail starts with each item's stock at this moment (history before it was not recorded).
INSERT INTO "stock_movements" ("item", "kind", "on_hand_delta", "reserved_delta", "on_hand", "reserved", "reason")
  SELECT "item", 'opening', "on_hand", "reserved", "on_hand", "reserved", 'stock when movements started to be recorded'
    FROM "inventory" ORDER BY "item";--> statement-breakpoint
-- Published views (docs/architecture.md, "Data ownership"): stock_v1 keeps its meaning (`stock` is
-- what is available); stock_v2 adds on hand, reserved and the version (the ETag); reservations_v2
-- adds the release of a reservation (status RELEASED or CLOSED, released_at, release_cause);
-- stock_movements_v1 is the audit trail.
CREATE OR REPLACE VIEW inventory_service_api.stock_v2 AS
  SELECT item, on_hand, reserved, stock AS available, version, updated_at FROM inventory_service.inventory;
--> statement-breakpoint
CREATE OR REPLACE VIEW inventory_service_api.reservations_v2 AS
  SELECT order_id, item, quantity, status, reason_code, reason, released_at, release_cause, created_at
    FROM inventory_service.reservations;
--> statement-breakpoint
CREATE OR REPLACE VIEW inventory_service_api.stock_movements_v1 AS
  SELECT id, item, kind, on_hand_delta, reserved_delta, on_hand, reserved, reason, order_id, event_id, created_at
    FROM inventory_service.stock_movements;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA inventory_service_api TO PUBLIC;
