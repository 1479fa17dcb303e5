import { z } from 'zod';
import { EVENT_SCHEMAS } from './events.ts';

/** JSON Schema (draft 2020-12) text of each event type, keyed by file name. */
export function eventJsonSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries(EVENT_SCHEMAS)) {
    const json = { $id: `https://kafka-poc.local/schemas/${name}.json`, ...z.toJSONSchema(schema) };
    files[`${name}.json`] = `${JSON.stringify(json, null, 2)}\n`;
  }
  return files;
}
