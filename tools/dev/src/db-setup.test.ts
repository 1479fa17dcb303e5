import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@kafka-poc/local-stack';
import { describe, expect, it } from 'vitest';
import { setupScript } from './db-setup.ts';

describe('deploy/postgres/setup.sql', () => {
  it('is the current database setup (regenerate: npm run -s db:setup -- --sql > deploy/postgres/setup.sql)', () => {
    expect(readFileSync(join(repoRoot(), 'deploy/postgres/setup.sql'), 'utf8')).toBe(setupScript());
  });

  it('takes every password from a psql variable', () => {
    expect(setupScript()).toContain(
      `ALTER ROLE "order_service" WITH LOGIN PASSWORD :'order_service_password';`,
    );
    expect(setupScript()).not.toMatch(/PASSWORD '/);
  });
});
