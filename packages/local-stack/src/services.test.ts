import { SERVICES as SERVICE_NAMES } from '@kafka-poc/contracts';
import { describe, expect, it } from 'vitest';
import { databaseRoleOf, findService, instanceId, instancePort, SERVICES, serviceEnv } from './services.ts';

describe('service registry', () => {
  it('derives ports and ids per instance, honouring the port env override', () => {
    const order = findService('order-service');
    if (!order) throw new Error('order-service missing from the registry');
    expect(instancePort(order, 0, {})).toBe(8000);
    expect(instancePort(order, 2, {})).toBe(8200);
    expect(instancePort(order, 1, { ORDER_SERVICE_PORT: '9000' })).toBe(9100);
    expect(instanceId(order, 0)).toBe('order-service-1');
  });

  it("builds the child environment, with the service's own database role", () => {
    const inventory = findService('inventory-service');
    if (!inventory) throw new Error('inventory-service missing from the registry');
    const env = serviceEnv({
      service: inventory,
      port: 8001,
      instanceId: 'x-1',
      kafkaBrokers: 'k:1',
      databaseUrl: 'postgres://app:app@127.0.0.1:5432/appdb?sslmode=require',
      env: { A: 'b' },
    });
    expect(env).toMatchObject({
      A: 'b',
      PORT: '8001',
      INSTANCE_ID: 'x-1',
      NODE_ENV: 'development',
      LOG_PRETTY: '1',
      DATABASE_URL: 'postgres://inventory_service:inventory_service@127.0.0.1:5432/appdb?sslmode=require',
    });
  });

  it('names every service of the contracts, each with its own database role', () => {
    expect(SERVICES.filter((s) => s.kind === 'api').map((s) => s.name)).toEqual(Object.values(SERVICE_NAMES));
    const roles = SERVICES.map((s) => s.databaseRole);
    expect(new Set(roles).size).toBe(roles.length);
  });

  it('gives the database role of a service by name, and refuses a name that is no service', () => {
    expect(databaseRoleOf(SERVICE_NAMES.order)).toBe(findService(SERVICE_NAMES.order)?.databaseRole);
    expect(() => databaseRoleOf('billing-service')).toThrow(/unknown service billing-service/);
  });
});
