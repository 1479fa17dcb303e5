import type { ClusterTimings, KafkaAdmin } from '@kafka-poc/kafka';
import { ServiceError } from '@kafka-poc/resilience';
import { clusterTimingProblems } from './failover-timings.ts';
import type { Logger } from './logger.ts';

/** A service that must not run with what it found at start: one line for the operator, then exit 1. */
export class StartRefused extends ServiceError<'START_REFUSED'> {
  constructor(line: string) {
    super('START_REFUSED', line, { retryable: false });
  }
}

export interface TimingCheckOptions {
  groupProtocol: 'consumer' | 'classic';
  /** TIMING_CHECK: refuse to start, or only warn (tests that make orders expire on purpose). */
  onProblem: 'refuse' | 'warn';
  /** The groups whose failover bounds this service's own timeouts (its consumers', and any it waits on). */
  groups: string[];
  /** A service's own rule on top of the common ones (e.g. order-service's decision timeout). */
  check?: (timings: ClusterTimings) => string[];
}

/**
 * Reads the cluster's failure-detection timings once Kafka answers and refuses to start (StartRefused,
 * naming the values and the rule) when this service's settings cannot hold on that cluster; with
 * TIMING_CHECK=warn it logs the same line and goes on.
 */
export async function checkClusterTimings(
  admin: KafkaAdmin,
  options: TimingCheckOptions,
  logger: Logger,
): Promise<ClusterTimings> {
  const timings = await admin.describeClusterTimings(options.groups);
  logger.info({ timings }, 'cluster failure-detection timings');
  const problems = [
    ...clusterTimingProblems(timings, { groupProtocol: options.groupProtocol }),
    ...(options.check?.(timings) ?? []),
  ];
  if (problems.length === 0) return timings;
  const line = problems.join('; ');
  if (options.onProblem === 'refuse') throw new StartRefused(line);
  logger.warn({ problems }, `TIMING_CHECK=warn: ${line}`);
  return timings;
}
