import type { FaultDefinition } from './types.ts';

const CLAIM = 'broker';

/** One broker of three SIGKILLed (RF 3, min ISR 2: the cluster keeps serving), started again later. */
export const brokerKill: FaultDefinition = {
  kind: 'broker-kill',
  plan: (ctx, busy) => {
    if (busy.has(CLAIM)) return undefined;
    const nodes = ctx.stack.kafka.nodes.filter((n) => n.pid !== undefined);
    if (nodes.length < ctx.stack.kafka.nodes.length) return undefined;
    const node = ctx.random.pick(nodes);
    const ms = ctx.random.between(3000, 15_000);
    return {
      target: `broker ${node.nodeId}`,
      detail: `SIGKILL, started ${(ms / 1000).toFixed(1)} s later`,
      claims: [CLAIM],
      durationMs: ms,
      inject: async () => {
        await ctx.stack.kafka.stopNode(node.nodeId, { signal: 'SIGKILL' });
        return {
          heal: async () => {
            const started = Date.now();
            // A JVM start on a busy machine can take a minute or more.
            await ctx.stack.kafka.startNode(node.nodeId, { readyTimeoutMs: 180_000 });
            return `serving ${((Date.now() - started) / 1000).toFixed(1)} s after its start`;
          },
        };
      },
    };
  },
};

/** A frozen broker (SIGSTOP): connections stay open and unanswered; its leaderships move after 4 s. */
export const brokerPause: FaultDefinition = {
  kind: 'broker-pause',
  plan: (ctx, busy) => {
    if (busy.has(CLAIM)) return undefined;
    const nodes = ctx.stack.kafka.nodes.filter((n) => n.pid !== undefined);
    if (nodes.length < ctx.stack.kafka.nodes.length) return undefined;
    const node = ctx.random.pick(nodes);
    const ms = ctx.random.between(3000, 15_000);
    return {
      target: `broker ${node.nodeId}`,
      detail: `SIGSTOP for ${(ms / 1000).toFixed(1)} s, then SIGCONT`,
      claims: [CLAIM],
      durationMs: ms,
      inject: async () => {
        const pid = node.pid;
        if (pid === undefined) throw new Error(`broker ${node.nodeId} is not running`);
        process.kill(pid, 'SIGSTOP');
        return {
          heal: async () => {
            process.kill(pid, 'SIGCONT');
            return undefined;
          },
        };
      },
    };
  },
};
