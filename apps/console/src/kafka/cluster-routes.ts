import { AppError, type HttpServer } from '@kafka-poc/service-kit';
import { z } from 'zod';
import type { ClusterView, TopicConfigView, TopicView } from '../shared/views.ts';
import type { KafkaDeps } from './kafka-deps.ts';
import { createTopicBody, topicParams } from './schemas.ts';
import { toTopicView } from './topic-view.ts';

/** Cluster page: brokers, topics with partitions, offsets and configs, create a topic. */
export function registerClusterRoutes(app: HttpServer, deps: KafkaDeps): void {
  const { admin } = deps;

  app.get(
    '/api/cluster',
    {
      schema: {
        tags: ['cluster'],
        querystring: z.strictObject({ internal: z.enum(['0', '1']).default('0') }),
      },
    },
    async (request): Promise<ClusterView> => {
      const internal = request.query.internal === '1';
      const [cluster, listed] = await Promise.all([
        admin.describeCluster(),
        admin.listTopics({ includeInternal: internal }),
      ]);
      // Right after a broker start the listing may still include internal topics: filter by name too.
      const names = internal ? listed : listed.filter((name) => !name.startsWith('__'));
      const topics = names.length > 0 ? await admin.describeTopics(names) : [];
      return {
        clusterId: cluster.clusterId ?? null,
        controllerId: cluster.controllerId ?? null,
        brokers: cluster.brokers.sort((a, b) => a.nodeId - b.nodeId),
        topicDefaults: deps.topicDefaults,
        topics: topics.map(toTopicView),
      };
    },
  );

  app.get(
    '/api/topics/:topic',
    { schema: { tags: ['cluster'], params: topicParams } },
    async (request): Promise<TopicView> => {
      const [description] = await admin.describeTopics([request.params.topic]);
      if (!description) throw new AppError('NOT_FOUND', `topic ${request.params.topic} not found`);
      return toTopicView(description);
    },
  );

  app.get(
    '/api/topics/:topic/config',
    { schema: { tags: ['cluster'], params: topicParams } },
    async (request): Promise<TopicConfigView> => {
      const configs = await admin.describeTopicConfig(request.params.topic);
      // Values set on the topic first: they are what makes it differ from the broker's defaults.
      const sorted = [...configs.filter((c) => !c.isDefault), ...configs.filter((c) => c.isDefault)];
      return {
        name: request.params.topic,
        configs: sorted.map((c) => ({ ...c, source: c.source ?? null })),
      };
    },
  );

  app.post(
    '/api/topics',
    { config: { write: true }, schema: { tags: ['cluster'], body: createTopicBody } },
    async (request, reply) => {
      const { name, partitions, replicationFactor, configs } = request.body;
      const [existing, cluster] = await Promise.all([
        admin.listTopics({ includeInternal: true }),
        admin.describeCluster(),
      ]);
      if (existing.includes(name)) throw new AppError('CONFLICT', `topic ${name} already exists`);
      const field = (f: string, message: string) =>
        new AppError('VALIDATION_FAILED', message, { fields: [{ field: f, message }] });
      if (replicationFactor > cluster.brokers.length) {
        throw field(
          'replicationFactor',
          `replication factor ${replicationFactor} exceeds the ${cluster.brokers.length} broker(s)`,
        );
      }
      const minIsr = configs?.['min.insync.replicas'];
      if (minIsr !== undefined && minIsr > replicationFactor) {
        throw field(
          'configs.min.insync.replicas',
          'min.insync.replicas cannot exceed the replication factor',
        );
      }
      await admin.ensureTopics([
        {
          name,
          partitions,
          replicationFactor,
          configs: Object.fromEntries(Object.entries(configs ?? {}).map(([k, v]) => [k, String(v)])),
        },
      ]);
      request.log.info({ topic: name, partitions, replicationFactor }, 'topic created from the console');
      const [description] = await admin.describeTopics([name]);
      return reply.status(201).send(description ? toTopicView(description) : { name });
    },
  );
}
