/** The JSON result of a bench run (result.json), from which the report and charts are rendered. */
import type { BacklogSample } from './backlog.ts';
import type { KafkaBound } from './bound-kafka.ts';
import type { PostgresBound } from './bound-postgres.ts';
import type { DrainResult, TableStat } from './collect.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import type { ExactlyOnceResult } from './exactly-once.ts';
import type { StepVerdict } from './find-max.ts';
import type { Summary } from './histogram.ts';
import type { RequestCounts } from './kafka-requests.ts';
import type { SecondStats } from './latency.ts';
import type { PgDelta, StatementCount, StatementStat } from './pg-stats.ts';
import type { ProcPoint, ResourceSummary } from './proc-sampler.ts';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  java: string;
  /** Machine CPU (% of one core) used by other processes just before the bench started anything. */
  busyBeforeStartPct: number;
  load1AtStart: number;
}

export interface PhaseResult {
  name: string;
  /** idle: no load at all (rate 0), for the cost of a stack that waits. */
  kind: 'warmup' | 'idle' | 'fixed' | 'step';
  rate: number;
  durationMs: number;
  /** Seconds since the bench started: load start, load end, pipeline drained. */
  startedAt: number;
  loadEndedAt: number;
  drainedAt: number;
  throughput: { offered: number; accepted: number; endToEnd: number; drainMs: number | undefined };
  outcomes: Record<string, number>;
  latencyMs: {
    http: Summary;
    service: Summary;
    sendLag: Summary;
    decided: Summary;
    notified: Summary;
    delivered: Summary;
    db: Summary;
  };
  distributions: { http: [number, number][]; decided: [number, number][]; notified: [number, number][] };
  negative: { decided: number; notified: number };
  incomplete: number;
  /** Hop-by-hop latency (fixed-rate phases). */
  stages?: { name: string; latencyMs: Summary }[];
  /** pg_stat_user_tables after the phase drained (fixed-rate phases). */
  tables?: TableStat[];
  perSecond: SecondStats[];
  backlog: { max: number; end: number; growthPerSec: number };
  drain: DrainResult;
  pg?: PgDelta & { commitsPerOrder: number; walBytesPerOrder: number };
  verdict?: StepVerdict;
  resources: ResourceSummary[];
  /** Per service, during the load: DB pool connections in use / requests waiting for one, event loop lag p99. */
  gauges: Record<
    string,
    {
      poolInUseMean?: number;
      poolWaitingMean?: number;
      poolWaitingMax?: number;
      eventLoopLagP99MaxMs?: number;
    }
  >;
  /** Orders stored by the phase (created during its load). */
  ordersStored?: number;
  /** Mean CPU per process during the load (the whole phase when idle), in cores. */
  cpuCores?: Record<string, number>;
  /** CPU ms (of one core) per order stored, per process, over load + drain. */
  cpuMsPerOrder: Record<string, number>;
  /** Requests the broker served during load + drain, by kind (its own JMX counters). */
  kafkaRequests?: RequestCounts;
  /** Statements the services ran during load + drain (pg_stat_statements; the bench's own are not tracked). */
  statementCounts?: StatementCount[];
  /** Monotonic µs (process.hrtime) of load start and drain end: the window of this phase in CPU profiles. */
  monotonicUs?: { fromUs: number; toUs: number };
  /** cores × 1000 / Σ cpuMsPerOrder: orders/s this machine could do if the pipeline had it to itself and scaled linearly. */
  cpuCapacityEstimate: number | undefined;
  machineCpuMean: number;
  othersCpuMean: number;
}

export interface BoundResult {
  kafka?: KafkaBound;
  postgres?: PostgresBound;
  /** Orders/s each resource allows: Kafka produces 2 and consumes 3 records per order, Postgres 1 intake tx. */
  ordersPerSec: { kafkaProduce?: number; kafkaConsume?: number; postgres?: number; combined?: number };
  errors: string[];
  /** Machine CPU of others while the bound was measured. */
  othersCpuMean: number;
}

export interface TargetResult {
  name: string;
  target: string;
  measured: string;
  met: boolean | undefined;
  command: string;
  /** A miss (met false) fails the run: today only 'memory over 10 minutes' (issue 26). */
  failsRun?: boolean;
  /** When such a target is missed: a one-line reason naming the processes, for the log and the report. */
  failure?: string;
}

export interface BenchResult {
  version: 1;
  startedAt: string;
  finishedAt: string;
  command: string;
  label: string | undefined;
  git: { commit: string; dirtyFiles: number; diffHash?: string };
  machine: MachineInfo;
  options: Record<string, unknown>;
  stack: Record<string, string>;
  bound: BoundResult | undefined;
  phases: PhaseResult[];
  findMax:
    | {
        maxSustained: number | undefined;
        plan: { start: number; step: number; max: number; stepDurationMs: number; refine: number };
        steps: { rate: number; sustained: boolean; reasons: string[] }[];
      }
    | undefined;
  exactlyOnce: ExactlyOnceResult & { accepted: number; storedSinceStart: number; kafkaLagAtEnd: string[] };
  resources: { points: ProcPoint[]; summary: ResourceSummary[] };
  backlog: BacklogSample[];
  statements: StatementStat[] | undefined;
  /** CPU profiles of the services: the measured phases together (phase undefined), or one phase. */
  profiles: { service: string; phase?: string; summary: ProfileSummary }[] | undefined;
  serviceExits: string[];
  targets: TargetResult[];
  /**
   * Exactly-once held. The run fails when it did not, and also when a target with failsRun was
   * missed (a service's memory grew over a 10-minute phase): see runExitCode in targets.ts.
   */
  ok: boolean;
}
