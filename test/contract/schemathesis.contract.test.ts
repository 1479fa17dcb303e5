import { join } from 'node:path';
import { repoRoot } from '@kafka-poc/local-stack';
import { formatApiKeyRecord, generateApiKey } from '@kafka-poc/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/http.ts';
import { type ServiceKind, TestPipeline } from '../support/pipeline.ts';
import { ensureSchemathesis, runSchemathesis } from '../support/schemathesis.ts';

// The contract is exact: schemathesis (property-based OpenAPI testing, every check) against each
// service's own /openapi.json finds nothing — once with API keys optional, once with them required.
// Reports: test-results/schemathesis/<mode>/<service>/ (log, JUnit, HAR of every request).

const SEED = process.env.CONTRACT_SEED ?? '20261204';
const MAX_EXAMPLES = process.env.CONTRACT_MAX_EXAMPLES ?? '40';
const SERVICES: ServiceKind[] = ['order', 'inventory', 'notification'];
const REPORTS = join(repoRoot(), 'test-results', 'schemathesis');
const CONFIG = join(repoRoot(), 'test', 'contract', 'schemathesis.toml');

let cli: string;

beforeAll(() => {
  cli = ensureSchemathesis((line) => process.stdout.write(`[contract] ${line}\n`));
});

const admin = generateApiKey('contract-admin', ['admin']);

const MODES = [
  { name: 'keys-optional', env: { AUTH_REQUIRED: '0' }, headers: undefined },
  {
    name: 'keys-required',
    env: { AUTH_REQUIRED: '1', API_KEYS: formatApiKeyRecord(admin.record) },
    headers: { 'x-api-key': admin.key },
  },
] as const;

describe.each(MODES)('schemathesis, $name', (mode) => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await TestPipeline.create({
      seed: 'Laptop=50,Phone=100,Monitor=30',
      // The limiter stays on (its 429 is part of the contract) but never limits the run.
      // Event streams of orders that stay CONFIRMED end after 1 s, well within the tester's request
      // timeout (a stream is meant to stay open; the tester reads a response to its end).
      env: { ...mode.env, RATE_LIMIT_PER_MINUTE: '100000000', ORDER_EVENTS_MAX_DURATION: '1s' },
    });
    await pipeline.startAll();
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  if (mode.headers) {
    it('answers 401 with a Bearer challenge to a missing or invalid key, as the contract says', async () => {
      for (const kind of SERVICES) {
        const spec = (await request('GET', `${pipeline.url(kind)}/openapi.json`)).body;
        const [path, item] = Object.entries<Record<string, { security?: unknown[] }>>(spec.paths).find(
          ([, operations]) => operations.get?.security,
        ) ?? ['', {}];
        expect(item.get?.security, `${kind} ${path}`).toEqual([{ apiKey: [] }, { bearer: [] }]);
        const url = `${pipeline.url(kind)}${path}`;
        const attempts: Record<string, string>[] = [
          {},
          { 'x-api-key': 'kpoc_invalid' },
          { authorization: 'Bearer nope' },
        ];
        for (const headers of attempts) {
          const response = await request('GET', url, undefined, headers);
          expect(response.status, `${kind} GET ${path} with ${JSON.stringify(headers)}`).toBe(401);
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
        }
        expect((await request('GET', url, undefined, mode.headers)).status).toBe(200);
      }
    });
  }

  it.each(SERVICES)('%s-service: no failures', async (kind) => {
    const reportDir = join(REPORTS, mode.name, `${kind}-service`);
    const result = await runSchemathesis({
      cli,
      configFile: CONFIG,
      schemaUrl: `${pipeline.url(kind)}/openapi.json`,
      reportDir,
      headers: mode.headers,
      hooks: join(repoRoot(), 'test', 'contract', 'hooks.py'),
      args: ['--checks', 'all', '--seed', SEED, '--max-examples', MAX_EXAMPLES],
      timeoutMs: 240_000,
    });
    process.stdout.write(
      `[contract] ${mode.name} ${kind}-service: exit ${result.exitCode}; ${result.summary.join(' | ')}\n` +
        `[contract] report: ${reportDir}\n`,
    );
    expect(result.exitCode, `schemathesis found failures; see ${result.log}\n${tail(result.output)}`).toBe(0);
  });
});

function tail(output: string): string {
  return output.split('\n').slice(-150).join('\n');
}
