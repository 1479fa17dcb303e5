/**
 * The broker's own limit on this machine, measured with Kafka's perf tools from the same jars the
 * broker runs (kafka-tools): ProducerPerformance then ConsumerPerformance on a topic shaped like
 * ours (3 partitions, RF 1), records about the size of our events, acks=all + idempotence.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { KafkaAdmin } from '@kafka-poc/kafka';
import { checkJava } from '@kafka-poc/local-stack';

export interface ProducerPerf {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ConsumerPerf {
  records: number;
  /** Including the group join. */
  recordsPerSec: number;
  /** Fetching only (what the broker serves). */
  fetchRecordsPerSec: number;
  mbPerSec: number;
  rebalanceMs: number;
}

export interface KafkaBound {
  recordSize: number;
  partitions: number;
  producerProps: string[];
  producer: ProducerPerf;
  consumer: ConsumerPerf;
  commands: string[];
}

/** The final summary line of ProducerPerformance (intermediate lines have no percentiles). */
export function parseProducerPerformance(output: string): ProducerPerf | undefined {
  const pattern =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/g;
  const last = [...output.matchAll(pattern)].at(-1);
  if (!last) return undefined;
  const n = (i: number) => Number(last[i]);
  return {
    records: n(1),
    recordsPerSec: n(2),
    mbPerSec: n(3),
    avgLatencyMs: n(4),
    maxLatencyMs: n(5),
    p50Ms: n(6),
    p99Ms: n(8),
  };
}

/** ConsumerPerformance prints a header line and one CSV line of totals. */
export function parseConsumerPerformance(output: string): ConsumerPerf | undefined {
  const lines = output.split('\n').map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l.startsWith('start.time'));
  if (headerAt < 0) return undefined;
  const header = (lines[headerAt] ?? '').split(',').map((h) => h.trim());
  const values = (lines[headerAt + 1] ?? '').split(',').map((v) => v.trim());
  const get = (name: string) => Number(values[header.indexOf(name)]);
  const result = {
    records: get('data.consumed.in.nMsg'),
    recordsPerSec: get('nMsg.sec'),
    fetchRecordsPerSec: get('fetch.nMsg.sec'),
    mbPerSec: get('MB.sec'),
    rebalanceMs: get('rebalance.time.ms'),
  };
  return Object.values(result).every(Number.isFinite) ? result : undefined;
}

async function runJava(
  java: string,
  libsDir: string,
  mainClass: string,
  args: string[],
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(java, ['-Xmx512m', '-cp', `${libsDir}/*`, mainClass, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${mainClass} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
}

export async function measureKafkaBound(args: {
  libsDir: string;
  bootstrap: string;
  admin: KafkaAdmin;
  records: number;
  recordSize: number;
  log: (message: string) => void;
}): Promise<KafkaBound> {
  const { java } = await checkJava();
  const topic = `bench-bound-${randomBytes(3).toString('hex')}`;
  const partitions = 3;
  await args.admin.ensureTopics([{ name: topic, partitions, replicationFactor: 1 }]);
  // As our producer: idempotent, acks=all, a 5 ms linger (the Kafka 4 default, and ours).
  const producerProps = ['acks=all', 'enable.idempotence=true', 'linger.ms=5'];
  const producerArgs = [
    '--bootstrap-server',
    args.bootstrap,
    '--topic',
    topic,
    '--num-records',
    String(args.records),
    '--record-size',
    String(args.recordSize),
    '--throughput',
    '-1',
    '--command-property',
    ...producerProps,
  ];
  const consumerArgs = [
    '--bootstrap-server',
    args.bootstrap,
    '--topic',
    topic,
    '--num-records',
    String(args.records),
    '--group',
    `${topic}-group`,
    '--timeout',
    '30000',
  ];
  try {
    args.log(`kafka bound: ProducerPerformance, ${args.records} records of ${args.recordSize} B`);
    const produced = await runJava(
      java,
      args.libsDir,
      'org.apache.kafka.tools.ProducerPerformance',
      producerArgs,
      300_000,
    );
    const producer = parseProducerPerformance(produced);
    if (!producer) throw new Error(`no summary from ProducerPerformance:\n${produced.slice(-2000)}`);
    args.log(`kafka bound: produced ${producer.recordsPerSec.toFixed(0)} records/s; ConsumerPerformance`);
    const consumed = await runJava(
      java,
      args.libsDir,
      'org.apache.kafka.tools.ConsumerPerformance',
      consumerArgs,
      300_000,
    );
    const consumer = parseConsumerPerformance(consumed);
    if (!consumer) throw new Error(`no summary from ConsumerPerformance:\n${consumed.slice(-2000)}`);
    args.log(`kafka bound: consumed ${consumer.fetchRecordsPerSec.toFixed(0)} records/s (fetch)`);
    return {
      recordSize: args.recordSize,
      partitions,
      producerProps,
      producer,
      consumer,
      commands: [
        `java -cp "<libs>/*" org.apache.kafka.tools.ProducerPerformance ${producerArgs.join(' ')}`,
        `java -cp "<libs>/*" org.apache.kafka.tools.ConsumerPerformance ${consumerArgs.join(' ')}`,
      ],
    };
  } finally {
    await args.admin.deleteTopics([topic]).catch(() => undefined);
  }
}
