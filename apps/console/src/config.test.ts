import { ConfigError } from '@kafka-poc/config';
import { describe, expect, it } from 'vitest';
import { isLoopback, loadConsoleConfig } from './config.ts';

describe('console config', () => {
  it('has local defaults: port 8080, the services on 8000-8002, no login', () => {
    const config = loadConsoleConfig({});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.services).toEqual({
      order: 'http://127.0.0.1:8000',
      inventory: 'http://127.0.0.1:8001',
      notification: 'http://127.0.0.1:8002',
      apiKey: undefined,
    });
    expect(config.groups).toEqual({
      order: 'order-service',
      inventory: 'inventory-service',
      notification: 'notification-service',
    });
    expect(config.access).toMatchObject({ token: undefined, readOnly: false });
    expect(config.lag).toEqual({ sampleMs: 5000, idleSampleMs: 60_000, history: 720, maxGroups: 100 });
  });

  it('follows the services moved by npm start port overrides, unless URLs are given', () => {
    const moved = loadConsoleConfig({ ORDER_SERVICE_PORT: '9000', INVENTORY_SERVICE_URL: 'http://inv:81/' });
    expect(moved.services.order).toBe('http://127.0.0.1:9000');
    expect(moved.services.inventory).toBe('http://inv:81');
  });

  it('requires a token beyond loopback and refuses to start without one', () => {
    expect(() => loadConsoleConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConsoleConfig({ HOST: '0.0.0.0', CONSOLE_TOKEN: '' })).toThrow(/CONSOLE_TOKEN/);
    const open = loadConsoleConfig({ HOST: '0.0.0.0', CONSOLE_TOKEN: 'long-enough', CONSOLE_READ_ONLY: '1' });
    expect(open.access).toMatchObject({ token: 'long-enough', readOnly: true });
  });

  it('names invalid variables', () => {
    try {
      loadConsoleConfig({ CONSOLE_TOKEN: 'short', ORDER_SERVICE_URL: 'ftp://x', CONSOLE_READ_ONLY: 'maybe' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.path).sort()).toEqual([
        'CONSOLE_READ_ONLY',
        'CONSOLE_TOKEN',
        'ORDER_SERVICE_URL',
      ]);
    }
  });

  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3'])
      expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) expect(isLoopback(host)).toBe(false);
  });
});
