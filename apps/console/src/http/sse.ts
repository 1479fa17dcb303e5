import type { FastifyReply, FastifyRequest } from 'fastify';

/** One server-sent-events response. */
export interface SseStream {
  readonly closed: boolean;
  /** Aborted when the client goes away or the server stops. */
  readonly signal: AbortSignal;
  send(event: string, data: unknown): void;
  close(): void;
}

/**
 * Open event streams, so the server can end them when it stops (an open stream would otherwise
 * keep `close()` waiting), and cap how many run at once.
 */
export class SseStreams {
  readonly #open = new Set<{ close: () => void }>();
  readonly #max: number;

  constructor(options: { max: number }) {
    this.#max = options.max;
  }

  get count(): number {
    return this.#open.size;
  }

  get full(): boolean {
    return this.#open.size >= this.#max;
  }

  /** Takes over the response: no Fastify serialization after this. */
  open(request: FastifyRequest, reply: FastifyReply): SseStream {
    const controller = new AbortController();
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    raw.write('retry: 3000\n\n');
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
    const entry = {
      close: () => {
        if (controller.signal.aborted) return;
        controller.abort();
        clearInterval(heartbeat);
        this.#open.delete(entry);
        raw.end();
      },
    };
    this.#open.add(entry);
    request.raw.on('close', entry.close);
    return {
      get closed() {
        return controller.signal.aborted;
      },
      signal: controller.signal,
      send: (event, data) => {
        if (controller.signal.aborted) return;
        raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      close: entry.close,
    };
  }

  closeAll(): void {
    for (const entry of [...this.#open]) entry.close();
  }
}
