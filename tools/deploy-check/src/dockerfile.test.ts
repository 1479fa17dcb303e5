import { APP_NODE_FLAGS } from '@kafka-poc/local-stack';
import { describe, expect, it } from 'vitest';
import { checkRuntimeStage, type DockerfileModel } from './dockerfile.ts';

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
        { kind: 'cmd', line: 9, text: 'CMD', args: ['node', ...APP_NODE_FLAGS, 'main.mjs'] },
      ],
      ...overrides[0],
    },
  ],
});

describe('Dockerfile checks', () => {
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

  it("flags a CMD that does not run the build with the apps' Node flags", () => {
    const old = model();
    const runtime = old.stages[2] as DockerfileModel['stages'][number];
    runtime.commands = runtime.commands.map((c) =>
      c.kind === 'cmd' ? { ...c, args: ['node', 'main.mjs'] } : c,
    );
    expect(checkRuntimeStage(old, [{ name: 'order-service', port: 8000 }])).toEqual([
      `the runtime stage's CMD is ["node","main.mjs"], expected ${JSON.stringify(['node', ...APP_NODE_FLAGS, 'main.mjs'])} (the flags every launcher uses: @kafka-poc/local-stack APP_NODE_FLAGS)`,
    ]);
  });
});
