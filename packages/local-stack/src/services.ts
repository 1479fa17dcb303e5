import { applyClientEnv, type InfraClientEnv } from './infra-security.ts';

/** What `npm start` runs. Add a service here and it gets ports, env, readiness waiting and restarts. */
export interface ServiceDefinition {
  name: string;
  /** Entry file, relative to the repo root; services whose entry does not exist yet are skipped. */
  entry: string;
  defaultPort: number;
  /** Env var that overrides the base port. */
  portEnv: string;
  /** Extra URLs worth printing (API services have docs and metrics, the console is a UI). */
  kind: 'api' | 'ui';
}

export const SERVICES: readonly ServiceDefinition[] = [
  {
    name: 'order-service',
    entry: 'services/order-service/src/main.ts',
    defaultPort: 8000,
    portEnv: 'ORDER_SERVICE_PORT',
    kind: 'api',
  },
  {
    name: 'inventory-service',
    entry: 'services/inventory-service/src/main.ts',
    defaultPort: 8001,
    portEnv: 'INVENTORY_SERVICE_PORT',
    kind: 'api',
  },
  {
    name: 'notification-service',
    entry: 'services/notification-service/src/main.ts',
    defaultPort: 8002,
    portEnv: 'NOTIFICATION_SERVICE_PORT',
    kind: 'api',
  },
  {
    name: 'console',
    entry: 'apps/console/src/main.ts',
    defaultPort: 8080,
    portEnv: 'CONSOLE_PORT',
    kind: 'ui',
  },
];

export function findService(name: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.name === name);
}

/** Base port from env override or default; instance i (0-based) listens on base + 100 * i. */
export function instancePort(
  service: ServiceDefinition,
  index: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const override = Number(env[service.portEnv]);
  const base = Number.isInteger(override) && override > 0 ? override : service.defaultPort;
  return base + 100 * index;
}

/** Instance ids are 1-based for humans: order-service-1, order-service-2, … */
export function instanceId(service: ServiceDefinition, index: number): string {
  return `${service.name}-${index + 1}`;
}

/**
 * The environment every service instance gets (on top of the inherited one), including the client
 * variables of a secured infra (KAFKA_SASL_*, KAFKA_TLS*, DATABASE_SSL*; file paths only).
 */
export function serviceEnv(args: {
  port: number;
  instanceId: string;
  kafkaBrokers: string;
  databaseUrl: string;
  env?: NodeJS.ProcessEnv;
  clientEnv?: InfraClientEnv;
}): NodeJS.ProcessEnv {
  return {
    ...applyClientEnv(args.env ?? process.env, args.clientEnv),
    PORT: String(args.port),
    KAFKA_BROKERS: args.kafkaBrokers,
    DATABASE_URL: args.databaseUrl,
    INSTANCE_ID: args.instanceId,
    NODE_ENV: 'development',
    LOG_PRETTY: '1',
  };
}
