import { probeBrokers } from '@kafka-poc/local-stack';
import { sleep } from '@kafka-poc/resilience';
import { FAULTS, type FaultContext, type FaultKind, type FaultPlan } from './faults/index.ts';
import { ShuffleBag } from './random.ts';
import { TERMINATION_GRACE_MS } from './stack.ts';
import { spawnSlot } from './supervisor.ts';

/** One fault as it happened. Times are ms after the campaign start. */
export interface FaultRecord {
  id: number;
  kind: FaultKind;
  target: string;
  detail: string;
  startedAt: number;
  /** When it was in place (undefined: injecting it failed). */
  injectedAt?: number;
  healedAt?: number;
  note?: string;
  /** Why injecting or healing failed (the campaign goes on; the heal-everything phase cleans up). */
  error?: string;
}

export interface NemesisOptions {
  kinds: FaultKind[];
  /** Mean time between injections; each wait is uniform in 0.5×–1.5× of it. */
  intervalMs: number;
  maxActive: number;
  /** Campaign start (performance-independent wall clock, ms). */
  t0: number;
}

/**
 * Picks faults at random (every kind once per round, in a seeded order), injects each on a target
 * no other active fault occupies, and heals it after its duration. At most maxActive at once.
 */
export class Nemesis {
  readonly history: FaultRecord[] = [];
  readonly #ctx: FaultContext;
  readonly #options: NemesisOptions;
  readonly #bag: ShuffleBag<FaultKind>;
  readonly #active = new Map<number, { claims: string[]; done: Promise<void> }>();
  readonly #stop = new AbortController();

  constructor(ctx: Omit<FaultContext, 'signal'>, options: NemesisOptions) {
    this.#ctx = { ...ctx, signal: this.#stop.signal };
    this.#options = options;
    this.#bag = new ShuffleBag(options.kinds, ctx.random);
  }

  get active(): FaultRecord[] {
    return [...this.#active.keys()].map((id) => this.history[id - 1]).filter((r) => r !== undefined);
  }

  /** Injects faults until `durationMs` after t0; returns with faults possibly still active. */
  async run(durationMs: number): Promise<void> {
    const end = this.#options.t0 + durationMs;
    const { random } = this.#ctx;
    while (Date.now() < end) {
      const wait = random.between(this.#options.intervalMs * 0.5, this.#options.intervalMs * 1.5);
      await sleep(Math.min(wait, Math.max(0, end - Date.now())));
      if (Date.now() >= end) break;
      if (this.#active.size >= this.#options.maxActive) continue;
      this.#startNext();
    }
  }

  /** Ends every active fault now (their waits are cut short) and waits for their heals. */
  async healActive(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#active.values()].map((a) => a.done));
  }

  /**
   * Whatever a failed heal may have left: every proxy reset, every frozen process continued, every
   * broker and Postgres running, the nemesis' trigger gone, base instances running, spares stopped.
   */
  async healEverything(log: (message: string) => void): Promise<void> {
    const { stack } = this.#ctx;
    await stack.proxies.resetAll().catch((e: Error) => log(`heal: toxiproxy reset failed: ${e.message}`));
    for (const node of stack.kafka.nodes) {
      // A broker may exit between the check and the signal (ESRCH): it is started below.
      if (node.pid) signalQuietly(node.pid, 'SIGCONT');
    }
    for (const node of stack.kafka.nodes) {
      if (!node.pid) {
        await stack.kafka
          .startNode(node.nodeId, { readyTimeoutMs: 180_000 })
          .catch((e: Error) => log(`heal: broker ${node.nodeId}: ${e.message}`));
      }
    }
    await waitForAllBrokers(stack.kafka.bootstrapServers.split(','), stack.kafka.nodes.length, 180_000, log);
    if (!stack.postgres.pid)
      await stack.postgres.start().catch((e: Error) => log(`heal: postgres: ${e.message}`));
    for (const slot of stack.slots) {
      slot.process.resume();
      if (slot.spare && slot.process.running) {
        slot.desired = 'stopped';
        await slot.process.stop(TERMINATION_GRACE_MS).catch(() => undefined);
      }
      if (!slot.spare) spawnSlot(slot, log);
    }
  }

  #startNext(): void {
    const busy = new Set([...this.#active.values()].flatMap((a) => a.claims));
    // A kind whose targets are all busy now is put back; try the others of this round first.
    for (let tries = 0; tries < this.#options.kinds.length; tries++) {
      const kind = this.#bag.next();
      const plan = FAULTS[kind].plan(this.#ctx, busy);
      if (plan) {
        this.#launch(kind, plan);
        return;
      }
      this.#bag.putBack(kind);
    }
  }

  #launch(kind: FaultKind, plan: FaultPlan): void {
    const record: FaultRecord = {
      id: this.history.length + 1,
      kind,
      target: plan.target,
      detail: plan.detail,
      startedAt: this.#now(),
    };
    this.history.push(record);
    this.#ctx.log(`+ #${record.id} ${kind} ${plan.target}: ${plan.detail}`);
    const done = this.#runFault(record, plan).finally(() => this.#active.delete(record.id));
    this.#active.set(record.id, { claims: plan.claims, done });
  }

  async #runFault(record: FaultRecord, plan: FaultPlan): Promise<void> {
    let injected: Awaited<ReturnType<FaultPlan['inject']>>;
    try {
      injected = await plan.inject();
      record.injectedAt = this.#now();
      if (injected.note) record.note = injected.note;
    } catch (error) {
      record.error = `inject: ${(error as Error).message.split('\n')[0]}`;
      this.#ctx.log(`  #${record.id} ${record.kind} could not be injected: ${record.error}`);
      return;
    }
    await sleep(plan.durationMs, this.#stop.signal);
    try {
      const note = await injected.heal();
      if (note) record.note = record.note ? `${record.note}; ${note}` : note;
    } catch (error) {
      record.error = `heal: ${(error as Error).message.split('\n')[0]}`;
    }
    record.healedAt = this.#now();
    const took = ((record.healedAt - record.startedAt) / 1000).toFixed(1);
    this.#ctx.log(
      `- #${record.id} ${record.kind} ${record.target} healed after ${took} s${record.note ? ` (${record.note})` : ''}${record.error ? ` [${record.error}]` : ''}`,
    );
  }

  #now(): number {
    return Date.now() - this.#options.t0;
  }
}

/** Waits until every broker is in the cluster metadata again (a healed broker may still be starting). */
async function waitForAllBrokers(
  bootstrap: string[],
  count: number,
  timeoutMs: number,
  log: (message: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ids: number[] = [];
  while (Date.now() < deadline) {
    ids = await probeBrokers(bootstrap, 3000).catch(() => []);
    if (ids.length >= count) return;
    await sleep(1000);
  }
  log(`heal: only brokers [${ids.join(',')}] serve after ${timeoutMs / 1000} s`);
}

/** process.kill without throwing for a process that is gone meanwhile (ESRCH). */
function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
