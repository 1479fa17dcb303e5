// Runs the containers' healthchecks, which podman leaves to systemd timers: without systemd (this
// sandbox, most CI containers) a container's health stays "starting" forever and Compose's
// `depends_on: condition: service_healthy` never lets its dependents start. Each running container of
// the project gets `podman healthcheck run` on Docker's schedule — every `start_interval` during the
// start period (podman 4.3 does not know start_interval, so the compose files' values are passed in),
// every `interval` after — and podman applies the check's timeout, retries and start period itself.
import { run } from './exec.ts';

export interface TickerState {
  /** Container start (id@startedAt) → when its next check is due (ms since epoch). */
  next: Map<string, number>;
  /** Container ids with a check in flight. */
  busy: Set<string>;
}

/** What the compose files say about a service's checks that podman does not keep. */
export interface HealthHint {
  startIntervalMs: number;
  startPeriodMs: number;
}

export interface RunningContainer {
  id: string;
  /** Unix seconds: a restarted container is a new start, with a new start period. */
  startedAt: number;
  intervalMs: number;
  hint?: HealthHint;
}

/** The interval that applies now: start_interval within the start period, else interval. */
export function currentInterval(c: RunningContainer, now: number): number {
  const inStartPeriod = c.hint && now - c.startedAt * 1000 < c.hint.startPeriodMs;
  return inStartPeriod && c.hint ? c.hint.startIntervalMs : c.intervalMs;
}

/**
 * The containers whose check is due at `now`. A start first seen gets its first check one (start)
 * interval later, as Docker does; a gone one is forgotten; a container never runs two checks at once.
 */
export function dueChecks(state: TickerState, running: RunningContainer[], now: number): string[] {
  const keys = new Set(running.map((c) => `${c.id}@${c.startedAt}`));
  for (const key of [...state.next.keys()]) if (!keys.has(key)) state.next.delete(key);
  const due: string[] = [];
  for (const c of running) {
    const key = `${c.id}@${c.startedAt}`;
    const next = state.next.get(key);
    if (next === undefined) state.next.set(key, now + currentInterval(c, now));
    else if (now >= next && !state.busy.has(c.id)) {
      due.push(c.id);
      state.next.set(key, now + currentInterval(c, now));
    }
  }
  return due;
}

/** Go duration strings ("10s", "1m30s", "500ms") and nanosecond numbers, in ms; fallback for 0/empty. */
export function durationMs(value: unknown, fallbackMs: number): number {
  if (typeof value === 'number') return value > 0 ? Math.round(value / 1e6) : fallbackMs;
  if (typeof value !== 'string' || value === '' || value === '0s') return fallbackMs;
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'h' ? n * 3.6e6 : unit === 'm' ? n * 6e4 : unit === 's' ? n * 1e3 : n;
  }
  return total > 0 ? total : fallbackMs;
}

interface PodmanPs {
  Id: string;
  StartedAt: number;
  Labels?: Record<string, string> | null;
}

export class HealthTicker {
  private readonly state: TickerState = { next: new Map(), busy: new Set() };
  private readonly intervals = new Map<string, number>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly label: string;
  private hints = new Map<string, HealthHint>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  runs = 0;

  constructor(env: NodeJS.ProcessEnv, label = 'com.docker.compose.project') {
    this.env = env;
    this.label = label;
  }

  /** start_interval/start_period per compose service name. */
  setHints(hints: Map<string, HealthHint>): void {
    this.hints = hints;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async interval(id: string): Promise<number> {
    const known = this.intervals.get(id);
    if (known !== undefined) return known;
    const inspect = await run('podman', ['inspect', '--format', '{{json .Config.Healthcheck}}', id], {
      env: this.env,
    });
    if (inspect.code !== 0) return 0;
    const hc = JSON.parse(inspect.stdout.trim() || 'null') as { Test?: string[]; Interval?: unknown } | null;
    // 0: no healthcheck (none, or test NONE).
    const ms = hc?.Test && hc.Test.length > 0 && hc.Test[0] !== 'NONE' ? durationMs(hc.Interval, 30_000) : 0;
    this.intervals.set(id, ms);
    return ms;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const ps = await run('podman', ['ps', '--format', 'json', '--filter', `label=${this.label}`], {
        env: this.env,
      });
      const listed = ps.code === 0 ? (JSON.parse(ps.stdout || '[]') as PodmanPs[]) : [];
      const running: RunningContainer[] = [];
      for (const c of listed) {
        const intervalMs = await this.interval(c.Id);
        if (intervalMs === 0) continue;
        const hint = this.hints.get(c.Labels?.['com.docker.compose.service'] ?? '');
        running.push({ id: c.Id, startedAt: c.StartedAt, intervalMs, hint });
      }
      for (const id of dueChecks(this.state, running, Date.now())) {
        this.state.busy.add(id);
        this.runs++;
        void run('podman', ['healthcheck', 'run', id], { env: this.env, timeoutMs: 180_000 }).finally(() =>
          this.state.busy.delete(id),
        );
      }
    } finally {
      this.ticking = false;
    }
  }
}
