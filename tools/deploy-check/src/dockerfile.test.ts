import { describe, expect, it } from 'vitest';
import {
  checkCopySources,
  checkRuntimeStage,
  type DockerfileModel,
  globToRegExp,
  normalizeSource,
  planContextCopy,
  stageOrder,
} from './dockerfile.ts';

const files = [
  'package.json',
  'package-lock.json',
  'packages/config/package.json',
  'packages/config/src/index.ts',
  'services/order-service/package.json',
  'services/order-service/migrations/0000_init.sql',
  'services/order-service/migrations/meta/_journal.json',
];

describe('globToRegExp (Go path.Match, as BuildKit matches COPY sources)', () => {
  it('keeps * and ? within one path segment', () => {
    expect(globToRegExp('packages/*/package.json').test('packages/config/package.json')).toBe(true);
    expect(globToRegExp('packages/*/package.json').test('packages/a/b/package.json')).toBe(false);
    expect(globToRegExp('package?.json').test('packages.json')).toBe(true);
    expect(globToRegExp('[pq]ackage.json').test('package.json')).toBe(true);
    expect(globToRegExp('[!p]ackage.json').test('package.json')).toBe(false);
  });
});

describe('planContextCopy', () => {
  it('copies a directory source by its contents and a file into a directory destination', () => {
    const { entries, unmatched } = planContextCopy(
      ['services/order-service/migrations', 'package.json'],
      'dest/',
      false,
      files,
    );
    expect(unmatched).toEqual([]);
    expect(entries).toContainEqual({
      file: 'services/order-service/migrations/meta/_journal.json',
      target: 'meta/_journal.json',
    });
    expect(entries).toContainEqual({ file: 'package.json', target: 'package.json' });
  });

  it('keeps context paths with --parents and copies everything for "."', () => {
    const parents = planContextCopy(['packages/*/package.json', 'apps/*/package.json'], './', true, files);
    expect(parents.entries).toEqual([
      { file: 'packages/config/package.json', target: 'packages/config/package.json' },
    ]);
    expect(parents.unmatched).toEqual(['apps/*/package.json']);
    expect(planContextCopy(['.'], '.', false, files).entries).toHaveLength(files.length);
  });

  it('renames a single file copied to a file destination', () => {
    expect(planContextCopy(['package.json'], '/app/pkg.json', false, files).entries).toEqual([
      { file: 'package.json', target: '' },
    ]);
  });

  it('normalizes ./ and trailing slashes', () => {
    expect(normalizeSource('./services/')).toBe('services');
    expect(normalizeSource('.')).toBe('');
  });
});

const model = (overrides: Partial<DockerfileModel['stages'][number]>[] = []): DockerfileModel => ({
  warnings: [],
  stages: [
    {
      name: 'base',
      base: 'node:24-slim',
      line: 1,
      commands: [{ kind: 'workdir', line: 2, text: 'WORKDIR /app', value: '/app' }],
    },
    {
      name: 'build',
      base: 'base',
      line: 3,
      commands: [
        { kind: 'copy', line: 4, text: 'COPY missing.txt ./', sources: ['missing.txt'], dest: './' },
      ],
    },
    {
      name: 'runtime',
      base: 'base',
      line: 5,
      commands: [
        {
          kind: 'copy',
          line: 6,
          text: 'COPY --from=build /app/ ./',
          from: 'build',
          sources: ['/app/'],
          dest: './',
        },
        { kind: 'user', line: 7, text: 'USER node', value: 'node' },
        {
          kind: 'healthcheck',
          line: 8,
          text: 'HEALTHCHECK',
          args: [
            'CMD',
            'node',
            '-e',
            "fetch('http://127.0.0.1:'+{'order-service':8000}[process.env.APP]+'/health/ready')",
          ],
        },
        { kind: 'cmd', line: 9, text: 'CMD', args: ['node', 'main.mjs'] },
      ],
      ...overrides[0],
    },
  ],
});

describe('Dockerfile checks', () => {
  it('reports a COPY source that is not in the build context', () => {
    expect(checkCopySources(model(), files)).toEqual([
      'line 4: COPY source missing.txt matches nothing in the build context (after .dockerignore)',
    ]);
  });

  it('orders the stages a target needs', () => {
    expect(stageOrder(model(), 'runtime').map((s) => s.name)).toEqual(['base', 'build', 'runtime']);
  });

  it('accepts a non-root runtime with a healthcheck knowing each port', () => {
    expect(checkRuntimeStage(model(), [{ name: 'order-service', port: 8000 }])).toEqual([]);
  });

  it('flags root, a wrong port, an unknown app and a shell-form CMD', () => {
    const bad = model();
    const runtime = bad.stages[2] as DockerfileModel['stages'][number];
    runtime.commands = runtime.commands.map((c) =>
      c.kind === 'user' ? { ...c, value: 'root' } : c.kind === 'cmd' ? { ...c, shell: true } : c,
    );
    const problems = checkRuntimeStage(bad, [
      { name: 'order-service', port: 8001 },
      { name: 'console', port: 8080 },
    ]);
    expect(problems).toEqual([
      'the runtime stage must switch to a non-root USER',
      'HEALTHCHECK port of order-service is 8000, its default port is 8001',
      'HEALTHCHECK has no port for console',
      'the runtime stage needs an exec-form CMD (node as PID 1 gets SIGTERM)',
    ]);
  });
});
