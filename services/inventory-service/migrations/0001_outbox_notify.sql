-- Wake the outbox relay (LISTEN/NOTIFY) once per transaction that inserts outbox rows.
CREATE OR REPLACE FUNCTION inventory_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('inventory_outbox_new', ''); RETURN NULL; END; $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS inventory_outbox_notify_trigger ON inventory_outbox;
--> statement-breakpoint
CREATE TRIGGER inventory_outbox_notify_trigger AFTER INSERT ON inventory_outbox FOR EACH STATEMENT EXECUTE FUNCTION inventory_outbox_notify();
