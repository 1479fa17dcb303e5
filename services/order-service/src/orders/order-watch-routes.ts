import { fastifySSE } from '@fastify/sse';
import {
  getOrderQuery,
  MAX_ORDER_WAIT_MS,
  type OrderResponse,
  orderIdParams,
  orderResponse,
  TERMINAL_ORDER_STATUSES,
} from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import { AppError, type HttpServer, PROBLEM_CONTENT_TYPE, problem, respond } from '@kafka-poc/service-kit';
import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { getOrder } from './order-repository.ts';
import type { OrderStatusWatch } from './order-status-watch.ts';
import { type OrderVisibility, OWNERSHIP_NOTE, visibilityOf } from './visibility.ts';

export interface OrderWatchRoutesDeps {
  db: Database;
  watch: OrderStatusWatch;
  /** An event stream of an order that stays CONFIRMED (it may still be cancelled) ends after this. */
  streamMaxMs: number;
  /** SSE comment lines this often, so proxies keep an idle stream open. */
  heartbeatMs?: number;
}

/**
 * One server-sent event of the stream, as SSE readers (and the OpenAPI tester) see it: its name and
 * its data, JSON text — the order (`order`), or `{reason, status}` (`end`).
 */
const orderStreamEvent = z.looseObject({
  event: z.enum(['order', 'end']),
  data: z.string(),
});

const isTerminal = (order: OrderResponse) => TERMINAL_ORDER_STATUSES.includes(order.status);
const isDecided = (order: OrderResponse) => order.status !== 'PENDING';

/**
 * `GET /orders/:id` (with `?wait=` for a decision) and `GET /orders/:id/events` (server-sent
 * events). Both watch the order through OrderStatusWatch: no polling per client. Requests still
 * waiting when the server stops are answered with the order as it is, streams are ended.
 */
export async function registerOrderWatchRoutes(app: HttpServer, deps: OrderWatchRoutesDeps): Promise<void> {
  await app.register(fastifySSE, { heartbeatInterval: deps.heartbeatMs ?? 15_000 });
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());

  app.get(
    '/orders/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getOrder',
        summary: 'Get one order; with ?wait=30s, wait until it is decided (at most 60 s)',
        description:
          'Without `wait`, answers at once. With `wait` (`500ms`, `30s`, `1m`, or seconds), answers as soon as ' +
          'the order is decided (any status but PENDING) or when the wait ends, with the order as it is then ' +
          '(still PENDING after a wait that ended). A decided order answers at once. ' +
          OWNERSHIP_NOTE,
        tags: ['orders'],
        params: orderIdParams,
        querystring: getOrderQuery,
        response: {
          200: orderResponse,
          404: problem('No order with this id that this API key may see (also after a wait)'),
        },
      },
    },
    async (request) => {
      const waitMs = request.query.wait === undefined ? 0 : parseWait(request.query.wait);
      const { id } = request.params;
      const visibility = visibilityOf(request);
      if (waitMs === 0) return found(id, await getOrder(deps.db, id, visibility));
      return found(
        id,
        await waitForDecision(deps, id, visibility, waitMs, [closing.signal, abortedWith(request.raw)]),
      );
    },
  );

  app.get(
    '/orders/:id/events',
    {
      // 'manual': the route negotiates Accept itself, so a refusal is a declared problem (406).
      sse: { kind: 'manual', heartbeat: true },
      config: { scope: 'read' },
      schema: {
        operationId: 'streamOrderEvents',
        summary: 'Stream the status changes of an order (server-sent events)',
        description:
          'An `order` event with the order as it is now, then one per status change. The stream ends with an ' +
          '`end` event once no change is possible (REJECTED, CANCELLED, EXPIRED), or after ' +
          'ORDER_EVENTS_MAX_DURATION (default 5 min) for an order that stays PENDING or CONFIRMED, or when ' +
          'the server stops. Comment lines keep an idle stream open. ' +
          OWNERSHIP_NOTE,
        tags: ['orders'],
        params: orderIdParams,
        response: {
          200: respond(orderStreamEvent, {
            description: 'Server-sent events: `order` (the order), then `end` ({reason, status})',
            contentType: 'text/event-stream',
          }),
          404: problem('No order with this id that this API key may see'),
          406: problem('The Accept header refuses text/event-stream'),
        },
      },
    },
    async (request, reply) => {
      if (!acceptsEventStream(request.headers.accept)) {
        return reply.status(406).type(PROBLEM_CONTENT_TYPE).send({
          type: 'https://kafka-poc.local/problems/not-acceptable',
          title: 'Not Acceptable',
          status: 406,
          code: 'NOT_ACCEPTABLE',
          detail: 'this operation answers text/event-stream only',
        });
      }
      const { id } = request.params;
      const stream = new OrderStream(deps, id, visibilityOf(request), (event, data) =>
        reply.sse.send({ event, data }),
      );
      const first = await stream.open();
      if (!first) throw new AppError('NOT_FOUND', `order ${id} not found`);
      reply.sse.keepAlive();
      const timer = setTimeout(() => void stream.end('timeout'), deps.streamMaxMs);
      const onClosing = () => void stream.end('shutdown');
      closing.signal.addEventListener('abort', onClosing);
      reply.sse.onClose(() => stream.close());
      void stream.closed.then(() => {
        clearTimeout(timer);
        closing.signal.removeEventListener('abort', onClosing);
        reply.sse.close();
      });
    },
  );
}

