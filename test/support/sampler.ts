/** Polls a number (e.g. an outbox backlog) until stopped; reports its peak, for "it piled up" evidence. */
export interface Sampler {
  stop(): Promise<{ max: number; samples: number }>;
}

export function startSampler(read: () => Promise<number>, intervalMs = 500): Sampler {
  let running = true;
  let max = 0;
  let samples = 0;
  const loop = (async () => {
    while (running) {
      // A failed read (e.g. the database is the thing that is down) is simply no sample.
      const value = await read().catch(() => undefined);
      if (value !== undefined) {
        max = Math.max(max, value);
        samples += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { max, samples };
    },
  };
}
