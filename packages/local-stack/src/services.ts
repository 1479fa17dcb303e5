import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DB_ROLE, SERVICE_DATA, SERVICES as SERVICE_NAMES } from '@kafka-poc/contracts';
import { APP_NODE_FLAGS, BUNDLE_FILE, type BundleResult, bundleApps } from './app-bundle.ts';
import { roleDatabaseUrl } from './database-setup.ts';
import { LocalStackError } from './errors.ts';
import { applyClientEnv, type InfraClientEnv } from './infra-security.ts';

/**
 * What `npm start` runs: the services (named by @kafka-poc/contracts) and the console. Add one here and
 * it gets ports, env, readiness waiting and restarts.
 */
export interface ServiceDefinition {
  name: string;
  /** The app's directory, relative to the repo root: its source is `src/main.ts`, its build `dist/main.mjs`. */
  dir: string;
  defaultPort: number;
  /** Env var that overrides the base port. */
  portEnv: string;
  /** Extra URLs worth printing (API services have docs and metrics, the console is a UI). */
  kind: 'api' | 'ui';
  /** The Postgres role it connects as (data ownership: @kafka-poc/contracts SERVICE_DATA). */
  databaseRole: string;
}

export const SERVICES: readonly ServiceDefinition[] = [
  {
    name: SERVICE_NAMES.order,
    dir: 'services/order-service',
    defaultPort: 8000,
    portEnv: 'ORDER_SERVICE_PORT',
    kind: 'api',
    databaseRole: SERVICE_DATA.order.role,
  },
  {
    name: SERVICE_NAMES.inventory,
    dir: 'services/inventory-service',
    defaultPort: 8001,
    portEnv: 'INVENTORY_SERVICE_PORT',
    kind: 'api',
    databaseRole: SERVICE_DATA.inventory.role,
  },
  {
    name: SERVICE_NAMES.notification,
    dir: 'services/notification-service',
    defaultPort: 8002,
    portEnv: 'NOTIFICATION_SERVICE_PORT',
    kind: 'api',
    databaseRole: SERVICE_DATA.notification.role,
  },
  {
    name: 'console',
    dir: 'apps/console',
    defaultPort: 8080,
    portEnv: 'CONSOLE_PORT',
    kind: 'ui',
    databaseRole: CONSOLE_DB_ROLE,
  },
];

export function findService(name: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.name === name);
}

/**
 * How every launcher runs an app (npm start, npm run service, the bench, the chaos campaign, the
 * process tests): its production build with the apps' Node flags, from the app's directory, as the
 * images do. `buildApps` first: the build is never older than the sources it was made from.
 */
export function appCommand(service: ServiceDefinition, root: string): { args: string[]; cwd: string } {
  const bundle = join(root, service.dir, BUNDLE_FILE);
  if (!existsSync(bundle)) {
    throw new LocalStackError('BUILD_MISSING', `${service.dir}/${BUNDLE_FILE} is missing.`, {
      retryable: false,
      hint: 'npm run build (npm start, the bench and the tests build it themselves)',
    });
  }
  return { args: [...APP_NODE_FLAGS, bundle], cwd: join(root, service.dir) };
}

/** Builds every app of the registry (about half a second each); progress in one line. */
export async function buildApps(
  root: string,
  onProgress: (message: string) => void = () => {},
  services: readonly ServiceDefinition[] = SERVICES,
): Promise<BundleResult[]> {
  const started = performance.now();
  const results = await bundleApps(
    root,
    services.map((s) => s.dir),
  );
  const mb = results.reduce((sum, r) => sum + r.bytes, 0) / 1e6;
  onProgress(
    `built ${results.length} apps (${results.map((r) => r.file).join(', ')}; ${mb.toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return results;
}

/** The database role a service (or the console) connects as; throws for a name that is none of them. */
export function databaseRoleOf(name: string): string {
  const role = findService(name)?.databaseRole;
  if (!role) throw new Error(`unknown service ${name}`);
  return role;
}

/** Base port from env override or default; instance i (0-based) listens on base + 100 * i. */
export function instancePort(service: ServiceDefinition, index: number, env: NodeJS.ProcessEnv): number {
  const override = Number(env[service.portEnv]);
  const base = Number.isInteger(override) && override > 0 ? override : service.defaultPort;
  return base + 100 * index;
}

/** Instance ids are 1-based for humans: order-service-1, order-service-2, … */
export function instanceId(service: ServiceDefinition, index: number): string {
  return `${service.name}-${index + 1}`;
}

/**
 * The environment every service instance gets (on top of `env`, the launcher's), including the
 * client variables of a secured infra (KAFKA_SASL_*, KAFKA_TLS*, DATABASE_SSL*; file paths only).
 * DATABASE_URL is `databaseUrl` with the service's own role (its local credentials).
 */
export function serviceEnv(args: {
  service: ServiceDefinition;
  port: number;
  instanceId: string;
  kafkaBrokers: string;
  databaseUrl: string;
  env: NodeJS.ProcessEnv;
  clientEnv?: InfraClientEnv;
}): NodeJS.ProcessEnv {
  return {
    ...applyClientEnv(args.env, args.clientEnv),
    PORT: String(args.port),
    KAFKA_BROKERS: args.kafkaBrokers,
    DATABASE_URL: roleDatabaseUrl(args.databaseUrl, args.service.databaseRole),
    INSTANCE_ID: args.instanceId,
    NODE_ENV: 'development',
    LOG_PRETTY: '1',
  };
}
