-- Wake the outbox relay (LISTEN/NOTIFY) once per transaction that inserts outbox rows.
CREATE OR REPLACE FUNCTION order_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('order_outbox_new', ''); RETURN NULL; END; $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS order_outbox_notify_trigger ON order_outbox;
--> statement-breakpoint
CREATE TRIGGER order_outbox_notify_trigger AFTER INSERT ON order_outbox FOR EACH STATEMENT EXECUTE FUNCTION order_outbox_notify();
