import type { ChaosStack, Slot } from './stack.ts';

export interface UnexpectedExit {
  slot: string;
  /** Ms after the campaign start. */
  at: number;
  code: number | null;
  signal: string | null;
}

/**
 * Starts a slot's process without waiting (readiness is awaited in the background and only logged:
 * under faults an instance may take long to become ready, and nothing should wait for it).
 */
export function spawnSlot(slot: Slot, log: (message: string) => void): void {
  slot.desired = 'running';
  if (slot.process.running) return;
  slot.process.spawn();
  const started = Date.now();
  slot.process.waitReady(180_000).then(
    () => {
      const ms = Date.now() - started;
      if (ms > 30_000) log(`${slot.id} ready ${(ms / 1000).toFixed(0)} s after its start`);
    },
    (error: Error) => {
      // Stopped on purpose before it was ready (a short rebalance, the end of the campaign): no news.
      if (slot.desired === 'running')
        log(`${slot.id} not ready after its start: ${error.message.split('\n')[0]}`);
    },
  );
}

/**
 * Plays the orchestrator (as Kubernetes would): a slot that should run and does not is started
 * again. An exit nobody asked for is recorded: the campaign fails on it, since no fault here is
 * allowed to crash a service.
 */
export class Supervisor {
  readonly unexpectedExits: UnexpectedExit[] = [];
  readonly #stack: ChaosStack;
  readonly #log: (message: string) => void;
  readonly #t0: number;
  readonly #seen = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(stack: ChaosStack, t0: number, log: (message: string) => void) {
    this.#stack = stack;
    this.#t0 = t0;
    this.#log = log;
  }

  start(): void {
    this.#timer = setInterval(() => this.#check(), 1000);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#check();
  }

  #check(): void {
    for (const slot of this.#stack.slots) {
      const exits = slot.process.exits;
      for (const exit of exits.slice(this.#seen.get(slot.id) ?? 0)) {
        if (exit.requested) continue;
        const at = exit.at - this.#t0;
        this.unexpectedExits.push({ slot: slot.id, at, code: exit.code, signal: exit.signal });
        this.#log(
          `! ${slot.id} exited by itself (${exit.signal ?? `code ${exit.code}`}); see ${slot.process.logFile}`,
        );
      }
      this.#seen.set(slot.id, exits.length);
      if (slot.desired === 'running' && !slot.process.running) spawnSlot(slot, this.#log);
    }
  }
}
