/** Topic, group and service names: a contract that tools, tests and docs rely on. */
export const TOPICS = {
  orderEvents: 'order-events',
  inventoryEvents: 'inventory-events',
} as const;

/**
 * The audit trail: one record per write made through the console or a service's admin API
 * (`audit.ts`). Not one of TOPICS: no consumer group reads it and it has no dead-letter topic; it is
 * append-only and long-lived (AUDIT_TOPIC_CONFIGS), and the console refuses every write to it.
 */
export const AUDIT_TOPIC = 'audit-events';

export const SERVICES = {
  order: 'order-service',
  inventory: 'inventory-service',
  notification: 'notification-service',
} as const;

export type ServiceName = (typeof SERVICES)[keyof typeof SERVICES];

/**
 * Which topic each service's consumer group reads, by the keys of TOPICS: order-service reads the
 * reservation decisions on inventory-events; inventory-service (to decide and release) and
 * notification-service (one notification per status an order reaches) read order-events. Each group
 * is named after its service (SERVICES) unless its `*_SERVICE_GROUP` setting says otherwise.
 */
export const CONSUMED_TOPIC = {
  order: 'inventoryEvents',
  inventory: 'orderEvents',
  notification: 'orderEvents',
} as const satisfies Record<keyof typeof SERVICES, keyof typeof TOPICS>;

/** A service's consumer group with the topic it reads (TOPICS and SERVICES' names unless given others). */
export function consumerGroup(
  service: keyof typeof SERVICES,
  topics: Record<keyof typeof TOPICS, string> = TOPICS,
  groupId: string = SERVICES[service],
): { groupId: string; topics: string[] } {
  return { groupId, topics: [topics[CONSUMED_TOPIC[service]]] };
}

/** Every service's consumer group with the topic it reads, by the default names (lag checks). */
export function consumerGroups(
  topics: Record<keyof typeof TOPICS, string> = TOPICS,
): { groupId: string; topics: string[] }[] {
  return (Object.keys(SERVICES) as (keyof typeof SERVICES)[]).map((s) => consumerGroup(s, topics));
}

const DEAD_LETTER_SUFFIX = '.DLT';

/** Dead-letter topic of a topic: poison messages land there with error headers. */
export function deadLetterTopic(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

/** True for a dead-letter topic (one named by deadLetterTopic()). */
export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith(DEAD_LETTER_SUFFIX) && topic.length > DEAD_LETTER_SUFFIX.length;
}

/** The dead-letter topic of either an original topic or a dead-letter topic itself. */
export function asDeadLetterTopic(topic: string): string {
  return isDeadLetterTopic(topic) ? topic : deadLetterTopic(topic);
}

/** The topic a dead-letter topic belongs to (by name); undefined for a topic that is not one. */
export function originalTopic(topic: string): string | undefined {
  return isDeadLetterTopic(topic) ? topic.slice(0, -DEAD_LETTER_SUFFIX.length) : undefined;
}

/** Kafka header names used across services. */
export const HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  correlationId: 'correlation-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  contentType: 'content-type',
  /** When the order was accepted (order.created occurredAt), carried along for end-to-end latency. */
  orderAcceptedAt: 'order-accepted-at',
  dlqOriginalTopic: 'dlq-original-topic',
  dlqOriginalPartition: 'dlq-original-partition',
  dlqOriginalOffset: 'dlq-original-offset',
  dlqError: 'dlq-error',
  dlqAttempts: 'dlq-attempts',
  dlqConsumerGroup: 'dlq-consumer-group',
  dlqFailedAt: 'dlq-failed-at',
  dlqRedrivenFrom: 'dlq-redriven-from',
} as const;
