/**
 * Samples CPU and resident memory of the processes under test from /proc once a second: each
 * service, the Kafka JVM, Postgres (postmaster + backends), this load generator, and the whole
 * machine — so the share of the machine used by *other* processes (noise) is on record too.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface WatchedProcess {
  name: string;
  /** Current pid (a getter: a restarted service has a new one). */
  pid: () => number | undefined;
  /** Add the CPU of its direct children (Postgres backends); RSS stays the parent's own. */
  withChildren?: boolean;
  /** Count only its direct children except these pids (this bench's short-lived tools: perf tools, pgbench). */
  childrenExcept?: () => (number | undefined)[];
}

export interface ProcPoint {
  /** Seconds since the bench started. */
  t: number;
  /** % of one core, per watched process (and "bench" = this process). */
  cpu: Record<string, number>;
  rssMb: Record<string, number>;
  /** Whole machine, % of one core (max = cores × 100), and what is not ours. */
  machineCpu: number;
  othersCpu: number;
  load1: number;
}

export interface ProcStat {
  ppid: number;
  /** utime + stime, clock ticks. */
  ticks: number;
  rssPages: number;
}

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state) of proc(5): field k is at k - 3.
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = Number(fields[21]);
  if (![ppid, utime, stime, rss].every(Number.isFinite)) return undefined;
  return { ppid, ticks: utime + stime, rssPages: rss };
}

/** Parses the aggregate "cpu" line of /proc/stat into busy and total ticks. */
export function parseMachineStat(text: string): { busy: number; total: number } | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (readStat(Number(entry))?.ppid === parent) pids.push(Number(entry));
  }
  return pids;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

