// Regenerates packages/contracts/schemas/*.json from the zod event schemas: `npm run contracts:schemas`.
import { writeFileSync } from 'node:fs';
import { eventJsonSchemas } from './json-schemas.ts';

const dir = new URL('../schemas/', import.meta.url);
for (const [file, text] of Object.entries(eventJsonSchemas())) {
  writeFileSync(new URL(file, dir), text);
  console.log(`wrote packages/contracts/schemas/${file}`);
}
