import type { Random } from '../random.ts';
import type { ChaosStack } from '../stack.ts';
import type { FaultKind } from './kinds.ts';

export interface FaultContext {
  stack: ChaosStack;
  random: Random;
  log: (message: string) => void;
  /** The services' statement timeout: lock holds and slow statements outlast it. */
  statementTimeoutMs: number;
  /** Aborted when the campaign ends: long faults stop waiting and heal at once. */
  signal: AbortSignal;
}

export interface Injected {
  /** Undoes the fault; resolves with a note on what was seen, if any. Safe to call once. */
  heal: () => Promise<string | undefined>;
  /** What injecting it showed (e.g. "app transaction was the deadlock victim"). */
  note?: string;
}

/** One fault, chosen and parameterized, not yet injected. */
export interface FaultPlan {
  /** Instance, broker, table or link it hits. */
  target: string;
  /** Its parameters, for humans (e.g. "latency 800±200 ms, both directions"). */
  detail: string;
  /** What it occupies while active (slots, "postgres", "broker"): faults with a common claim never overlap. */
  claims: string[];
  /** How long it stays before being healed; 0 = inject() is the whole fault (heal is a no-op). */
  durationMs: number;
  inject(): Promise<Injected>;
}

export interface FaultDefinition {
  kind: FaultKind;
  /** A plan over targets whose claims are free, or undefined when none is (the nemesis tries another kind). */
  plan(ctx: FaultContext, busy: ReadonlySet<string>): FaultPlan | undefined;
}

export const healed = async (): Promise<undefined> => undefined;
