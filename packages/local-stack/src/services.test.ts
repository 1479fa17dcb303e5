import { describe, expect, it } from 'vitest';
import { findService, instanceId, instancePort, serviceEnv } from './services.ts';

describe('service registry', () => {
  it('derives ports and ids per instance, honouring the port env override', () => {
    const order = findService('order-service');
    if (!order) throw new Error('order-service missing from the registry');
    expect(instancePort(order, 0, {})).toBe(8000);
    expect(instancePort(order, 2, {})).toBe(8200);
    expect(instancePort(order, 1, { ORDER_SERVICE_PORT: '9000' })).toBe(9100);
    expect(instanceId(order, 0)).toBe('order-service-1');
  });

  it('builds the child environment', () => {
    const env = serviceEnv({
      port: 8001,
      instanceId: 'x-1',
      kafkaBrokers: 'k:1',
      databaseUrl: 'pg',
      env: { A: 'b' },
    });
    expect(env).toMatchObject({
      A: 'b',
      PORT: '8001',
      INSTANCE_ID: 'x-1',
      NODE_ENV: 'development',
      LOG_PRETTY: '1',
    });
  });
});
