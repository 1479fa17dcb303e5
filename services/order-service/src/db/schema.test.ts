import { SERVICE_DATA } from '@kafka-poc/contracts';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as schema from './schema.ts';

describe('order-service data', () => {
  it('declares exactly the tables the data-ownership contract gives it (the database setup adopts those)', () => {
    const tables = Object.values(schema).filter((value) => is(value, PgTable));
    expect(tables.map((t) => getTableConfig(t).name).sort()).toEqual([...SERVICE_DATA.order.tables].sort());
  });
});
