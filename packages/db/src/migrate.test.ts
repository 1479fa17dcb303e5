import type { MigrationMeta } from 'drizzle-orm/migrator';
import { describe, expect, it } from 'vitest';
import { pendingMigrations } from './migrate.ts';

const migration = (folderMillis: number): MigrationMeta => ({
  sql: [`-- ${folderMillis}`],
  folderMillis,
  hash: String(folderMillis),
  bps: true,
});

describe('pendingMigrations', () => {
  it('applies everything on an empty schema, nothing twice', () => {
    const all = [migration(1), migration(2), migration(3)];
    expect(pendingMigrations(all, [])).toEqual(all);
    expect(pendingMigrations(all, [1, 2, 3])).toEqual([]);
  });

  it('still applies one that merged after a newer one was applied, in journal order', () => {
    const all = [migration(1), migration(2), migration(5), migration(3)];
    expect(pendingMigrations(all, [1, 2, 5]).map((m) => m.folderMillis)).toEqual([3]);
  });
});
