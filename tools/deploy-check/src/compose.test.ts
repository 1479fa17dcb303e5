import { describe, expect, it } from 'vitest';
import { COMPOSE_VARIANTS, type ComposeProject, checkCompose, isValidClusterId } from './compose.ts';

describe('isValidClusterId', () => {
  it('wants 16 bytes in canonical base64url', () => {
    expect(isValidClusterId('XRGqHW_mrlPMp92wtisGOA')).toBe(true);
    expect(isValidClusterId('kafka-poc-cluster-0001')).toBe(false); // 22 chars, but not canonical
    expect(isValidClusterId('short')).toBe(false);
  });
});

describe('checkCompose', () => {
  const variant = COMPOSE_VARIANTS[0] as (typeof COMPOSE_VARIANTS)[number];

  it('reports container_name, fixed host ports on scalable services, missing healthchecks and unhealthy dependencies', async () => {
    const project: ComposeProject = {
      name: 'x',
      services: {
        zookeeper: { image: 'zookeeper:3.9', restart: 'always' },
        'notification-service': {
          container_name: 'notifications',
          restart: 'unless-stopped',
          ports: [{ target: 8002, published: '8002' }],
          depends_on: { zookeeper: { condition: 'service_started' } },
          healthcheck: { test: ['CMD', 'true'] },
        },
      },
    };
    const problems = await checkCompose(project, variant, []);
    expect(problems).toEqual(
      expect.arrayContaining([
        'zookeeper: ZooKeeper has no place here: Kafka runs in KRaft mode',
        'zookeeper: restart is always, expected unless-stopped',
        'zookeeper: no healthcheck',
        'notification-service: container_name prevents scaling and parallel projects',
        'notification-service: depends_on zookeeper without condition: service_healthy',
        'notification-service: publishes fixed host port 8002: --scale notification-service=N would fail',
        'inventory-service: missing',
        'expected 1 apache/kafka services, found 0',
      ]),
    );
  });

  it('wants the one-shot database setup to have completed and each app on its own role', async () => {
    const problems = await checkCompose(
      {
        name: 'x',
        services: {
          postgres: {
            image: 'postgres:18',
            restart: 'unless-stopped',
            healthcheck: { test: ['CMD', 'true'] },
          },
          'db-setup': {
            image: 'postgres:18',
            restart: 'no',
            command: ['psql', '-f', '/setup/setup.sql'],
            volumes: [
              { type: 'bind', source: '/repo/deploy/postgres/setup.sql', target: '/setup/setup.sql' },
            ],
          },
          'order-service': {
            restart: 'unless-stopped',
            build: { args: { APP: 'order-service' } },
            environment: { DATABASE_URL: 'postgres://app:app@postgres:5432/appdb' },
            healthcheck: { test: ['CMD', 'true'] },
            depends_on: { 'db-setup': { condition: 'service_healthy' } },
          },
        },
      },
      variant,
      [],
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'db-setup: does not wait for postgres',
        'order-service: depends_on db-setup without condition: service_completed_successfully',
      ]),
    );
    expect(problems.some((p) => p.startsWith('db-setup: restart') || p === 'db-setup: no healthcheck')).toBe(
      false,
    );
  });
});
