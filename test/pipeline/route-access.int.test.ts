import http from 'node:http';
import { VIEWS } from '@kafka-poc/contracts';
import { createAdmin, type KafkaAdmin } from '@kafka-poc/kafka';
import {
  formatApiKeyRecord,
  generateApiKey,
  type HttpServer,
  type RouteRow,
  registeredRoutes,
  SCOPES,
  type Scope,
} from '@kafka-poc/service-kit';
import { testKafkaBrokers, uniqueName } from '@kafka-poc/testing';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from '../../apps/console/test/support/console-harness.ts';
import { type ServiceKind, TestPipeline } from '../support/pipeline.ts';

// Access follows the route the router matched, never the raw URL. Every route of the three services
// and of the console — taken from the running servers' own route tables, so a new route is covered
// without touching this file — is asked for under spellings of its path the router may still match
// (percent-encoded letters and slashes, `//`, a trailing slash, dot segments, other case, `;`
// parameters, overlong UTF-8, the absolute form `http://host/path`): without credentials, with a bad
// key, with a key that lacks the route's scope, and on a read-only console with a session. A protected
// route never answers 2xx that way — it is refused (401/403), or the spelling reaches no route
// (404/405) or is not a URL (400) — and nothing is written: the end offsets of both event topics,
// every published view of the services' tables, the namespace's topics and groups stay as they were.

const TOKEN = 'route-access-token';
/** Random combinations per route, after one run per kind of variant alone (every route, every run). */
const RANDOM_RUNS_PER_ROUTE = 6;

const consoleKey = generateApiKey('console', ['admin']);
/** For each scope, a key holding every other non-admin scope: it lacks exactly that one. */
const lacking = new Map(
  SCOPES.map((scope) => {
    const others = SCOPES.filter((s) => s !== scope && s !== 'admin');
    return [scope, generateApiKey(`lacks-${scope.replace(':', '-')}`, others)] as const;
  }),
);

let pipeline: TestPipeline;
let secured: RunningConsole;
let readOnly: RunningConsole;
let admin: KafkaAdmin;
let db: pg.Client;
let ns: string;

