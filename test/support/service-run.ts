import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { appCommand, findService, repoRoot } from '@kafka-poc/local-stack';
import { testKafkaBrokers, uniqueName } from '@kafka-poc/testing';

export type ServiceName = 'order-service' | 'inventory-service' | 'notification-service';

export interface RunOutcome {
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  /** Still running when we stopped waiting (then killed). */
  running: boolean;
}

/**
 * Runs one service process as `npm start` runs it (its build, `services/<name>/dist/main.mjs`) against the
 * harness's broker with its own topics and groups, and DATABASE_URL; waits for it to exit up to
 * `waitMs` (or until its output contains `stopOnOutput`), then kills it. For tests of what a service
 * does at start (refusals, waits).
 */
export function runServiceOnce(
  service: ServiceName,
  databaseUrl: string,
  options: { waitMs?: number; env?: Record<string, string>; stopOnOutput?: string } = {},
): Promise<RunOutcome> {
  const definition = findService(service);
  if (!definition) throw new Error(`unknown service ${service}`);
  const root = repoRoot();
  const ns = uniqueName('run');
  const command = appCommand(definition, root);
  const child = spawn(process.execPath, command.args, {
    cwd: command.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'test',
      AUTH_REQUIRED: '0',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      LOG_PRETTY: '0',
      SHUTDOWN_TIMEOUT_MS: '5000',
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: databaseUrl,
      TOPIC_ORDER_EVENTS: `${ns}.order-events`,
      TOPIC_INVENTORY_EVENTS: `${ns}.inventory-events`,
      ORDER_SERVICE_GROUP: `${ns}.order-service`,
      INVENTORY_SERVICE_GROUP: `${ns}.inventory-service`,
      NOTIFICATION_SERVICE_GROUP: `${ns}.notification-service`,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (options.stopOnOutput && output.includes(options.stopOnOutput)) child.kill('SIGKILL');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.waitMs ?? 30_000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, output, running: signal === 'SIGKILL' });
    });
  });
}
