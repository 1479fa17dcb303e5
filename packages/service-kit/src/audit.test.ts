import type { AuditRecord } from '@kafka-poc/contracts';
import type { KafkaProducer } from '@kafka-poc/kafka';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AuditTrail, summarizeBody } from './audit.ts';

const record: AuditRecord = {
  id: '4f1c2a4e-8a51-4a3e-9d8e-1f1f1f1f1f1f',
  at: '2026-12-07T10:00:00.000Z',
  source: 'inventory-service',
  instance: 'i-1',
  actor: 'key:ops',
  client: '127.0.0.1',
  method: 'PUT',
  route: '/inventory/:item',
  params: { item: 'Laptop' },
  status: 200,
  outcome: 'ok',
  requestId: 'r-1',
  durationMs: 3,
};

describe('summarizeBody', () => {
  it('keeps scalars, cuts long strings, redacts secrets, sizes nested values', () => {
    expect(
      summarizeBody({
        stock: 5,
        ok: true,
        reason: 'restock',
        note: 'x'.repeat(100),
        token: 'abc',
        apiKey: 'k',
        password: 'p',
        list: Array.from({ length: 20 }, (_, i) => i),
        topics: ['a', 'b'],
        configs: { 'retention.ms': 1000, nested: { deep: 1 } },
      }),
    ).toEqual({
      stock: 5,
      ok: true,
      reason: 'restock',
      note: `${'x'.repeat(64)}… (100 chars)`,
      token: '[redacted]',
      apiKey: '[redacted]',
      password: '[redacted]',
      list: '[20 item(s)]',
      topics: ['a', 'b'],
      configs: { 'retention.ms': 1000, nested: '{1 field(s)}' },
    });
    expect(summarizeBody(undefined)).toBeUndefined();
    expect(summarizeBody('text')).toBeUndefined();
    expect(
      Object.keys(
        summarizeBody(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, i]))) ?? {},
      ),
    ).toHaveLength(21);
  });
});

describe('AuditTrail', () => {
  function trail(producer: KafkaProducer | undefined, lines: unknown[]) {
    const registry = new Registry();
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const audit = new AuditTrail({
      source: 's',
      instance: 'i',
      topic: 'audit-events',
      producer,
      logger,
      registry,
      maxAttempts: 2,
    });
    return { audit, registry };
  }

  it('logs one line and produces the record keyed by its id', async () => {
    const sent: unknown[] = [];
    const lines: unknown[] = [];
    const producer = {
      send: async (m: unknown[]) => {
        sent.push(...m);
        return [];
      },
    } as unknown as KafkaProducer;
    const { audit } = trail(producer, lines);
    audit.record(record);
    await audit.idle();
    expect(lines).toEqual([expect.objectContaining({ msg: 'audit', audit: record })]);
    expect(sent).toEqual([{ topic: 'audit-events', key: record.id, value: JSON.stringify(record) }]);
  });

  it('gives up after the attempts, counts the failure and keeps the log line', async () => {
    let attempts = 0;
    const lines: { msg?: string }[] = [];
    const producer = {
      send: async () => {
        attempts += 1;
        throw new Error('broker gone');
      },
    } as unknown as KafkaProducer;
    const { audit, registry } = trail(producer, lines);
    audit.record(record);
    await audit.idle();
    expect(attempts).toBe(2);
    expect(lines.map((l) => l.msg)).toEqual([
      'audit',
      'audit record not written to Kafka (its log line exists)',
    ]);
    expect(await registry.getSingleMetricAsString('audit_records_failed_total')).toMatch(/ 1$/m);
  });
});
