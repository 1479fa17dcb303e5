import { sleep } from '@kafka-poc/resilience';
import { SERVICE_NAMES, type Slot, TERMINATION_GRACE_MS, VERSIONS, type Version } from '../stack.ts';
import { spawnSlot } from '../supervisor.ts';
import { type FaultContext, type FaultDefinition, type FaultPlan, healed } from './types.ts';

/** Instances that run, should run, and are not the target of another fault. */
function runningSlots(ctx: FaultContext, busy: ReadonlySet<string>): Slot[] {
  return ctx.stack.slots.filter((s) => s.desired === 'running' && s.process.running && !busy.has(s.id));
}

function stopThenRestart(signal: 'SIGKILL' | 'SIGTERM'): FaultDefinition['plan'] {
  return (ctx, busy) => {
    const candidates = runningSlots(ctx, busy);
    if (candidates.length === 0) return undefined;
    const slot = ctx.random.pick(candidates);
    const downMs = ctx.random.between(1000, 8000);
    return {
      target: slot.id,
      detail: `${signal}, restarted ${(downMs / 1000).toFixed(1)} s later`,
      claims: [slot.id],
      durationMs: downMs,
      inject: async () => {
        slot.desired = 'stopped';
        const exit =
          signal === 'SIGKILL' ? await slot.process.kill() : await slot.process.stop(TERMINATION_GRACE_MS);
        const note = `exited ${exit.signal ?? `code ${exit.code}`} after ${exit.ms} ms`;
        // A spare that had joined stays down: it was not meant to run.
        return { note, heal: async () => (slot.spare ? undefined : void spawnSlot(slot, ctx.log)) };
      },
    };
  };
}

export const sigkill: FaultDefinition = { kind: 'sigkill', plan: stopThenRestart('SIGKILL') };
export const sigterm: FaultDefinition = { kind: 'sigterm', plan: stopThenRestart('SIGTERM') };

/** SIGSTOP: a GC pause or a frozen VM; past the 10 s session timeout its partitions move away. */
export const pause: FaultDefinition = {
  kind: 'pause',
  plan: (ctx, busy) => {
    const candidates = runningSlots(ctx, busy);
    if (candidates.length === 0) return undefined;
    const slot = ctx.random.pick(candidates);
    const ms = ctx.random.between(2000, 25_000);
    return {
      target: slot.id,
      detail: `SIGSTOP for ${(ms / 1000).toFixed(1)} s, then SIGCONT`,
      claims: [slot.id],
      durationMs: ms,
      inject: async () => {
        slot.process.pause();
        return {
          heal: async () => {
            slot.process.resume();
            return undefined;
          },
        };
      },
    };
  },
};

/** The spare instance of a service joins its consumer groups, runs a while, and leaves (SIGTERM). */
export const rebalance: FaultDefinition = {
  kind: 'rebalance',
  plan: (ctx, busy) => {
    const spares = ctx.stack.slots.filter(
      (s) => s.spare && !s.process.running && !busy.has(s.id) && s.desired === 'stopped',
    );
    if (spares.length === 0) return undefined;
    const slot = ctx.random.pick(spares);
    const ms = ctx.random.between(5000, 30_000);
    const version = serviceVersion(ctx, slot);
    return {
      target: slot.id,
      detail: `joins (version ${version}), leaves ${(ms / 1000).toFixed(1)} s later`,
      claims: [slot.id],
      durationMs: ms,
      inject: async () => {
        ctx.stack.setVersion(slot, version);
        spawnSlot(slot, ctx.log);
        return {
          heal: async () => {
            slot.desired = 'stopped';
            if (!slot.process.running) return 'had already exited';
            const exit = await slot.process.stop(TERMINATION_GRACE_MS);
            return `left (${exit.signal ?? `code ${exit.code}`})`;
          },
        };
      },
    };
  },
};

/**
 * Old and new side by side: a service's instances restart one at a time (SIGTERM, start, ready) on
 * the other version (VERSIONS: the classic group protocol and other batch settings, or back).
 */
export const rollingUpgrade: FaultDefinition = {
  kind: 'rolling-upgrade',
  plan: (ctx, busy) => {
    const services = SERVICE_NAMES.filter((service) => {
      const base = ctx.stack.slots.filter((s) => s.service === service && !s.spare);
      return base.every((s) => !busy.has(s.id) && s.desired === 'running');
    });
    if (services.length === 0) return undefined;
    const service = ctx.random.pick(services);
    const slots = ctx.stack.slots.filter((s) => s.service === service && !s.spare);
    const from = slots[0]?.version ?? 'current';
    const to: Version = from === 'current' ? 'previous' : 'current';
    const settings = Object.entries(VERSIONS[to]).map(([k, v]) => `${k}=${v}`);
    return {
      target: service,
      detail: `${from} → ${to} (${settings.join(' ') || 'defaults'}), one instance at a time`,
      claims: slots.map((s) => s.id),
      durationMs: 0,
      inject: async (): Promise<{ heal: typeof healed; note: string }> => {
        const notes: string[] = [];
        for (const slot of slots) {
          if (ctx.signal.aborted) break;
          slot.desired = 'stopped';
          const started = Date.now();
          if (slot.process.running) await slot.process.stop(TERMINATION_GRACE_MS);
          ctx.stack.setVersion(slot, to);
          slot.desired = 'running';
          try {
            await slot.process.start(90_000);
            notes.push(`${slot.id} ${((Date.now() - started) / 1000).toFixed(1)} s`);
          } catch (error) {
            notes.push(`${slot.id} not ready: ${(error as Error).message.split('\n')[0]}`);
          }
          await sleep(1000);
        }
        return { heal: healed, note: `restarted ${notes.join(', ')}` };
      },
    };
  },
};

/** The version the service's base instances run (a joining spare takes the same). */
function serviceVersion(ctx: FaultContext, slot: Slot): Version {
  return ctx.stack.slots.find((s) => s.service === slot.service && !s.spare)?.version ?? 'current';
}

export type { FaultPlan };
