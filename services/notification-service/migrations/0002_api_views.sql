-- The read-only views notification-service publishes (docs/architecture.md, "Data ownership").
-- Readers use these, never the tables: a change that removes, renames or retypes a column is a new
-- view (_v2) beside this one. Every role may read them; nobody but notification-service writes its tables.
CREATE OR REPLACE VIEW notification_service_api.notifications_v1 AS
  SELECT id, order_id, status, message, delivery_status, delivery_attempts, last_error,
         next_attempt_at, created_at, delivered_at
    FROM notification_service.notifications;
--> statement-breakpoint
CREATE OR REPLACE VIEW notification_service_api.inbox_v1 AS
  SELECT event_id, event_type, topic, "partition", "offset", processed_at
    FROM notification_service.notification_inbox;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA notification_service_api TO PUBLIC;
