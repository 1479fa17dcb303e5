import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config.ts';
import { commonEnvShape, portShape, toCommonConfig } from './schemas.ts';

const schema = z.object({ ...commonEnvShape, ...portShape(8000) });

describe('common config', () => {
  it('has working defaults for local development', () => {
    const env = loadConfig(schema, {});
    const config = toCommonConfig(env, 'order-service', env.PORT);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.topics).toEqual({
      orderEvents: 'order-events',
      inventoryEvents: 'inventory-events',
      auditEvents: 'audit-events',
    });
    expect(config.kafka.partitions).toBe(3);
    expect(config.kafka.sasl).toBeUndefined();
    expect(config.kafka.relayTakeoverMs).toBe(15_000);
    // Inbox rows outlive what Kafka can redeliver: retention.ms + segment.ms (7 d + 7 d) + 1 d.
    expect(config.retention).toEqual({
      outboxSentMs: 3_600_000,
      inboxMs: 15 * 24 * 3_600_000,
      purgeBatchSize: 1000,
    });
  });

  it('bounds the relay takeover time and the purge batch', () => {
    const env = loadConfig(schema, {
      OUTBOX_RELAY_TAKEOVER_MS: '5000',
      INBOX_RETENTION_MS: '0',
      RETENTION_PURGE_BATCH: '200',
    });
    const config = toCommonConfig(env, 'x', env.PORT);
    expect(config.kafka.relayTakeoverMs).toBe(5000);
    expect(config.retention.inboxMs).toBe(0);
    expect(config.retention.purgeBatchSize).toBe(200);
    for (const bad of [{ OUTBOX_RELAY_TAKEOVER_MS: '1500' }, { RETENTION_PURGE_BATCH: '50000' }]) {
      expect(() => loadConfig(schema, bad)).toThrow(ConfigError);
    }
  });

  it('parses broker lists, SASL and booleans', () => {
    const env = loadConfig(schema, {
      KAFKA_BROKERS: 'a:9092, b:9093',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'secret',
      LOG_PRETTY: '1',
      PORT: '9100',
    });
    const config = toCommonConfig(env, 'x', env.PORT);
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(config.kafka.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'svc', password: 'secret' });
    expect(config.log.pretty).toBe(true);
    expect(config.http.port).toBe(9100);
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig(schema, { KAFKA_BROKERS: 'nope', PORT: 'abc' })).toThrow(ConfigError);
    try {
      loadConfig(schema, { KAFKA_BROKERS: 'nope', PORT: 'abc' });
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.path).sort()).toEqual(['KAFKA_BROKERS', 'PORT']);
    }
  });
});
