import type { ServiceProcess } from '@kafka-poc/local-stack';

/** A change of one instance's /health/ready answer: an HTTP status, or 'down' (no answer). */
export interface ReadinessChange {
  /** Milliseconds after the monitor started. */
  at: number;
  state: number | 'down';
}

export interface ReadinessMonitor {
  /** Stops polling; the changes per instance id, first state included. */
  stop(): Promise<Record<string, ReadinessChange[]>>;
}

/** Polls /health/ready of each instance and records every change, to show 200 → 503 → 200. */
export function monitorReadiness(instances: ServiceProcess[], intervalMs = 250): ReadinessMonitor {
  const started = Date.now();
  const changes: Record<string, ReadinessChange[]> = {};
  let running = true;
  const poll = async (instance: ServiceProcess): Promise<void> => {
    const seen: ReadinessChange[] = [];
    changes[instance.id] = seen;
    while (running) {
      const state = await probe(instance.url);
      if (seen.at(-1)?.state !== state) seen.push({ at: Date.now() - started, state });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  const loops = instances.map(poll);
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return changes;
    },
  };
}

async function probe(url: string): Promise<number | 'down'> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 'down';
  }
}

/** True when the readiness went to `status` (e.g. 503) at some point and ended at 200. */
export function wentDownAndBack(changes: ReadinessChange[], status: number): boolean {
  return changes.some((c) => c.state === status) && changes.at(-1)?.state === 200;
}
