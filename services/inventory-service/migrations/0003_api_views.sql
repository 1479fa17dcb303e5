-- The read-only views inventory-service publishes (docs/architecture.md, "Data ownership"). Readers
-- use these, never the tables: a change that removes, renames or retypes a column is a new view
-- (_v2) beside this one. Every role may read them; nobody but inventory-service writes its tables.
CREATE OR REPLACE VIEW inventory_service_api.stock_v1 AS
  SELECT item, stock, updated_at FROM inventory_service.inventory;
--> statement-breakpoint
CREATE OR REPLACE VIEW inventory_service_api.reservations_v1 AS
  SELECT order_id, item, quantity, status, reason_code, reason, created_at
    FROM inventory_service.reservations;
--> statement-breakpoint
CREATE OR REPLACE VIEW inventory_service_api.outbox_v1 AS
  SELECT id AS seq, (headers ->> 'event-id')::uuid AS event_id, headers ->> 'event-type' AS event_type,
         topic, key, value, headers, created_at, sent_at
    FROM inventory_service.inventory_outbox;
--> statement-breakpoint
CREATE OR REPLACE VIEW inventory_service_api.inbox_v1 AS
  SELECT event_id, event_type, topic, "partition", "offset", processed_at
    FROM inventory_service.inventory_inbox;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA inventory_service_api TO PUBLIC;
