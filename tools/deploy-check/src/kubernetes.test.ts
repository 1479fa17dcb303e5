import { describe, expect, it } from 'vitest';
import { checkRendered, expandHelpers } from './kubernetes.ts';
import { listApps } from './workspaces.ts';

const order = listApps().filter((a) => a.dir === 'services/order-service');

const deployment = (container: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'order-service' },
  spec: {
    selector: { matchLabels: { app: 'order' } },
    template: {
      metadata: { labels: { app: 'order' } },
      spec: { securityContext: { runAsNonRoot: true }, containers: [container] },
    },
  },
});

describe('checkRendered', () => {
  it('reports missing probes, requests, unknown variables, values the app refuses and unselected pods', async () => {
    const problems = await checkRendered(
      [
        {
          kind: 'ConfigMap',
          metadata: { name: 'cfg' },
          data: { HOST: '0.0.0.0', KAFKA_BROKER: 'kafka:9092', LOG_LEVEL: 'loud' },
        },
        deployment({
          name: 'app',
          image: 'kafka-poc/order-service',
          envFrom: [{ configMapRef: { name: 'cfg' } }],
          env: [{ name: 'PORT', value: '8000' }],
          ports: [{ name: 'http', containerPort: 8000 }],
          readinessProbe: { httpGet: { path: '/health/live', port: 'http' } },
        }),
      ],
      order,
      [],
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'Deployment order-service: KAFKA_BROKER is not a variable @kafka-poc/order-service reads (services/order-service/src/config.ts)',
        'Deployment order-service: readinessProbe should GET /health/ready',
        'Deployment order-service: livenessProbe should GET /health/live',
        'Deployment order-service: needs cpu and memory requests',
        'Deployment order-service: no Service selects its pods',
        'no Strimzi Kafka resource in the full overlay',
        'no CloudNativePG Cluster in the full overlay',
      ]),
    );
    expect(problems.some((p) => p.includes('would refuse to start') && p.includes('LOG_LEVEL'))).toBe(true);
  });
});

describe('database roles', () => {
  it('wants the db-setup Job and each app on its own role', async () => {
    const problems = await checkRendered(
      [
        deployment({
          name: 'app',
          image: 'kafka-poc/order-service',
          env: [{ name: 'DATABASE_URL', value: 'postgres://app:x@appdb-rw:5432/appdb' }],
        }),
      ],
      order,
      [],
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "Job db-setup: missing: nothing creates the apps' database roles and schemas",
        'Deployment order-service: DATABASE_URL connects as app, expected its own role order_service',
      ]),
    );
  });

  it('leaves out the variables that only feed $(NAME) expansion', () => {
    expect(
      expandHelpers({
        DB_PASSWORD: 'from-a-secret',
        DATABASE_URL: 'postgres://u:$(DB_PASSWORD)@h/db',
        PORT: '1',
      }),
    ).toEqual({ DATABASE_URL: 'postgres://u:from-a-secret@h/db', PORT: '1' });
  });
});