beforeAll(async () => {
  pipeline = await TestPipeline.create({
    seed: 'Laptop=5,Phone=5',
    env: {
      AUTH_REQUIRED: '1',
      API_KEYS: [consoleKey, ...lacking.values()].map((k) => formatApiKeyRecord(k.record)).join(','),
    },
  });
  await pipeline.startAll();
  ns = pipeline.topics.orderEvents.slice(0, -'.order-events'.length);
  const consoleEnv = { CONSOLE_TOKEN: TOKEN, CONSOLE_SERVICE_API_KEY: consoleKey.key };
  [secured, readOnly] = await Promise.all([
    startConsole({ pipeline, env: consoleEnv }),
    startConsole({ pipeline, env: { ...consoleEnv, CONSOLE_READ_ONLY: '1' } }),
  ]);
  admin = createAdmin({ brokers: testKafkaBrokers(), clientId: uniqueName('route_access') });
  await admin.start();
  db = new pg.Client({ connectionString: pipeline.databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await admin?.stop();
  await Promise.all([secured?.stop(), readOnly?.stop()]);
  await pipeline?.stop();
});

// ---------------------------------------------------------------------------------------------------
// Spellings of a path.

const VARIANT_KINDS = [
  'as-is',
  'encoded-letter',
  'encoded-slash',
  'double-slash',
  'trailing-slash',
  'dot-segment',
  'case',
  'semicolon',
  'overlong-utf8',
  'absolute-form',
] as const;
type VariantKind = (typeof VARIANT_KINDS)[number];
interface Variant {
  kind: VariantKind;
  /** Which letter, slash or segment it changes (modulo their number). */
  at: number;
  /** A second choice: upper/lower hex, which dot segment, … */
  flavour: number;
}

const hex = (code: number, upper: boolean) => {
  const text = code.toString(16).padStart(2, '0');
  return `%${upper ? text.toUpperCase() : text}`;
};

/** Indexes in `path` of the characters `test` picks. */
function positions(path: string, test: (c: string, index: number) => boolean): number[] {
  return [...path].flatMap((c, i) => (test(c, i) ? [i] : []));
}

function replaceAt(path: string, index: number, text: string, length = 1): string {
  return path.slice(0, index) + text + path.slice(index + length);
}

/** One spelling of `path`; the absolute form is applied by the caller (it needs the host). */
function spell(path: string, variant: Variant): string {
  // Letters, but not the hex digits of an escape a previous variant wrote (`%6E`).
  const inEscape = (i: number) => path[i - 1] === '%' || path[i - 2] === '%';
  const letters = positions(path, (c, i) => /[a-z]/i.test(c) && !inEscape(i));
  const slashes = positions(path, (c) => c === '/');
  const pick = (list: number[]) => list[variant.at % Math.max(1, list.length)];
  switch (variant.kind) {
    case 'as-is':
    case 'absolute-form':
      return path;
    case 'encoded-letter': {
      const i = pick(letters);
      return i === undefined ? path : replaceAt(path, i, hex(path.charCodeAt(i), variant.flavour % 2 === 0));
    }
    case 'encoded-slash': {
      const i = pick(slashes.filter((s) => s > 0));
      return i === undefined ? path : replaceAt(path, i, variant.flavour % 2 === 0 ? '%2F' : '%2f');
    }
    case 'double-slash': {
      const i = pick(slashes);
      return i === undefined ? path : replaceAt(path, i, '//');
    }
    case 'trailing-slash':
      return `${path}/`;
    case 'dot-segment': {
      const i = pick(slashes) ?? 0;
      const segment = ['/.', '/x/..', '/%2e', '/x/%2e%2e', '/%2E', '/..'][variant.flavour % 6] ?? '/.';
      return path.slice(0, i) + segment + path.slice(i);
    }
    case 'case': {
      if (variant.flavour % 3 === 0) return path.toUpperCase();
      const i = pick(letters);
      if (i === undefined) return path;
      const c = path.charAt(i);
      return replaceAt(path, i, c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());
    }
    case 'semicolon': {
      // At the end of a segment: before a slash, or at the end.
      const ends = [...slashes.filter((s) => s > 0), path.length];
      const i = ends[variant.at % ends.length] ?? path.length;
      return path.slice(0, i) + [';', ';x=1', ';jsessionid=a'][variant.flavour % 3] + path.slice(i);
    }
    case 'overlong-utf8': {
      // A slash as C0 AF, or a letter as its two-byte overlong form (`a` = C1 A1).
      if (variant.flavour % 2 === 0) {
        const i = pick(slashes.filter((s) => s > 0));
        if (i !== undefined) return replaceAt(path, i, '%C0%AF');
      }
      const i = pick(letters);
      if (i === undefined) return path;
      const code = path.charCodeAt(i);
      return replaceAt(path, i, hex(0xc0 | (code >> 6), true) + hex(0x80 | (code & 0x3f), true));
    }
  }
}

/** Kinds of spelling the router always matches to the route they spell. */
const REACHING = new Set<VariantKind>(['as-is', 'encoded-letter', 'absolute-form']);

const variantArb: fc.Arbitrary<Variant[]> = fc.array(
  fc.record({
    kind: fc.constantFrom(...VARIANT_KINDS),
    at: fc.nat({ max: 40 }),
    flavour: fc.nat({ max: 5 }),
  }),
  { minLength: 1, maxLength: 3 },
);
/** Each kind alone, so every route meets every kind in every run. */
const everyKind: [Variant[]][] = VARIANT_KINDS.map((kind) => [[{ kind, at: 0, flavour: 0 }]]);

function spellAll(path: string, variants: Variant[], origin: string): string {
  const spelled = variants.reduce(spell, path);
  return variants.some((v) => v.kind === 'absolute-form') ? `${origin}${spelled}` : spelled;
}

// ---------------------------------------------------------------------------------------------------
// Routes and requests.

/** A concrete path for a route pattern: values that would reach real data where there is some. */
function concretePath(url: string): string {
  const values: Record<string, string> = {
    topic: pipeline.topics.orderEvents,
    dlt: `${pipeline.topics.orderEvents}.DLT`,
    item: 'Laptop',
    // Groups: one of our namespace that does not exist (a reset would create its offsets).
    id: `${ns}.route-access-group`,
  };
  return url
    .replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, (_m, name: string) => encodeURIComponent(values[name] ?? 'x'))
    .replace(/\*$/, 'index.html');
}

/** Bodies that would pass the checks of the write routes we have, so a bypass would do its write. */
const BODIES = [
  { value: 'route-access', key: 'k' },
  { item: 'Laptop', quantity: 1 },
  { stock: 1 },
  { delta: 1 },
  { all: true },
  { to: 'latest', dryRun: false },
  { name: `${uniqueName('route_access')}.created`, partitions: 1, replicationFactor: 1 },
  {},
];

interface Answer {
  status: number;
  code: string | undefined;
  detail: string | undefined;
}

/** Sends the path as it is (no client-side normalisation: `fetch` would resolve dots and encode). */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        method,
        path,
        headers: {
          ...headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        },
        timeout: 10_000,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (!String(res.headers['content-type']).includes('json')) {
          // An event stream (the live tail) or a page: the status is all we need.
          res.destroy();
          resolve({ status, code: undefined, detail: undefined });
          return;
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let parsed: { code?: string; detail?: string } = {};
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            // not JSON after all
          }
          resolve({ status, code: parsed.code, detail: parsed.detail });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * What a protected route may answer to a caller it must refuse: the refusal itself, or — when the
 * spelling reaches no route — the router's 404/405, or 400 for a path that is not a URL. Anything
 * else (2xx, but also a handler's 404 or a validation 422) means the request got past access.
 */
function expectRefused(answer: Answer, refusal: { status: number; codes: string[] }, what: string): void {
  expect(answer.status >= 200 && answer.status < 300, `${what} → ${answer.status}`).toBe(false);
  const unrouted =
    (answer.status === 404 && (answer.detail?.startsWith('No route for ') ?? answer.code === undefined)) ||
    (answer.status === 405 && (answer.code ?? 'METHOD_NOT_ALLOWED') === 'METHOD_NOT_ALLOWED');
  const badUrl = answer.status === 400 && answer.code !== 'VALIDATION_FAILED';
  const refused =
    answer.status === refusal.status && (answer.code === undefined || refusal.codes.includes(answer.code));
  expect(refused || unrouted || badUrl, `${what} → ${JSON.stringify(answer)}`).toBe(true);
}

const tally = new Map<number, number>();
afterAll(() => {
  if (process.env.ROUTE_ACCESS_TALLY) console.log('answers by status', Object.fromEntries(tally));
});

async function checkRoutes(
  routes: readonly RouteRow[],
  base: string,
  headers: Record<string, string> | ((route: RouteRow) => Record<string, string>),
  refusal: { status: number; codes: string[] },
): Promise<number> {
  let sent = 0;
  for (const route of routes) {
    const path = concretePath(route.url);
    const hasBody = route.method !== 'GET' && route.method !== 'HEAD';
    await fc.assert(
      fc.asyncProperty(variantArb, async (variants) => {
        const spelled = spellAll(path, variants, base);
        const what = `${route.method} ${route.url} as ${spelled}`;
        const own = typeof headers === 'function' ? headers(route) : headers;
        // These spellings always reach the route itself: its refusal and nothing else.
        const reaches = variants.every((v) => REACHING.has(v.kind));
        for (const body of hasBody ? BODIES : [undefined]) {
          const answer = await send(base, route.method, spelled, own, body);
          if (reaches) expect(answer.status, `${what} → ${JSON.stringify(answer)}`).toBe(refusal.status);
          expectRefused(answer, refusal, what);
          tally.set(answer.status, (tally.get(answer.status) ?? 0) + 1);
          sent++;
        }
      }),
      { numRuns: everyKind.length + RANDOM_RUNS_PER_ROUTE, examples: everyKind },
    );
  }
  return sent;
}

// ---------------------------------------------------------------------------------------------------
// What must not change.

async function writtenState(): Promise<unknown> {
  const topics = await admin.describeTopics([pipeline.topics.orderEvents, pipeline.topics.inventoryEvents]);
  const offsets = topics.flatMap((t) =>
    t.partitions.map((p) => `${t.name}:${p.partition}:${p.latestOffset}`),
  );
  const ours = (await admin.listTopics()).filter((name) => name.startsWith(ns));
  const groups = (await admin.listGroups()).map((g) => g.groupId).filter((id) => id.startsWith(ns));
  const views: Record<string, unknown> = {};
  for (const [name, view] of Object.entries(VIEWS)) {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest FROM ${view} t`,
    );
    views[name] = rows[0];
  }
  return { offsets, topics: ours, groups: groups.sort(), views };
}

const serviceRuntime = (kind: ServiceKind): HttpServer => {
  const runtime = pipeline.instances.find((i) => i.kind === kind)?.runtime;
  if (!runtime) throw new Error(`no ${kind} instance`);
  return runtime.http;
};

describe('access follows the matched route, whatever the spelling of its path', () => {
  it('every scoped route of every service: no key, a bad key, a key without its scope', async () => {
    const before = await writtenState();
    for (const kind of ['order', 'inventory', 'notification'] as const) {
      const all = registeredRoutes(serviceRuntime(kind));
      const scoped = all.filter((r) => r.config.scope !== undefined);
      // The table is the whole API: every operation the service documents is in it.
      const documented = (await (await fetch(`${pipeline.url(kind)}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { security?: unknown }>>;
      };
      for (const [path, item] of Object.entries(documented.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          const url = path.replace(/\{([^}]+)\}/g, ':$1');
          expect(
            all.some((r) => r.method === method.toUpperCase() && r.url === url),
            `${kind} ${method} ${path}`,
          ).toBe(true);
          if (operation.security)
            expect(
              scoped.some((r) => r.url === url),
              `${kind} ${path}`,
            ).toBe(true);
        }
      }
      expect(scoped.length, kind).toBeGreaterThan(0);
      // A route without a scope is open to anyone: only the kit's probes, metrics and API docs are.
      const open = all.filter((r) => r.config.scope === undefined).map((r) => r.url);
      expect(
        open.filter((url) => !/^\/(health\/|metrics$|openapi\.json$|docs(\/|$))/.test(url)),
        kind,
      ).toEqual([]);
      const base = pipeline.url(kind);
      const unauthorized = { status: 401, codes: ['UNAUTHORIZED'] };
      await checkRoutes(scoped, base, {}, unauthorized);
      await checkRoutes(scoped, base, { authorization: 'Bearer kpoc_made-up-key' }, unauthorized);
      await checkRoutes(
        scoped,
        base,
        (route) => ({ 'x-api-key': lacking.get(route.config.scope as Scope)?.key ?? '' }),
        { status: 403, codes: ['FORBIDDEN'] },
      );
    }
    expect(await writtenState()).toEqual(before);
  });

  it('every console route not marked public, without a session', async () => {
    const before = await writtenState();
    const routes = registeredRoutes(secured.app.http);
    const closed = routes.filter((r) => r.config.public !== true);
    // Health, metrics, the browser app, login, session and logout are the public ones; the API is not.
    expect(closed.some((r) => r.url.startsWith('/api/'))).toBe(true);
    expect(
      routes
        .filter((r) => r.config.public === true)
        .every((r) => /^\/(health\/|metrics$|app\/\*$|$|api\/(login|logout|session)$)/.test(r.url)),
    ).toBe(true);
    const sent = await checkRoutes(closed, secured.url, {}, { status: 401, codes: ['UNAUTHORIZED'] });
    expect(sent).toBeGreaterThanOrEqual(closed.length * (VARIANT_KINDS.length + RANDOM_RUNS_PER_ROUTE));
    expect(await writtenState()).toEqual(before);
  });

  it('every console write in read-only mode, with a session', async () => {
    const login = await fetch(`${readOnly.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(login.status).toBe(204);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await fetch(`${readOnly.url}/api/info`, { headers: { cookie } })).status).toBe(200);

    const before = await writtenState();
    const writes = registeredRoutes(readOnly.app.http).filter(
      (r) => r.config.public !== true && (!['GET', 'HEAD'].includes(r.method) || r.config.write === true),
    );
    expect(writes.length).toBeGreaterThan(0);
    await checkRoutes(writes, readOnly.url, { cookie }, { status: 403, codes: ['READ_ONLY'] });
    expect(await writtenState()).toEqual(before);
  });
});
