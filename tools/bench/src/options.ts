import { parseArgs } from 'node:util';

export const HELP = `Usage: npm run bench [-- options]

Starts its own Kafka + PostgreSQL + the three services (or uses a running stack with --url), measures
the machine's bound (Kafka perf tools, Postgres commit rate), drives POST /orders open-loop at a fixed
rate and/or finds the highest sustained rate, checks exactly-once, and writes JSON + markdown + SVG
under bench/results/<timestamp>/ (and bench/results/latest.md).

Modes:
  (default)              full: bound, the cost at each of --rates (--rate for --duration: the latency
                         run), find-max
  --mode fixed|cost|find-max|full
                         cost: only the cost at each of --rates (CPU per process, Kafka requests and
                         Postgres statements per order)
  --quick                CI smoke: 10 s at 100/s, no bound, no find-max; results in bench/results/quick.tmp/;
                         fails only on lost or duplicated orders

Fixed rate:
  --rate <n>             orders/s (default 500)
  --duration <t>         e.g. 60s, 10m (default 60s; in cost mode, each rate's phase, default 30s)
  --warmup <t>           unmeasured load at the same rate first (default 5s; 0 to skip)

Cost per rate (full and cost modes):
  --rates <list>         orders/s, comma-separated; 0 = idle, no load (default 0,100,500,2000)
  --cost-duration <t>    each rate's phase except --rate's in full mode (default 30s)

Find-max:
  --start <n>            first rate (default 500)
  --step <n>             increase per step (default 500)
  --max-rate <n>         stop climbing here (default 8000)
  --step-duration <t>    per step (default 20s)
  --refine <n>           bisection steps after the first failure (default 2)

Bound:
  --no-bound             skip it
  --kafka-records <n>    records per perf tool run (default 1000000)
  --record-size <n>      bytes (default 300, like our events)
  --pg-seconds <n>       per Postgres run (default 10)
  --pg-clients <list>    concurrent clients, comma-separated (default 10,32)

System under test:
  --url <url>            use a running order-service (with --database-url, --brokers, or env
                         DATABASE_URL / KAFKA_BROKERS, or the running \`npm run infra\`)
  --api-key <key>        API key for --url (or env BENCH_API_KEY) when the services require one
  --fsync on|off         own Postgres durability (default on, like \`npm start\`)
  --log-level <level>    services' LOG_LEVEL (default info)
  --env KEY=VALUE        extra service environment (repeatable), e.g. --env DB_POOL_MAX=20
  --kafka-property K=V   a server.properties entry for the own broker (repeatable), e.g. num.io.threads=2
  --kafka-jvm-arg <arg>  an extra JVM flag for the own broker (repeatable), e.g. -XX:StartFlightRecording=…
  --profile              run the services with --cpu-prof and summarize the profiles (per phase)
  --no-console           do not run the console (npm start runs it)
  --no-pg-stats          do not preload pg_stat_statements in our own Postgres

Load and output:
  --connections <n>      HTTP keep-alive connections (default 128)
  --timeout <t>          per-request timeout (default 30s)
  --out <dir>            results dir (default bench/results/<timestamp>)
  --no-latest            do not update bench/results/latest.md
  --label <text>         a note for the report
  --render <dir>         only re-render report.md and the charts of an earlier run from its result.json
                         (with --set-latest: and make bench/results/latest.md show that run)
  --quiet-below <pct>    on a shared machine, first wait (up to 15 min) until other processes use less
                         than pct % of one core for 6 s
  -h, --help
`;

export interface BenchOptions {
  mode: 'full' | 'fixed' | 'cost' | 'find-max';
  quick: boolean;
  rate: number;
  durationMs: number;
  warmupMs: number;
  /** Rates of the cost phases (0 = idle) and how long each runs (but --rate's in full mode). */
  rates: number[];
  costDurationMs: number;
  findMax: { start: number; step: number; max: number; stepDurationMs: number; refine: number };
  bound: boolean;
  kafkaRecords: number;
  recordSize: number;
  pgSeconds: number;
  pgClients: number[];
  url: string | undefined;
  apiKey: string | undefined;
  databaseUrl: string | undefined;
  brokers: string | undefined;
  fsync: boolean;
  logLevel: string;
  serviceEnv: Record<string, string>;
  kafkaProperties: [string, string][];
  kafkaJvmArgs: string[];
  profile: boolean;
  pgStats: boolean;
  console: boolean;
  connections: number;
  timeoutMs: number;
  out: string | undefined;
  latest: boolean;
  label: string | undefined;
  quietBelowPct: number | undefined;
  render: string | undefined;
  setLatest: boolean;
  help: boolean;
}

