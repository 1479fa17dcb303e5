import { describe, expect, it } from 'vitest';
import { ALL_SERVICE_DATA, SERVICE_DATA, VIEWS } from './data-ownership.ts';
import {
  asDeadLetterTopic,
  consumerGroup,
  consumerGroups,
  deadLetterTopic,
  isDeadLetterTopic,
  originalTopic,
  SERVICES,
} from './names.ts';

describe('dead-letter topic names', () => {
  it('name, recognize and undo the suffix', () => {
    expect(deadLetterTopic('ns.order-events')).toBe('ns.order-events.DLT');
    expect(isDeadLetterTopic('ns.order-events.DLT')).toBe(true);
    expect(isDeadLetterTopic('.DLT')).toBe(false);
    expect(isDeadLetterTopic('order-events')).toBe(false);
    expect(originalTopic(deadLetterTopic('a.b'))).toBe('a.b');
    expect(originalTopic('a.b')).toBeUndefined();
    expect(asDeadLetterTopic('a.b')).toBe('a.b.DLT');
    expect(asDeadLetterTopic('a.b.DLT')).toBe('a.b.DLT');
  });
});

describe('data ownership', () => {
  it('gives every service its own role, schema and api schema, and each table one owner', () => {
    expect(ALL_SERVICE_DATA.map((d) => d.service)).toEqual(Object.values(SERVICES));
    expect(SERVICE_DATA.order).toMatchObject({
      role: 'order_service',
      schema: 'order_service',
      apiSchema: 'order_service_api',
    });
    const names = ALL_SERVICE_DATA.flatMap((d) => [d.schema, d.apiSchema]);
    expect(new Set(names).size).toBe(names.length);
    const tables = ALL_SERVICE_DATA.flatMap((d) => d.tables);
    expect(new Set(tables).size).toBe(tables.length);
  });

  it('publishes views only in api schemas, versioned', () => {
    const apiSchemas = new Set(ALL_SERVICE_DATA.map((d) => d.apiSchema));
    for (const view of Object.values(VIEWS)) {
      const [schema, name] = view.split('.');
      expect(apiSchemas.has(schema ?? '')).toBe(true);
      expect(name).toMatch(/_v\d+$/);
    }
  });
});

describe('consumer groups', () => {
  it('name the topic each service reads', () => {
    expect(consumerGroups()).toEqual([
      { groupId: 'order-service', topics: ['inventory-events'] },
      { groupId: 'inventory-service', topics: ['order-events'] },
      { groupId: 'notification-service', topics: ['order-events'] },
    ]);
    expect(consumerGroup('notification', { orderEvents: 'ns.o', inventoryEvents: 'ns.i' }, 'g')).toEqual({
      groupId: 'g',
      topics: ['ns.o'],
    });
  });
});
