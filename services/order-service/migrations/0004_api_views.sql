-- The read-only views order-service publishes (docs/architecture.md, "Data ownership"). Readers use
-- these, never the tables: a change that removes, renames or retypes a column is a new view (_v2)
-- beside this one. Every role may read them; nobody but order-service writes its tables.
CREATE OR REPLACE VIEW order_service_api.orders_v1 AS
  SELECT id, item, quantity, status, reason, idempotency_key, correlation_id, created_at, updated_at
    FROM order_service.orders;
--> statement-breakpoint
CREATE OR REPLACE VIEW order_service_api.outbox_v1 AS
  SELECT id AS seq, (headers ->> 'event-id')::uuid AS event_id, headers ->> 'event-type' AS event_type,
         topic, key, value, headers, created_at, sent_at
    FROM order_service.order_outbox;
--> statement-breakpoint
CREATE OR REPLACE VIEW order_service_api.inbox_v1 AS
  SELECT event_id, event_type, topic, "partition", "offset", processed_at
    FROM order_service.order_inbox;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA order_service_api TO PUBLIC;