/** "60s", "10m", "1.5h", "250ms", or a bare number of seconds → ms. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`invalid duration "${text}" (e.g. 60s, 10m, 500ms)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(value * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']);
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = {}): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      mode: { type: 'string' },
      quick: { type: 'boolean', default: false },
      rate: { type: 'string' },
      duration: { type: 'string' },
      rates: { type: 'string' },
      'cost-duration': { type: 'string' },
      'no-console': { type: 'boolean', default: false },
      warmup: { type: 'string' },
      start: { type: 'string' },
      step: { type: 'string' },
      'max-rate': { type: 'string' },
      'step-duration': { type: 'string' },
      refine: { type: 'string' },
      'no-bound': { type: 'boolean', default: false },
      'kafka-records': { type: 'string' },
      'record-size': { type: 'string' },
      'pg-seconds': { type: 'string' },
      'pg-clients': { type: 'string' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      'database-url': { type: 'string' },
      brokers: { type: 'string' },
      fsync: { type: 'string' },
      'log-level': { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      'kafka-property': { type: 'string', multiple: true, default: [] },
      'kafka-jvm-arg': { type: 'string', multiple: true, default: [] },
      profile: { type: 'boolean', default: false },
      'no-pg-stats': { type: 'boolean', default: false },
      connections: { type: 'string' },
      timeout: { type: 'string' },
      out: { type: 'string' },
      'no-latest': { type: 'boolean', default: false },
      label: { type: 'string' },
      'quiet-below': { type: 'string' },
      render: { type: 'string' },
      'set-latest': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick ?? false;
  const mode = (values.mode ?? (quick ? 'fixed' : 'full')) as BenchOptions['mode'];
  if (!['full', 'fixed', 'cost', 'find-max'].includes(mode))
    throw new Error(`--mode must be full, fixed, cost or find-max`);
  const rates = (values.rates ?? '0,100,500,2000').split(',').map((r) => {
    const rate = Number(r);
    if (!Number.isFinite(rate) || rate < 0) throw new Error(`--rates: "${r}" is not a rate`);
    return rate;
  });
  const fsync = values.fsync ?? 'on';
  if (fsync !== 'on' && fsync !== 'off') throw new Error('--fsync must be on or off');
  const serviceEnv: Record<string, string> = {};
  for (const entry of values.env ?? []) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new Error(`--env ${entry}: expected KEY=VALUE`);
    serviceEnv[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const pgClients = (values['pg-clients'] ?? (quick ? '10' : '10,32'))
    .split(',')
    .map((c) => positive('pg-clients', c, 10));
  return {
    mode,
    quick,
    rate: positive('rate', values.rate, quick ? 100 : 500),
    durationMs: values.duration
      ? parseDuration(values.duration)
      : quick
        ? 10_000
        : mode === 'cost'
          ? 30_000
          : 60_000,
    rates,
    costDurationMs: values['cost-duration'] ? parseDuration(values['cost-duration']) : 30_000,
    warmupMs: values.warmup ? parseDuration(values.warmup) : quick ? 2000 : 5000,
    findMax: {
      start: positive('start', values.start, 500),
      step: positive('step', values.step, 500),
      max: positive('max-rate', values['max-rate'], 8000),
      stepDurationMs: values['step-duration'] ? parseDuration(values['step-duration']) : 20_000,
      refine: values.refine === undefined ? 2 : Number(values.refine),
    },
    bound: !(values['no-bound'] ?? false) && !quick && mode !== 'cost',
    kafkaRecords: positive('kafka-records', values['kafka-records'], 1_000_000),
    recordSize: positive('record-size', values['record-size'], 300),
    pgSeconds: positive('pg-seconds', values['pg-seconds'], 10),
    pgClients,
    url: values.url,
    apiKey: values['api-key'] ?? env.BENCH_API_KEY,
    databaseUrl: values['database-url'],
    brokers: values.brokers,
    fsync: fsync === 'on',
    logLevel: values['log-level'] ?? 'info',
    serviceEnv,
    kafkaProperties: (values['kafka-property'] ?? []).map((entry) => {
      const at = entry.indexOf('=');
      if (at <= 0) throw new Error(`--kafka-property must be KEY=VALUE, got "${entry}"`);
      return [entry.slice(0, at), entry.slice(at + 1)] as [string, string];
    }),
    kafkaJvmArgs: values['kafka-jvm-arg'] ?? [],
    profile: values.profile ?? false,
    pgStats: !(values['no-pg-stats'] ?? false) && !quick,
    console: !(values['no-console'] ?? false) && !quick,
    connections: positive('connections', values.connections, 128),
    timeoutMs: values.timeout ? parseDuration(values.timeout) : 30_000,
    out: values.out,
    latest: !(values['no-latest'] ?? false) && !quick && values.out === undefined,
    label: values.label,
    quietBelowPct:
      values['quiet-below'] === undefined ? undefined : positive('quiet-below', values['quiet-below'], 50),
    render: values.render,
    setLatest: values['set-latest'] ?? false,
    help: values.help ?? false,
  };
}
