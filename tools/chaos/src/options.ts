import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { FAULT_KINDS, type FaultKind } from './faults/kinds.ts';

export const HELP = `Usage: npm run chaos [-- options]

A randomized fault campaign on the real processes: a 3-broker Kafka cluster, PostgreSQL, toxiproxy
between every service instance and Kafka and Postgres, two instances of each service, and open-loop
POST /orders. A seeded nemesis injects faults of every kind (see docs/faults.md) and heals each in
bounded time; at the end everything is healed, the pipeline settles, and an independent checker reads
the databases and topics. Exit 0 = every invariant holds; 1 = a violation (the seed and the first
violated invariant are printed); 2 = the campaign itself failed.

  --duration <t>         how long faults are injected, e.g. 90s, 5m, 30m (default 5m)
  --seed <n>             the nemesis' seed (default: random; printed first, reuse it to replay)
  --rate <n>             orders/s (default 100)
  --fault-interval <t>   mean time between fault injections (default 8s; uniform 0.5×–1.5×)
  --max-active <n>       faults active at once at most (default 2)
  --faults <list>        only these kinds, comma-separated (default: all)
  --broker-timing <m>    fast (default): the local stack's quick failure detection (10 s group
                         sessions); stock: Kafka's own defaults (45 s sessions), as production runs
  --settle-timeout <t>   how long the healed pipeline may take to settle (default 5m)
  --request-timeout <t>  per-request client timeout (default 10s)
  --log-level <level>    services' LOG_LEVEL (default info)
  --out <dir>            report dir (default test-results/chaos/<time>-seed<seed>)
  --every-kind           fail unless every selected fault kind was injected at least once (CI)
  --keep                 keep the stack's data and logs (default: only the logs, and only on failure)
  --provision            only build/check toxiproxy and the Kafka jars, then exit
  -h, --help

Fault kinds: ${FAULT_KINDS.join(', ')}
`;

export interface ChaosOptions {
  durationMs: number;
  seed: number;
  rate: number;
  faultIntervalMs: number;
  maxActive: number;
  kinds: FaultKind[];
  brokerTiming: 'fast' | 'stock';
  settleTimeoutMs: number;
  requestTimeoutMs: number;
  logLevel: string;
  out: string | undefined;
  keep: boolean;
  everyKind: boolean;
  provision: boolean;
  help: boolean;
}

/** "90s", "5m", "1h", "250ms", or a plain number of seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`${flag}: expected a duration like 90s, 5m or 1h, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Math.round(Number(match[1]) * unit);
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: expected a positive integer, got "${text}"`);
  return n;
}

export function parseOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string', default: '5m' },
      seed: { type: 'string' },
      rate: { type: 'string', default: '100' },
      'fault-interval': { type: 'string', default: '8s' },
      'max-active': { type: 'string', default: '2' },
      faults: { type: 'string' },
      'broker-timing': { type: 'string', default: 'fast' },
      'settle-timeout': { type: 'string', default: '5m' },
      'request-timeout': { type: 'string', default: '10s' },
      'log-level': { type: 'string', default: 'info' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'every-kind': { type: 'boolean', default: false },
      provision: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const kinds = values.faults ? values.faults.split(',').map((k) => k.trim()) : [...FAULT_KINDS];
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`--faults: unknown kind(s) ${unknown.join(', ')}`);
  const brokerTiming = values['broker-timing'];
  if (brokerTiming !== 'fast' && brokerTiming !== 'stock') {
    throw new Error(`--broker-timing: expected fast or stock, got "${brokerTiming}"`);
  }
  const seed = values.seed === undefined ? randomInt(1, 2 ** 31 - 1) : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed: expected an integer, got "${values.seed}"`);
  return {
    durationMs: parseDuration(values.duration, '--duration'),
    seed,
    rate: positiveInt(values.rate, '--rate'),
    faultIntervalMs: parseDuration(values['fault-interval'], '--fault-interval'),
    maxActive: positiveInt(values['max-active'], '--max-active'),
    kinds: kinds as FaultKind[],
    brokerTiming,
    settleTimeoutMs: parseDuration(values['settle-timeout'], '--settle-timeout'),
    requestTimeoutMs: parseDuration(values['request-timeout'], '--request-timeout'),
    logLevel: values['log-level'],
    out: values.out,
    keep: values.keep,
    everyKind: values['every-kind'],
    provision: values.provision,
    help: values.help,
  };
}
