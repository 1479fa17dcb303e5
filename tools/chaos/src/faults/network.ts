import { randomUUID } from 'node:crypto';
import type { ToxicSpec } from '../proxies.ts';
import type { Slot } from '../stack.ts';
import type { FaultContext, FaultDefinition, FaultPlan } from './types.ts';

/** One instance's link: to every broker, to one broker (a partial partition), or to Postgres. */
interface Link {
  name: string;
  proxies: string[];
}

function pickLink(ctx: FaultContext, slot: Slot): Link {
  const choice = ctx.random.int(0, 2);
  if (choice === 0) return { name: `${slot.id} ↔ postgres`, proxies: [slot.pgProxy] };
  if (choice === 1) return { name: `${slot.id} ↔ kafka (all brokers)`, proxies: slot.kafkaProxies };
  const i = ctx.random.int(0, slot.kafkaProxies.length - 1);
  return { name: `${slot.id} ↔ broker ${i + 1}`, proxies: [slot.kafkaProxies[i] ?? ''] };
}

/** Running base instances not hit by another fault (a spare runs only inside a rebalance). */
function candidates(ctx: FaultContext, busy: ReadonlySet<string>): Slot[] {
  return ctx.stack.slots.filter((s) => !s.spare && s.process.running && !busy.has(s.id));
}

/** A fault made of toxics on the link's proxies, removed at heal. */
function toxicFault(
  ctx: FaultContext,
  busy: ReadonlySet<string>,
  make: (ms: number) => { detail: string; toxics: ToxicSpec[] },
  minMs: number,
  maxMs: number,
): FaultPlan | undefined {
  const slots = candidates(ctx, busy);
  if (slots.length === 0) return undefined;
  const slot = ctx.random.pick(slots);
  const link = pickLink(ctx, slot);
  const ms = ctx.random.between(minMs, maxMs);
  const { detail, toxics } = make(ms);
  const id = randomUUID().slice(0, 8);
  const names = toxics.map((t) => `chaos-${id}-${t.type}-${t.stream}`);
  return {
    target: link.name,
    detail: `${detail} for ${(ms / 1000).toFixed(1)} s`,
    claims: [slot.id],
    durationMs: ms,
    inject: async () => {
      for (const proxy of link.proxies) {
        for (const [i, toxic] of toxics.entries())
          await ctx.stack.proxies.addToxic(proxy, names[i] ?? '', toxic);
      }
      return {
        heal: async () => {
          for (const proxy of link.proxies) {
            for (const name of names) await ctx.stack.proxies.removeToxic(proxy, name);
          }
          return undefined;
        },
      };
    },
  };
}

export const netLatency: FaultDefinition = {
  kind: 'net-latency',
  plan: (ctx, busy) => {
    const latency = ctx.random.between(100, 1500);
    const jitter = Math.round(latency / 4);
    return toxicFault(
      ctx,
      busy,
      () => ({
        detail: `+${latency}±${jitter} ms each way`,
        toxics: (['upstream', 'downstream'] as const).map((stream) => ({
          type: 'latency',
          stream,
          attributes: { latency, jitter },
        })),
      }),
      5000,
      25_000,
    );
  },
};

/** A black hole: connections stay open, nothing gets through (toxiproxy's timeout toxic with 0). */
export const netPartition: FaultDefinition = {
  kind: 'net-partition',
  plan: (ctx, busy) =>
    toxicFault(
      ctx,
      busy,
      () => ({
        detail: 'black hole (open connections, no data either way)',
        toxics: (['upstream', 'downstream'] as const).map((stream) => ({
          type: 'timeout',
          stream,
          attributes: { timeout: 0 },
        })),
      }),
      3000,
      25_000,
    ),
};

/** I/O errors, approximated: connections reset by peer (all, or a share of them). */
export const netReset: FaultDefinition = {
  kind: 'net-reset',
  plan: (ctx, busy) => {
    const toxicity = ctx.random.between(30, 100) / 100;
    const after = ctx.random.between(0, 2000);
    return toxicFault(
      ctx,
      busy,
      () => ({
        detail: `${Math.round(toxicity * 100)} % of connections reset ${after} ms after data`,
        toxics: [{ type: 'reset_peer', stream: 'downstream', toxicity, attributes: { timeout: after } }],
      }),
      2000,
      10_000,
    );
  },
};

/** A cut link: the proxy is disabled, so open connections close and new ones are refused. */
export const netCut: FaultDefinition = {
  kind: 'net-cut',
  plan: (ctx, busy) => {
    const slots = candidates(ctx, busy);
    if (slots.length === 0) return undefined;
    const slot = ctx.random.pick(slots);
    const link = pickLink(ctx, slot);
    const ms = ctx.random.between(3000, 20_000);
    return {
      target: link.name,
      detail: `cut (connections closed, new ones refused) for ${(ms / 1000).toFixed(1)} s`,
      claims: [slot.id],
      durationMs: ms,
      inject: async () => {
        for (const proxy of link.proxies) await ctx.stack.proxies.setEnabled(proxy, false);
        return {
          heal: async () => {
            for (const proxy of link.proxies) await ctx.stack.proxies.setEnabled(proxy, true);
            return undefined;
          },
        };
      },
    };
  },
};
