import { AppError, type HttpServer } from '@kafka-poc/service-kit';
import type { FastifyRequest } from 'fastify';
import type { BrowseView, ProducedView } from '../shared/views.ts';
import type { KafkaDeps } from './kafka-deps.ts';
import { browseMessages } from './message-browser.ts';
import { toMessageView } from './message-view.ts';
import { browseQuery, produceBody, tailQuery, topicParams } from './schemas.ts';
import { runTail } from './topic-tail.ts';

/** Messages page: browse, live tail (server-sent events), produce. */
export function registerMessageRoutes(app: HttpServer, deps: KafkaDeps): void {
  const { admin } = deps;

  app.get(
    '/api/topics/:topic/messages',
    { schema: { tags: ['messages'], params: topicParams, querystring: browseQuery } },
    async (request): Promise<BrowseView> => {
      const q = request.query;
      const result = await browseMessages(admin, deps.clientId, {
        topic: request.params.topic,
        partition: q.partition,
        offset: q.offset,
        timestamp: q.from,
        order: q.order,
        limit: q.limit,
        filter: { key: q.key, text: q.q },
      });
      return {
        topic: request.params.topic,
        messages: result.messages.map(toMessageView),
        scanned: result.scanned,
        partial: result.partial,
        partitions: result.partitions.map((p) => ({
          partition: p.partition,
          earliestOffset: String(p.earliest),
          latestOffset: String(p.latest),
        })),
      };
    },
  );

  app.get(
    '/api/topics/:topic/tail',
    { schema: { tags: ['messages'], params: topicParams, querystring: tailQuery } },
    async (request, reply) => {
      const { topic } = request.params;
      const [description] = await admin.describeTopics([topic]);
      const { partition, key, q } = request.query;
      if (partition !== undefined && !description?.partitions.some((p) => p.partition === partition)) {
        throw new AppError('VALIDATION_FAILED', `partition ${partition} does not exist`);
      }
      if (deps.streams.full) throw new AppError('UNAVAILABLE', 'Too many live tails open; close one');
      const stream = deps.streams.open(request, reply);
      runTail(admin, stream, { topic, partition, filter: { key, text: q }, pollMs: deps.tailPollMs })
        .catch((error: unknown) => {
          stream.send('problem', { detail: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => stream.close());
    },
  );

  app.post(
    '/api/topics/:topic/messages',
    {
      config: { write: true, auditSummary: summarizeProduce },
      // A message value may be up to 1 MB (the broker's default limit), more than other routes take.
      bodyLimit: 2 * 1024 * 1024,
      schema: { tags: ['messages'], params: topicParams, body: produceBody },
    },
    async (request, reply) => {
      const producer = deps.producer;
      if (!producer) throw new AppError('UNAVAILABLE', 'No producer in this console');
      const { topic } = request.params;
      const { key, headers, value, partition } = request.body;
      // Never let a produce create a topic (brokers may auto-create): it must exist.
      const [description] = await admin.describeTopics([topic]);
      if (partition !== undefined && !description?.partitions.some((p) => p.partition === partition)) {
        throw new AppError('VALIDATION_FAILED', `partition ${partition} does not exist`, {
          fields: [{ field: 'partition', message: 'no such partition' }],
        });
      }
      const [produced] = await producer.send([
        {
          topic,
          value,
          ...(key !== undefined && key !== '' ? { key } : {}),
          ...(headers ? { headers } : {}),
          ...(partition !== undefined ? { partition } : {}),
        },
      ]);
      request.log.info({ topic, partition: produced?.partition }, 'message produced from the console');
      const answer: ProducedView = {
        topic,
        partition: produced?.partition ?? null,
        offset: produced ? String(produced.offset) : null,
      };
      return reply.status(201).send(answer);
    },
  );
}

/** The audit trail's summary of a produce: sizes and header names, never the value or header values. */
function summarizeProduce(request: FastifyRequest): Record<string, unknown> | undefined {
  const body = request.body as
    | { key?: string; headers?: Record<string, string>; value?: string; partition?: number }
    | undefined;
  if (!body || typeof body !== 'object') return undefined;
  return {
    ...(body.key ? { key: body.key.length > 64 ? `${body.key.slice(0, 64)}…` : body.key } : {}),
    ...(body.partition !== undefined ? { partition: body.partition } : {}),
    valueBytes: Buffer.byteLength(String(body.value ?? ''), 'utf8'),
    headers: Object.keys(body.headers ?? {}).slice(0, 20),
  };
}