export class ProcSampler {
  readonly points: ProcPoint[] = [];
  readonly #watched: WatchedProcess[];
  readonly #hz = clockTicks();
  readonly #pageMb = 4096 / (1024 * 1024);
  readonly #cores = cpus().length;
  #timer: NodeJS.Timeout | undefined;
  readonly #origin: number;
  #last: {
    at: number;
    ticks: Map<string, number>;
    machine?: { busy: number; total: number };
    bench: number;
  } = { at: 0, ticks: new Map(), bench: 0 };

  /** `origin`: the performance.now() that sample times count from (the bench's start). */
  constructor(watched: WatchedProcess[], origin: number) {
    this.#watched = watched;
    this.#origin = origin;
  }

  get cores(): number {
    return this.#cores;
  }

  start(intervalMs = 1000): void {
    this.#last = this.#read();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The latest point (for the progress line). */
  latest(): ProcPoint | undefined {
    return this.points.at(-1);
  }

  #read() {
    const ticks = new Map<string, number>();
    for (const w of this.#watched) {
      const pid = w.pid();
      if (!pid) continue;
      if (w.childrenExcept) {
        const except = new Set(w.childrenExcept());
        let sum = 0;
        for (const child of childrenOf(pid)) if (!except.has(child)) sum += readStat(child)?.ticks ?? 0;
        ticks.set(w.name, sum);
        continue;
      }
      let total = readStat(pid)?.ticks;
      if (total === undefined) continue;
      if (w.withChildren) for (const child of childrenOf(pid)) total += readStat(child)?.ticks ?? 0;
      ticks.set(w.name, total);
    }
    let machine: { busy: number; total: number } | undefined;
    try {
      machine = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    } catch {
      machine = undefined;
    }
    const usage = process.cpuUsage();
    return { at: performance.now(), ticks, machine, bench: (usage.user + usage.system) / 1000 };
  }

  #sample(): void {
    const now = this.#read();
    const seconds = (now.at - this.#last.at) / 1000;
    if (seconds <= 0) return;
    const cpu: Record<string, number> = {};
    const rssMb: Record<string, number> = {};
    for (const w of this.#watched) {
      const before = this.#last.ticks.get(w.name);
      const after = now.ticks.get(w.name);
      if (before !== undefined && after !== undefined && after >= before) {
        cpu[w.name] = round1(((after - before) / this.#hz / seconds) * 100);
      }
      const pid = w.pid();
      const stat = pid && !w.childrenExcept ? readStat(pid) : undefined;
      if (stat) rssMb[w.name] = round1(stat.rssPages * this.#pageMb);
    }
    cpu.bench = round1(((now.bench - this.#last.bench) / 1000 / seconds) * 100);
    rssMb.bench = round1(process.memoryUsage.rss() / (1024 * 1024));
    let machineCpu = 0;
    if (now.machine && this.#last.machine) {
      const busy = now.machine.busy - this.#last.machine.busy;
      const total = now.machine.total - this.#last.machine.total;
      machineCpu = total > 0 ? round1((busy / total) * 100 * this.#cores) : 0;
    }
    const ours = Object.values(cpu).reduce((a, b) => a + b, 0);
    this.points.push({
      t: round1((now.at - this.#origin) / 1000),
      cpu,
      rssMb,
      machineCpu,
      othersCpu: round1(Math.max(0, machineCpu - ours)),
      load1: round1(loadAverage()),
    });
    this.#last = now;
  }
}

function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) || 0;
  } catch {
    return 0;
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export interface ResourceSummary {
  name: string;
  cpuMean: number;
  cpuMax: number;
  rssFirst: number;
  rssLast: number;
  rssMax: number;
  /** Least-squares slope of RSS over the window, MB per minute (flat ≈ 0). */
  rssSlopeMbPerMin: number;
}

/** Per-process means, maxima and the RSS trend over points within [from, to] seconds. */
export function summarizeResources(points: ProcPoint[], from = 0, to = Number.POSITIVE_INFINITY) {
  const window = points.filter((p) => p.t >= from && p.t <= to);
  const names = [...new Set(window.flatMap((p) => Object.keys(p.cpu).concat(Object.keys(p.rssMb))))];
  const processes: ResourceSummary[] = names.map((name) => {
    const cpu = window.map((p) => p.cpu[name]).filter((v): v is number => v !== undefined);
    const rss = window
      .filter((p) => p.rssMb[name] !== undefined)
      .map((p) => [p.t, p.rssMb[name] ?? 0] as [number, number]);
    return {
      name,
      cpuMean: round1(mean(cpu)),
      cpuMax: round1(Math.max(0, ...cpu)),
      rssFirst: rss[0]?.[1] ?? 0,
      rssLast: rss.at(-1)?.[1] ?? 0,
      rssMax: Math.max(0, ...rss.map((r) => r[1])),
      rssSlopeMbPerMin: round1(slope(rss) * 60),
    };
  });
  return {
    processes,
    machineCpuMean: round1(mean(window.map((p) => p.machineCpu))),
    othersCpuMean: round1(mean(window.map((p) => p.othersCpu))),
    load1Max: Math.max(0, ...window.map((p) => p.load1)),
  };
}

/**
 * CPU time each process spent per unit of work over [from, to] (bench seconds): milliseconds of one
 * core per order. Robust to other load on the machine, unlike rates; the basis of a capacity estimate.
 */
export function cpuMsPerUnit(
  points: ProcPoint[],
  from: number,
  to: number,
  units: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (units <= 0) return out;
  for (let i = 1; i < points.length; i++) {
    const p = points[i];
    const prev = points[i - 1];
    if (!p || !prev || p.t <= from || prev.t >= to) continue;
    const dt = Math.min(p.t, to) - Math.max(prev.t, from);
    if (dt <= 0) continue;
    for (const [name, pct] of Object.entries(p.cpu)) {
      out[name] = (out[name] ?? 0) + (pct / 100) * dt * 1000;
    }
  }
  for (const name of Object.keys(out)) out[name] = Math.round(((out[name] ?? 0) / units) * 1000) / 1000;
  return out;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Least-squares slope dy/dx of points (0 for fewer than two). */
export function slope(points: [number, number][]): number {
  if (points.length < 2) return 0;
  const mx = mean(points.map((p) => p[0]));
  const my = mean(points.map((p) => p[1]));
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
