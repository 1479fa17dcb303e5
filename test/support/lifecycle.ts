import pg from 'pg';
import { request } from './http.ts';

/** Helpers of the lifecycle tests: pausing a consumer on its inbox, reading rows, reading an event stream. */

/**
 * Holds `LOCK TABLE <inbox> IN EXCLUSIVE MODE` on its own connection until released: the group
 * that writes that inbox blocks at its next batch (it waits, then its statement times out and it
 * retries — a transient failure), while HTTP requests of the same service go on. This forces an
 * interleaving: whatever happens meanwhile happens before that consumer applies anything.
 */
export async function pauseConsumer(
  databaseUrl: string,
  inbox: string,
): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${inbox} IN EXCLUSIVE MODE`);
  return {
    release: async () => {
      await client.query('COMMIT').catch(() => undefined);
      await client.end();
    },
  };
}

export async function rows<T extends pg.QueryResultRow>(
  databaseUrl: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a server-sent-events response to its end (the server closes it), events in order. */
export async function readEventStream(url: string, onEvent?: (event: SseEvent) => void): Promise<SseEvent[]> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' } });
  if (response.status !== 200 || !response.body) {
    throw new Error(`event stream answered ${response.status}: ${await response.text()}`);
  }
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      const lines = block.split('\n');
      const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim());
      if (data.length === 0) continue; // comments (heartbeats) and retry hints
      const name =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const event = { event: name, data: JSON.parse(data.join('\n')) };
      events.push(event);
      onEvent?.(event);
    }
  }
  return events;
}

/** POST /orders, expecting 201. */
export async function placeOrder(
  orderUrl: string,
  item: string,
  quantity: number,
): Promise<{ id: string; status: string }> {
  const response = await request('POST', `${orderUrl}/orders`, { item, quantity });
  if (response.status !== 201)
    throw new Error(`POST /orders answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}
