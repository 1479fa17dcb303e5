import { SERVICE_DATA } from '@kafka-poc/contracts';
import { describe, expect, it } from 'vitest';
import { findForeignTables } from './check-data-ownership.ts';

const owners = [SERVICE_DATA.order, SERVICE_DATA.inventory];

describe('findForeignTables', () => {
  it("finds SQL naming another service's table, qualified or not", () => {
    const text = [
      "await db.query('SELECT id FROM orders WHERE id = $1');",
      'const q = `DELETE FROM "order_service"."order_outbox"`;',
      "client.query('UPDATE inventory_service.inventory SET stock = 0');",
      '  LEFT JOIN reservations r ON r.order_id = o.id',
    ].join('\n');
    expect(findForeignTables('tools/x/src/a.ts', text, owners).map((f) => `${f.line}:${f.table}`)).toEqual([
      '1:orders',
      '2:order_outbox',
      '3:inventory',
      '4:reservations',
    ]);
  });

  it('accepts published views, comments, other words and the owner itself', () => {
    const text = [
      "await db.query('SELECT id FROM order_service_api.orders_v1');",
      '// reads from orders no more',
      "log('a message from inventory-service');",
      "const x = 'inventory_outbox_notify';",
    ].join('\n');
    expect(findForeignTables('apps/console/src/a.ts', text, owners)).toEqual([]);
    expect(findForeignTables('services/order-service/src/a.ts', 'SELECT * FROM orders', owners)).toEqual([]);
  });
});
