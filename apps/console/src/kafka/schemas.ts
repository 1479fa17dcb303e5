import { problemResponse } from '@kafka-poc/contracts';
import { z } from 'zod';
import type { ResetPlanEntryView, ResetPlanView, ResetSkipsProblem } from '../shared/views.ts';
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
    allowSkip: z
      .boolean()
      .default(false)
      .describe(
        'Move the group past records it never consumed, on purpose; without it a reset that would skip any is refused (409)',
      ),
  })
  .refine((b) => (b.to === 'timestamp') === (b.timestamp !== undefined), {
    message: 'timestamp is required with to=timestamp, and only then',
    path: ['timestamp'],
  });

const offsetOut = z.string().regex(/^\d+$/);

/** One partition of a reset plan (the counts of packages/kafka's planOffsetReset). */
const resetPlanEntry = z.object({
  topic: z.string(),
  partition: z.number().int(),
  /** The group's committed offset; null when it never committed on the partition. */
  currentOffset: offsetOut.nullable(),
  newOffset: offsetOut,
  toRead: z.number().int().describe('Records read from the new offset on: latest − new offset'),
  reRead: z.number().int().describe('Records the group already consumed that it will read again'),
  skipped: z
    .number()
    .int()
    .describe('Records the group never consumed that it will never read (moved past by the reset)'),
}) satisfies z.ZodType<ResetPlanEntryView>;

/** 200 of POST /api/groups/:groupId/reset-offsets: the plan (dry run) or what was applied. */
export const resetPlanResponse = z.object({
  groupId: z.string(),
  dryRun: z.boolean(),
  plan: z.array(resetPlanEntry),
  reRead: z.number().int(),
  skipped: z.number().int(),
}) satisfies z.ZodType<ResetPlanView>;

/**
 * 409 of a reset: the group has members, or (code OFFSET_RESET_SKIPS) the reset would skip records
 * the group never consumed and `allowSkip` was not given; `skips` names those partitions.
 */
export const resetConflictProblem = problemResponse.extend({
  skips: z.array(resetPlanEntry).optional(),
}) satisfies z.ZodType<ResetSkipsProblem>;

export const redriveBody = z.union([
  z.strictObject({ all: z.literal(true) }),
  z.strictObject({ partition: z.number().int().min(0), offset: offsetString }),
]);

export const limitQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
