-- One notification per (order, status) instead of one per order: an order can be CONFIRMED, then
-- CANCELLED. The new key goes in before the old one goes, in the one migration transaction.
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_order_status_unique" UNIQUE("order_id","status");--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_order_id_unique";
