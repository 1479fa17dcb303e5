-- The event that stored each notification (its id and where it was read), so that a rebuild
-- (docs/operations.md) forgets only notifications whose source event it replays. Nullable: rows
-- stored before this migration have no source, and a rebuild keeps them. Adding nullable columns
-- without a default rewrites nothing.
ALTER TABLE "notifications" ADD COLUMN "source_event_id" uuid;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "source_topic" text;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "source_partition" integer;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "source_offset" bigint;--> statement-breakpoint
-- Published at the end of notifications_v1 (adding columns at the end keeps the view's contract).
CREATE OR REPLACE VIEW notification_service_api.notifications_v1 AS
  SELECT id, order_id, status, message, delivery_status, delivery_attempts, last_error,
         next_attempt_at, created_at, delivered_at,
         source_event_id, source_topic, source_partition, source_offset
    FROM notification_service.notifications;
