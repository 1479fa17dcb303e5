import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventJsonSchemas } from './json-schemas.ts';

describe('published JSON Schemas', () => {
  it('match the zod schemas (run `npm run contracts:schemas` after changing an event)', () => {
    for (const [file, text] of Object.entries(eventJsonSchemas())) {
      const committed = readFileSync(new URL(`../schemas/${file}`, import.meta.url), 'utf8');
      expect(committed, file).toBe(text);
    }
  });
});
