import { z } from 'zod';
import { TOPIC_NAME } from './topic-view.ts';

export const topicName = z.string().regex(TOPIC_NAME, 'not a valid topic name ([a-zA-Z0-9._-], 1-249 chars)');
export const topicParams = z.strictObject({ topic: topicName });
export const groupParams = z.strictObject({ groupId: z.string().min(1).max(255) });

/** A non-negative 64-bit offset, as a decimal string (JSON numbers cannot hold every offset). */
export const offsetString = z
  .string()
  .regex(/^\d{1,19}$/, 'expected a non-negative integer')
  .transform((s) => BigInt(s))
  .refine((n) => n <= 9_223_372_036_854_775_807n, 'offset too large');

export const isoTime = z.iso
  .datetime({ offset: true, error: 'expected an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z' })
  .transform((s) => Date.parse(s));

const partition = z.coerce.number().int().min(0).max(100_000);

export const browseQuery = z
  .strictObject({
    partition: partition.optional(),
    offset: offsetString.optional(),
    from: isoTime.optional(),
    order: z.enum(['newest', 'oldest']).default('newest'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    key: z.string().max(200).optional(),
    q: z.string().max(200).optional(),
  })
  .refine((q) => q.offset === undefined || q.from === undefined, {
    message: 'give either offset or from, not both',
    path: ['offset'],
  });

export const tailQuery = z.strictObject({
  partition: partition.optional(),
  key: z.string().max(200).optional(),
  q: z.string().max(200).optional(),
});

/** Topic configs the console lets you set at creation (each one checked here, not by the broker). */
export const topicConfigs = z
  .strictObject({
    'cleanup.policy': z.enum(['delete', 'compact', 'compact,delete']),
    'retention.ms': z.coerce.number().int().min(-1),
    'retention.bytes': z.coerce.number().int().min(-1),
    'min.insync.replicas': z.coerce.number().int().min(1).max(10),
    'max.message.bytes': z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024),
  })
  .partial();

export const createTopicBody = z.strictObject({
  name: topicName,
  partitions: z.number().int().min(1).max(1000),
  replicationFactor: z.number().int().min(1).max(10),
  configs: topicConfigs.optional(),
});

export const produceBody = z.strictObject({
  key: z.string().max(1000).optional(),
  headers: z
    .record(z.string().min(1).max(200), z.string().max(4096))
    .refine((h) => Object.keys(h).length <= 50, 'at most 50 headers')
    .optional(),
  value: z.string().max(1_000_000),
  partition: partition.optional(),
});

export const resetBody = z
  .strictObject({
    to: z.enum(['earliest', 'latest', 'timestamp']),
    timestamp: isoTime.optional(),
    topics: z.array(topicName).min(1).max(100).optional(),
    dryRun: z.boolean(),
  })
  .refine((b) => (b.to === 'timestamp') === (b.timestamp !== undefined), {
    message: 'timestamp is required with to=timestamp, and only then',
    path: ['timestamp'],
  });

export const redriveBody = z.union([
  z.strictObject({ all: z.literal(true) }),
  z.strictObject({ partition: z.number().int().min(0), offset: offsetString }),
]);

export const limitQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
