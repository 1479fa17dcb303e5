import { describe, expect, it } from 'vitest';
import { acceptsEventStream } from './order-watch-routes.ts';

describe('acceptsEventStream', () => {
  it('admits no Accept, text/event-stream, text/* and */*', () => {
    for (const accept of [
      undefined,
      '',
      'text/event-stream',
      'text/*',
      '*/*',
      'application/json, */*;q=0.1',
    ]) {
      expect(acceptsEventStream(accept), String(accept)).toBe(true);
    }
  });

  it('refuses other types and ranges with q=0', () => {
    for (const accept of [
      'application/json',
      'text/html',
      'text/event-stream;q=0',
      'application/problem+json',
    ]) {
      expect(acceptsEventStream(accept), accept).toBe(false);
    }
  });
});
