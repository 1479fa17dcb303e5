import type { KafkaAdmin, KafkaProducer } from '@kafka-poc/kafka';
import type { SseStreams } from '../http/sse.ts';
import type { LagHistory } from './lag-history.ts';

/** What the Kafka routes need; built once in app.ts. */
export interface KafkaDeps {
  admin: KafkaAdmin;
  /** Absent in read-only mode: nothing can be produced. */
  producer: KafkaProducer | undefined;
  clientId: string;
  topicDefaults: { partitions: number; replicationFactor: number };
  lagHistory: LagHistory;
  lagSampleMs: number;
  /** Between lag samples while nobody uses the console. */
  lagIdleSampleMs: number;
  streams: SseStreams;
  tailPollMs: number;
}
