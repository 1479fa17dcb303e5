import { SERVICES, type ServiceName } from './names.ts';

/**
 * Who owns which data. Each service keeps its tables in a Postgres schema of its own, owned by its
 * own login role: no other role has any privilege there, so no service can read or write another's
 * tables. What others may read, a service publishes as read-only views in `<schema>_api`, granted to
 * every role: those views are a contract like the events — a change that removes, renames or
 * retypes a column is a new view (`…_v2`) next to the old one, never an edit of `…_v1`.
 */
export interface ServiceData {
  service: ServiceName;
  /** Login role of the service; owns both schemas. */
  role: string;
  /** The service's private tables (its connections' search_path). */
  schema: string;
  /** The read-only views it publishes (`GRANT SELECT … TO PUBLIC`). */
  apiSchema: string;
  /**
   * Its tables, as declared in its drizzle schema (a unit test per service keeps the two equal).
   * The database setup adopts them from `public`, where they lived before schemas per service.
   */
  tables: readonly string[];
}

function serviceData(service: ServiceName, tables: readonly string[]): ServiceData {
  const schema = service.replaceAll('-', '_');
  return { service, role: schema, schema, apiSchema: `${schema}_api`, tables };
}

export const SERVICE_DATA = {
  order: serviceData(SERVICES.order, ['orders', 'order_outbox', 'order_inbox']),
  inventory: serviceData(SERVICES.inventory, [
    'inventory',
    'reservations',
    'stock_movements',
    'inventory_outbox',
    'inventory_inbox',
  ]),
  notification: serviceData(SERVICES.notification, ['notifications', 'notification_inbox']),
} as const satisfies Record<keyof typeof SERVICES, ServiceData>;

/** Every service's data, in pipeline order. */
export const ALL_SERVICE_DATA: readonly ServiceData[] = Object.values(SERVICE_DATA);

/** The console's login role: no schema of its own, it reads only the published views. */
export const CONSOLE_DB_ROLE = 'console';

/**
 * The published views, by what they hold. Readers (the console, the bench, the test and chaos
 * checkers) name these, never a service's tables. Columns are documented in docs/architecture.md
 * ("Data ownership"); each service's migrations create them.
 */
export const VIEWS = {
  /** id, item, quantity, status, reason, idempotency_key (as stored: scoped by the caller), correlation_id, created_at, updated_at, owner (the API key name that placed it; NULL without a key) */
  orders: `${SERVICE_DATA.order.apiSchema}.orders_v1`,
  /** Events order-service wrote to its outbox: see OutboxViewRow. */
  orderOutbox: `${SERVICE_DATA.order.apiSchema}.outbox_v1`,
  /** Events order-service's consumer group applied: see InboxViewRow. */
  orderInbox: `${SERVICE_DATA.order.apiSchema}.inbox_v1`,
  /** item, stock (= available), updated_at */
  stock: `${SERVICE_DATA.inventory.apiSchema}.stock_v1`,
  /** item, on_hand, reserved, available (= on_hand − reserved), version (the ETag), updated_at */
  stockV2: `${SERVICE_DATA.inventory.apiSchema}.stock_v2`,
  /** order_id, item, quantity, status, reason_code, reason, created_at */
  reservations: `${SERVICE_DATA.inventory.apiSchema}.reservations_v1`,
  /** reservations_v1's columns and released_at, release_cause (CANCELLED | EXPIRED) */
  reservationsV2: `${SERVICE_DATA.inventory.apiSchema}.reservations_v2`,
  /** id, item, kind, on_hand_delta, reserved_delta, on_hand, reserved (after it), reason, order_id, event_id, created_at */
  stockMovements: `${SERVICE_DATA.inventory.apiSchema}.stock_movements_v1`,
  inventoryOutbox: `${SERVICE_DATA.inventory.apiSchema}.outbox_v1`,
  inventoryInbox: `${SERVICE_DATA.inventory.apiSchema}.inbox_v1`,
  /**
   * id, order_id, status, message, delivery_status, delivery_attempts, last_error, next_attempt_at,
   * created_at, delivered_at, source_event_id, source_topic, source_partition, source_offset (the
   * event that stored it; NULL for notifications stored before it was recorded)
   */
  notifications: `${SERVICE_DATA.notification.apiSchema}.notifications_v1`,
  notificationInbox: `${SERVICE_DATA.notification.apiSchema}.inbox_v1`,
} as const;

/**
 * A row of an `outbox_v1` view: an event the service wrote in the same transaction as its effect,
 * published when `sent_at` is set. Sent rows are purged after the outbox retention.
 */
export interface OutboxViewRow {
  /** Position in the outbox (publish order). */
  seq: string;
  event_id: string;
  event_type: string;
  topic: string;
  /** The Kafka key: the order id. */
  key: string | null;
  /** The serialized event, as published. */
  value: string;
  headers: Record<string, string>;
  created_at: Date;
  sent_at: Date | null;
}

/** A row of an `inbox_v1` view: an event the service's consumer group applied (kept for the inbox retention). */
export interface InboxViewRow {
  event_id: string;
  event_type: string;
  topic: string;
  partition: number;
  offset: string;
  processed_at: Date;
}
