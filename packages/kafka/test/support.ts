import { testKafkaBrokers, uniqueName } from '@kafka-poc/testing';
import type {
  BatchHandler,
  ConsumerRunner,
  ConsumerRunnerOptions,
  ConsumerRunnerTuning,
  IncomingMessage,
  KafkaAdmin,
  KafkaConnectionConfig,
  KafkaProducer,
} from '../src/index.ts';
import { createAdmin, createConsumerRunner, createProducer } from '../src/index.ts';

export function testConnection(prefix = 'kafka_test'): KafkaConnectionConfig {
  return { brokers: testKafkaBrokers(), clientId: uniqueName(prefix) };
}

/** Every client a test starts, stopped in reverse order by `stopAll()` (call it in afterEach). */
export class Clients {
  readonly #stoppers: (() => Promise<void>)[] = [];

  async admin(): Promise<KafkaAdmin> {
    const admin = createAdmin(testConnection('admin'));
    await admin.start();
    this.#stoppers.push(() => admin.stop());
    return admin;
  }

  async producer(options?: Parameters<typeof createProducer>[1]): Promise<KafkaProducer> {
    const producer = createProducer(testConnection('producer'), options);
    await producer.start();
    this.#stoppers.push(() => producer.stop());
    return producer;
  }

  /** A started runner; `options.connection` defaults to a fresh test connection. */
  async runner(
    options: Omit<ConsumerRunnerOptions, 'connection'> &
      ConsumerRunnerTuning & { connection?: KafkaConnectionConfig },
  ): Promise<ConsumerRunner> {
    const runner = createConsumerRunner({ connection: testConnection('consumer'), ...options });
    this.#stoppers.push(() => runner.stop());
    await runner.start();
    return runner;
  }

  async stopAll(): Promise<void> {
    for (const stop of this.#stoppers.splice(0).reverse()) await stop().catch(() => undefined);
  }
}

export async function newTopic(admin: KafkaAdmin, partitions = 1, prefix = 'topic'): Promise<string> {
  const name = uniqueName(prefix);
  await admin.ensureTopics([{ name, partitions, replicationFactor: 1 }]);
  return name;
}

/** Handler that records every call and every message it accepted. */
export function recordingHandler(behaviour?: BatchHandler): {
  handler: BatchHandler;
  calls: { batch: IncomingMessage[]; attempt: number }[];
  handled: IncomingMessage[];
} {
  const calls: { batch: IncomingMessage[]; attempt: number }[] = [];
  const handled: IncomingMessage[] = [];
  const handler: BatchHandler = async (batch, context) => {
    calls.push({ batch, attempt: context.attempt });
    await behaviour?.(batch, context);
    handled.push(...batch);
  };
  return { handler, calls, handled };
}

export const values = (messages: IncomingMessage[]): string[] =>
  messages.map((m) => m.value.toString('utf8'));

export function messagesFor(
  topic: string,
  count: number,
  prefix = 'm',
): { topic: string; key: string; value: string }[] {
  return Array.from({ length: count }, (_, i) => ({ topic, key: `key-${i % 7}`, value: `${prefix}-${i}` }));
}
