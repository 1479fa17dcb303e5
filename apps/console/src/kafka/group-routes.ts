import { type OffsetResetPlanEntry, OffsetResetSkipsError } from '@kafka-poc/kafka';
import {
  AppError,
  type HttpServer,
  PROBLEM_CONTENT_TYPE,
  problem,
  problemBody,
  respond,
} from '@kafka-poc/service-kit';
import type {
  GroupSummary,
  GroupView,
  LagHistoryView,
  ResetPlanEntryView,
  ResetPlanView,
  ResetSkipsProblem,
} from '../shared/views.ts';
import { toGroupView } from './group-view.ts';
import type { KafkaDeps } from './kafka-deps.ts';
import { mapLimit } from './map-limit.ts';
import { groupParams, resetBody, resetConflictProblem, resetPlanResponse } from './schemas.ts';

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
    {
      config: { write: true },
      schema: {
        tags: ['groups'],
        summary: "Preview (dryRun) or apply a reset of an empty group's committed offsets",
        params: groupParams,
        body: resetBody,
        response: {
          200: respond(resetPlanResponse, {
            description:
              'Per partition the committed and new offset, records re-read and records skipped; applied unless dryRun',
          }),
          404: problem('No consumer group with this id'),
          409: respond(resetConflictProblem, {
            description:
              'The group has members, or (OFFSET_RESET_SKIPS) the reset would skip records it never consumed and allowSkip was not given; `skips` names those partitions. Nothing changed.',
            contentType: PROBLEM_CONTENT_TYPE,
          }),
        },
      },
    },
    async (request, reply) => {
      const { groupId } = request.params;
      const { to, timestamp, dryRun, allowSkip } = request.body;
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
      let plan: OffsetResetPlanEntry[];
      try {
        // The same plan and refusal as `npm run cli -- replay` (packages/kafka's planOffsetReset).
        plan = await admin.resetGroupOffsets(groupId, topics, target, { dryRun, refuseSkips: !allowSkip });
      } catch (error) {
        if (!(error instanceof OffsetResetSkipsError)) throw error;
        const problem: ResetSkipsProblem = {
          ...problemBody(409, 'OFFSET_RESET_SKIPS', 'Conflict', skipRefusal(groupId, error.skips)),
          skips: error.skips.map(planEntryView),
        };
        return reply.status(409).type(PROBLEM_CONTENT_TYPE).send(problem);
      }
      if (!dryRun)
        request.log.warn({ groupId, topics, to, allowSkip }, 'group offsets reset from the console');
      const view: ResetPlanView = {
        groupId,
        dryRun,
        plan: plan.map(planEntryView),
        reRead: Number(plan.reduce((sum, p) => sum + p.reRead, 0n)),
        skipped: Number(plan.reduce((sum, p) => sum + p.skipped, 0n)),
      };
      return view;
    },
  );
}

function planEntryView(p: OffsetResetPlanEntry): ResetPlanEntryView {
  return {
    topic: p.topic,
    partition: p.partition,
    currentOffset: p.currentOffset === undefined ? null : String(p.currentOffset),
    newOffset: String(p.newOffset),
    toRead: Number(p.toRead),
    reRead: Number(p.reRead),
    skipped: Number(p.skipped),
  };
}

/** What the refusal says: every partition that would skip, with its offsets and count. */
function skipRefusal(groupId: string, skips: OffsetResetPlanEntry[]): string {
  const total = skips.reduce((sum, p) => sum + p.skipped, 0n);
  const where = skips
    .map(
      (p) =>
        `${p.topic}:${p.partition} (${p.currentOffset === undefined ? 'no committed offset' : `committed ${p.currentOffset}`} → ${p.newOffset}: ${p.skipped} skipped)`,
    )
    .join(', ');
  return (
    `Refused: this reset moves ${groupId} past ${total} record(s) it never consumed: ${where}. ` +
    'Nothing changed. Preview it, and send allowSkip: true to skip them on purpose.'
  );
}
