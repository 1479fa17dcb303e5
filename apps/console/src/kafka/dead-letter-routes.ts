import { isDeadLetterTopic, originalTopic } from '@kafka-poc/contracts';
import { RedriveError, type RedriveReport, redriveAll, redriveOne } from '@kafka-poc/outbox';
import { AppError, type HttpServer } from '@kafka-poc/service-kit';
import { AUDIT_PROTECTED_DETAIL } from '../audit/console-audit.ts';
import type { DeadLettersView, DeadLetterTopicView, RedriveView } from '../shared/views.ts';
import { deadLetterInfo } from './dead-letters.ts';
import type { KafkaDeps } from './kafka-deps.ts';
import { browseMessages } from './message-browser.ts';
import { toMessageView } from './message-view.ts';
import { limitQuery, redriveBody, topicParams } from './schemas.ts';
import { toTopicView } from './topic-view.ts';

/** Most letters one "redrive all" re-publishes. */
const REDRIVE_ALL_MAX = 10_000;

/** Dead letters page: every *.DLT topic, its letters with their error headers, redrive one or all. */
export function registerDeadLetterRoutes(app: HttpServer, deps: KafkaDeps): void {
  const { admin } = deps;

  const requireDlt = (topic: string) => {
    if (!isDeadLetterTopic(topic)) {
      throw new AppError('VALIDATION_FAILED', `${topic} is not a dead-letter topic (*.DLT)`, {
        fields: [{ field: 'topic', message: 'must end with .DLT' }],
      });
    }
  };

  app.get(
    '/api/dead-letters',
    { schema: { tags: ['dead letters'] } },
    async (): Promise<{ topics: DeadLetterTopicView[] }> => {
      const names = (await admin.listTopics()).filter(isDeadLetterTopic);
      const topics = names.length > 0 ? await admin.describeTopics(names) : [];
      return {
        topics: topics.map((t) => {
          const view = toTopicView(t);
          return { topic: t.name, originalTopic: originalTopic(t.name) ?? t.name, messages: view.messages };
        }),
      };
    },
  );

  app.get(
    '/api/dead-letters/:topic',
    { schema: { tags: ['dead letters'], params: topicParams, querystring: limitQuery } },
    async (request): Promise<DeadLettersView> => {
      const { topic } = request.params;
      requireDlt(topic);
      const result = await browseMessages(admin, deps.clientId, {
        topic,
        order: 'newest',
        limit: request.query.limit,
        filter: {},
      });
      return {
        topic,
        letters: result.messages.map((m) => ({ ...toMessageView(m), deadLetter: deadLetterInfo(m) })),
      };
    },
  );

  app.post(
    '/api/dead-letters/:topic/redrive',
    { config: { write: true }, schema: { tags: ['dead letters'], params: topicParams, body: redriveBody } },
    async (request): Promise<RedriveView> => {
      const producer = deps.producer;
      if (!producer) throw new AppError('UNAVAILABLE', 'No producer in this console');
      const { topic } = request.params;
      requireDlt(topic);
      const result = await redrive(deps, producer, topic, request.body);
      request.log.info(
        {
          topic,
          count: result.redriven,
          targets: result.targets,
          leftUnread: result.leftBehind + result.arrived,
        },
        'dead letters redriven from the console',
      );
      const { topic: _, redriven, targets, leftBehind, arrived } = result;
      return { topic, redriven, targets, leftUnread: leftBehind + arrived };
    },
  );
}

/** The shared redrive (@kafka-poc/outbox), with its refusals as HTTP problems. */
async function redrive(
  deps: KafkaDeps,
  producer: NonNullable<KafkaDeps['producer']>,
  topic: string,
  body: { all: true } | { partition: number; offset: bigint },
): Promise<RedriveReport> {
  try {
    const result =
      'all' in body
        ? await redriveAll(deps.admin, producer, topic, { limit: REDRIVE_ALL_MAX })
        : await redriveOne(deps.admin, producer, topic, body);
    if ('all' in body && result.redriven === 0 && !result.stoppedBy)
      throw new AppError('NOT_FOUND', `${topic} has no dead letters`);
    // A letter whose header points at the audit topic: the guarded producer refused it.
    if (result.stoppedBy === AUDIT_PROTECTED_DETAIL) throw new AppError('FORBIDDEN', AUDIT_PROTECTED_DETAIL);
    if (result.stoppedBy) {
      throw new AppError(
        'UNAVAILABLE',
        `redrive stopped after ${result.redriven} letter(s): ${result.stoppedBy}`,
      );
    }
    return result;
  } catch (error) {
    if (error instanceof RedriveError) {
      throw new AppError(error.code === 'DEAD_LETTER_NOT_FOUND' ? 'NOT_FOUND' : 'CONFLICT', error.message);
    }
    throw error;
  }
}
