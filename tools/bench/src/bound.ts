/** The machine's bound for our pipeline: Kafka's own perf tools and Postgres' commit rate, same run. */
import { measureKafkaBound } from './bound-kafka.ts';
import { measurePostgresBound, runOrdersPerSec } from './bound-postgres.ts';
import type { ProcSampler } from './proc-sampler.ts';
import { summarizeResources } from './proc-sampler.ts';
import type { BoundResult } from './result.ts';
import { kafkaLibs, type Stack } from './stack.ts';

/**
 * Records per order: order.created, inventory's decision and order-service's status event produced;
 * order-events (created + status) read by inventory-service and notification-service, inventory-events
 * by order-service.
 */
export const RECORDS_PER_ORDER = { produced: 3, consumed: 5 } as const;

/** Orders/s each resource allows, and the smallest of them. */
export function boundOrdersPerSec(
  bound: Pick<BoundResult, 'kafka' | 'postgres'>,
): BoundResult['ordersPerSec'] {
  const kafkaProduce = bound.kafka
    ? bound.kafka.producer.recordsPerSec / RECORDS_PER_ORDER.produced
    : undefined;
  const kafkaConsume = bound.kafka
    ? bound.kafka.consumer.fetchRecordsPerSec / RECORDS_PER_ORDER.consumed
    : undefined;
  const postgres = bound.postgres ? (bound.postgres.ordersPerSec ?? bound.postgres.tps) : undefined;
  const all = [kafkaProduce, kafkaConsume, postgres].filter((v): v is number => v !== undefined && v > 0);
  return {
    ...(kafkaProduce !== undefined ? { kafkaProduce } : {}),
    ...(kafkaConsume !== undefined ? { kafkaConsume } : {}),
    ...(postgres !== undefined ? { postgres } : {}),
    ...(all.length ? { combined: Math.min(...all) } : {}),
  };
}

export async function measureBound(args: {
  stack: Stack;
  procs: ProcSampler;
  origin: number;
  kafkaRecords: number;
  recordSize: number;
  pgSeconds: number;
  pgClients: number[];
  log: (message: string) => void;
}): Promise<BoundResult> {
  const started = (performance.now() - args.origin) / 1000;
  const errors: string[] = [];
  const result: BoundResult = { ordersPerSec: {}, errors, othersCpuMean: 0 };
  try {
    result.kafka = await measureKafkaBound({
      libsDir: await kafkaLibs(args.log),
      bootstrap: args.stack.brokers.join(','),
      admin: args.stack.admin,
      records: args.kafkaRecords,
      recordSize: args.recordSize,
      log: args.log,
    });
  } catch (error) {
    errors.push(`kafka: ${(error as Error).message}`);
    args.log(`kafka bound failed: ${(error as Error).message}`);
  }
  try {
    result.postgres = await measurePostgresBound({
      databaseUrl: args.stack.databaseUrl,
      clients: args.pgClients,
      seconds: args.pgSeconds,
      log: args.log,
    });
    for (const r of result.postgres.runs) {
      args.log(
        `postgres bound: ${r.tool} ${r.clients} clients, ${r.batch ?? 1}/statement: ${r.tps.toFixed(0)} statements/s = ${runOrdersPerSec(r).toFixed(0)} orders/s`,
      );
    }
  } catch (error) {
    errors.push(`postgres: ${(error as Error).message}`);
    args.log(`postgres bound failed: ${(error as Error).message}`);
  }
  result.ordersPerSec = boundOrdersPerSec(result);
  result.othersCpuMean = summarizeResources(args.procs.points, started).othersCpuMean;
  return result;
}
