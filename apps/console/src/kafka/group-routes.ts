import { AppError, type HttpServer } from '@kafka-poc/service-kit';
import type { GroupSummary, GroupView, LagHistoryView, ResetPlanView } from '../shared/views.ts';
import { toGroupView } from './group-view.ts';
import type { KafkaDeps } from './kafka-deps.ts';
import { mapLimit } from './map-limit.ts';
import { groupParams, resetBody } from './schemas.ts';

/** Consumer groups page: state, members, lag per partition, lag history, offset reset. */
export function registerGroupRoutes(app: HttpServer, deps: KafkaDeps): void {
  const { admin } = deps;

  const requireGroup = async (groupId: string) => {
    const groups = await admin.listGroups();
    if (!groups.some((g) => g.groupId === groupId)) {
      throw new AppError('NOT_FOUND', `consumer group ${groupId} not found`);
    }
  };

  app.get('/api/groups', { schema: { tags: ['groups'] } }, async (): Promise<{ groups: GroupSummary[] }> => {
    const groups = await admin.listGroups();
    const described = await mapLimit(groups, 8, async (g) => {
      const [description, lag] = await Promise.all([
        admin.describeGroup(g.groupId).catch(() => undefined),
        admin.groupLag(g.groupId).catch(() => undefined),
      ]);
      const view = description && lag ? toGroupView(description, lag) : undefined;
      return {
        groupId: g.groupId,
        state: description?.state ?? g.state,
        protocol: g.protocol,
        members: description?.members.length ?? null,
        topics: view ? [...new Set(view.partitions.map((p) => p.topic))] : [],
        totalLag: view?.totalLag ?? null,
      };
    });
    return { groups: described };
  });

  app.get(
    '/api/groups/:groupId',
    { schema: { tags: ['groups'], params: groupParams } },
    async (request): Promise<GroupView> => {
      const { groupId } = request.params;
      await requireGroup(groupId);
      const [description, lag] = await Promise.all([admin.describeGroup(groupId), admin.groupLag(groupId)]);
      return toGroupView(description, lag);
    },
  );

  app.get(
    '/api/groups/:groupId/lag-history',
    { schema: { tags: ['groups'], params: groupParams } },
    async (request): Promise<LagHistoryView> => ({
      groupId: request.params.groupId,
      intervalMs: deps.lagSampleMs,
      idleIntervalMs: deps.lagIdleSampleMs,
      samples: deps.lagHistory.samples(request.params.groupId),
    }),
  );

  app.post(
    '/api/groups/:groupId/reset-offsets',
    { config: { write: true }, schema: { tags: ['groups'], params: groupParams, body: resetBody } },
    async (request): Promise<ResetPlanView> => {
      const { groupId } = request.params;
      const { to, timestamp, dryRun } = request.body;
      await requireGroup(groupId);
      const topics =
        request.body.topics ?? [...new Set((await admin.groupLag(groupId)).map((p) => p.topic))].sort();
      if (topics.length === 0) {
        throw new AppError(
          'VALIDATION_FAILED',
          'the group has no committed offsets; name the topics to reset',
          {
            fields: [{ field: 'topics', message: 'required for this group' }],
          },
        );
      }
      const target =
        to === 'timestamp'
          ? { kind: 'timestamp' as const, timestamp: timestamp ?? Date.now() }
          : { kind: to };
      const plan = await admin.resetGroupOffsets(groupId, topics, target, { dryRun });
      if (!dryRun) request.log.warn({ groupId, topics, to }, 'group offsets reset from the console');
      return {
        groupId,
        dryRun,
        plan: plan.map((p) => ({
          topic: p.topic,
          partition: p.partition,
          currentOffset: p.currentOffset === undefined ? null : String(p.currentOffset),
          newOffset: String(p.newOffset),
          toRead: Number(p.toRead),
        })),
      };
    },
  );
}
