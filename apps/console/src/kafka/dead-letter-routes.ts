import type { IncomingMessage } from '@kafka-poc/kafka';
import { AppError, type HttpServer } from '@kafka-poc/service-kit';
import { deadLetterInfo, isDeadLetterTopic, originalTopicOf, redriveMessage } from './dead-letters.ts';
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

  app.get('/api/dead-letters', { schema: { tags: ['dead letters'] } }, async () => {
    const names = (await admin.listTopics()).filter(isDeadLetterTopic);
    const topics = names.length > 0 ? await admin.describeTopics(names) : [];
    return {
      topics: topics.map((t) => {
        const view = toTopicView(t);
        return { topic: t.name, originalTopic: originalTopicOf(t.name), messages: view.messages };
      }),
    };
  });

  app.get(
    '/api/dead-letters/:topic',
    { schema: { tags: ['dead letters'], params: topicParams, querystring: limitQuery } },
    async (request) => {
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
    async (request) => {
      const producer = deps.producer;
      if (!producer) throw new AppError('UNAVAILABLE', 'No producer in this console');
      const { topic } = request.params;
      requireDlt(topic);
      const letters = await chooseLetters(deps, topic, request.body);
      const messages = letters.map(redriveMessage);
      const targets = [...new Set(messages.map((m) => m.topic))];
      const existing = new Set(await admin.listTopics());
      const missing = targets.filter((t) => !existing.has(t));
      if (missing.length > 0)
        throw new AppError('CONFLICT', `original topic ${missing.join(', ')} does not exist`);
      await producer.send(messages);
      request.log.info({ topic, count: messages.length, targets }, 'dead letters redriven from the console');
      return { topic, redriven: messages.length, targets };
    },
  );
}

async function chooseLetters(
  deps: KafkaDeps,
  topic: string,
  body: { all: true } | { partition: number; offset: bigint },
): Promise<IncomingMessage[]> {
  if ('all' in body) {
    const result = await browseMessages(deps.admin, deps.clientId, {
      topic,
      order: 'oldest',
      limit: REDRIVE_ALL_MAX,
      filter: {},
    });
    if (result.messages.length === 0) throw new AppError('NOT_FOUND', `${topic} has no dead letters`);
    return result.messages;
  }
  const [letter] = await deps.admin.readMessages(topic, {
    partition: body.partition,
    fromOffset: body.offset,
    limit: 1,
  });
  if (!letter || letter.offset !== body.offset) {
    throw new AppError('NOT_FOUND', `no dead letter at ${topic}:${body.partition}:${body.offset}`);
  }
  return [letter];
}