/**
 * Whether an Accept header admits text/event-stream (RFC 9110 §12.5.1): no header, or a range
 * text/event-stream, text (any subtype) or any type, whose q is not 0.
 */
export function acceptsEventStream(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) return false;
    return type === 'text/event-stream' || type === 'text/*' || type === '*/*';
  });
}

function parseWait(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms > MAX_ORDER_WAIT_MS) {
    throw new AppError('VALIDATION_FAILED', `wait must be at most ${MAX_ORDER_WAIT_MS / 1000}s`, {
      fields: [{ field: 'querystring.wait', message: `at most ${MAX_ORDER_WAIT_MS / 1000}s (e.g. 30s)` }],
    });
  }
  return ms;
}

function found(id: string, order: OrderResponse | undefined): OrderResponse {
  if (!order) throw new AppError('NOT_FOUND', `order ${id} not found`);
  return order;
}

/** A signal aborted when the client goes away. */
function abortedWith(raw: import('node:http').IncomingMessage): AbortSignal {
  const controller = new AbortController();
  raw.once('close', () => controller.abort());
  return controller.signal;
}

/**
 * Subscribes first, then reads the row once (a change committed in between still wakes it), then
 * waits for a decided status, the end of the wait, the client leaving or the server stopping. At
 * the end of a wait that saw no decision, the row is read once more: the answer is never staler
 * than the wait, even if a wake-up was lost while the listener reconnected.
 */
async function waitForDecision(
  deps: OrderWatchRoutesDeps,
  id: string,
  visibility: OrderVisibility,
  waitMs: number,
  signals: AbortSignal[],
): Promise<OrderResponse | undefined> {
  const done = AbortSignal.any([...signals, AbortSignal.timeout(waitMs)]);
  let resolveDecided: (order: OrderResponse) => void = () => undefined;
  const decided = new Promise<OrderResponse>((resolve) => {
    resolveDecided = resolve;
  });
  const unsubscribe = deps.watch.subscribe(id, (order) => {
    if (isDecided(order)) resolveDecided(order);
  });
  try {
    // Only an order the caller may see is waited for (its owner never changes, so neither do the
    // wake-ups' rows); another owner's order ends here, as a missing one.
    const now = await getOrder(deps.db, id, visibility);
    if (!now || isDecided(now)) return now;
    const ended = new Promise<undefined>((resolve) => {
      if (done.aborted) resolve(undefined);
      done.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    return (await Promise.race([decided, ended])) ?? (await getOrder(deps.db, id, visibility));
  } finally {
    unsubscribe();
  }
}

type EndReason = 'final' | 'timeout' | 'shutdown';

/** One event stream: sends the order when its status changes, ends at a terminal status. */
class OrderStream {
  readonly #deps: OrderWatchRoutesDeps;
  readonly #id: string;
  readonly #visibility: OrderVisibility;
  readonly #send: (event: 'order' | 'end', data: unknown) => Promise<void>;
  #unsubscribe: () => void = () => undefined;
  #last: OrderResponse | undefined;
  #ended = false;
  /** Until open() has read the order as the caller may see it, wake-ups are held here, not sent. */
  #opened = false;
  #early: OrderResponse | undefined;
  #resolveClosed: () => void = () => undefined;
  readonly closed = new Promise<void>((resolve) => {
    this.#resolveClosed = resolve;
  });
  #sending: Promise<void> = Promise.resolve();

  constructor(
    deps: OrderWatchRoutesDeps,
    id: string,
    visibility: OrderVisibility,
    send: (event: 'order' | 'end', data: unknown) => Promise<void>,
  ) {
    this.#deps = deps;
    this.#id = id;
    this.#visibility = visibility;
    this.#send = send;
  }

  /**
   * Subscribes, reads the order and sends it; undefined (nothing sent, unsubscribed) if there is no
   * such order the caller may see. A wake-up that comes before that read is held: sent after it
   * (when newer), never for an order the caller may not see.
   */
  async open(): Promise<OrderResponse | undefined> {
    this.#unsubscribe = this.#deps.watch.subscribe(this.#id, (order) => {
      if (this.#opened) this.#changed(order);
      else this.#early = order;
    });
    const order = await getOrder(this.#deps.db, this.#id, this.#visibility).catch((error: unknown) => {
      this.close();
      throw error;
    });
    if (!order) {
      this.close();
      return undefined;
    }
    this.#opened = true;
    this.#changed(order);
    const early = this.#early;
    this.#early = undefined;
    if (early && Date.parse(early.updatedAt) > Date.parse(order.updatedAt)) this.#changed(early);
    return order;
  }

  #changed(order: OrderResponse): void {
    if (this.#ended) return;
    if (this.#last && this.#last.status === order.status && this.#last.updatedAt === order.updatedAt) return;
    this.#last = order;
    this.#queue('order', order);
    if (isTerminal(order)) void this.end('final');
  }

  async end(reason: EndReason): Promise<void> {
    if (this.#ended) return;
    this.#queue('end', { reason, status: this.#last?.status ?? null });
    this.#ended = true;
    await this.#sending;
    this.close();
  }

  close(): void {
    this.#ended = true;
    this.#unsubscribe();
    this.#resolveClosed();
  }

  /** Events go out one after the other, in the order of the changes. */
  #queue(event: 'order' | 'end', data: unknown): void {
    this.#sending = this.#sending.then(() => this.#send(event, data)).catch(() => this.close());
  }
}
