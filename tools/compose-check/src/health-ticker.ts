// Runs the containers' healthchecks, which podman leaves to systemd timers: without systemd (this
// sandbox, most CI containers) a container's health stays "starting" forever and Compose's
// `depends_on: condition: service_healthy` never lets its dependents start. Every interval, each
// running container of the project gets `podman healthcheck run`, which applies the check's timeout,
// retries and start period exactly as podman's timer would.
import { run } from './exec.ts';

export interface TickerState {
  /** Container id → when its next check is due (ms since epoch). */
  next: Map<string, number>;
  /** Container id → check in flight. */
  busy: Set<string>;
}

/**
 * The containers whose check is due at `now`, given the running ones and their intervals (ms).
 * A container first seen gets its first check one interval later, as Docker does; a gone one is forgotten.
 */
export function dueChecks(state: TickerState, running: Map<string, number>, now: number): string[] {
  for (const id of [...state.next.keys()]) if (!running.has(id)) state.next.delete(id);
  const due: string[] = [];
  for (const [id, interval] of running) {
    const next = state.next.get(id);
    if (next === undefined) state.next.set(id, now + interval);
    else if (now >= next && !state.busy.has(id)) {
      due.push(id);
      state.next.set(id, now + interval);
    }
  }
  return due;
}

/** Parses podman's Go duration strings and nanosecond numbers ("10s", "1m30s", 10000000000). */
export function intervalMs(value: unknown, fallbackMs = 30_000): number {
  if (typeof value === 'number') return value > 0 ? Math.round(value / 1e6) : fallbackMs;
  if (typeof value !== 'string' || value === '' || value === '0s') return fallbackMs;
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'h' ? n * 3.6e6 : unit === 'm' ? n * 6e4 : unit === 's' ? n * 1e3 : unit === 'ms' ? n : 0;
  }
  return total > 0 ? total : fallbackMs;
}

export class HealthTicker {
  private readonly state: TickerState = { next: new Map(), busy: new Set() };
  private readonly intervals = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly env: NodeJS.ProcessEnv;
  private readonly label: string;
  runs = 0;

  constructor(env: NodeJS.ProcessEnv, label = 'com.docker.compose.project') {
    this.env = env;
    this.label = label;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const ps = await run('podman', ['ps', '-q', '--no-trunc', '--filter', `label=${this.label}`], { env: this.env });
      const ids = ps.stdout.split('\n').filter(Boolean);
      const running = new Map<string, number>();
      for (const id of ids) {
        let interval = this.intervals.get(id);
        if (interval === undefined) {
          const inspect = await run('podman', ['inspect', '--format', '{{json .Config.Healthcheck}}', id], {
            env: this.env,
          });
          const hc = inspect.code === 0 ? (JSON.parse(inspect.stdout.trim() || 'null') as { Test?: string[]; Interval?: unknown } | null) : null;
          // 0 = no healthcheck (none, or test NONE).
          interval = hc?.Test && hc.Test.length > 0 && hc.Test[0] !== 'NONE' ? intervalMs(hc.Interval) : 0;
          this.intervals.set(id, interval);
        }
        if (interval > 0) running.set(id, interval);
      }
      for (const id of dueChecks(this.state, running, Date.now())) {
        this.state.busy.add(id);
        this.runs++;
        void run('podman', ['healthcheck', 'run', id], { env: this.env, timeoutMs: 120_000 }).finally(() =>
          this.state.busy.delete(id),
        );
      }
    } finally {
      this.ticking = false;
    }
  }
}
