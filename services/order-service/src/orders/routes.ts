import { randomUUID } from 'node:crypto';
import {
  createOrderRequest,
  LIMITS,
  listOrdersQuery,
  orderIdParams,
  orderListResponse,
  orderResponse,
  PRINTABLE_TEXT,
  problemResponse,
} from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import { API_KEY_SECURITY, AppError, type HttpServer, traceparentOf } from '@kafka-poc/service-kit';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { OrderIntake } from './order-intake.ts';
import { getOrder, listOrders } from './order-repository.ts';

const createHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(LIMITS.idempotencyKeyMaxLength)
    .regex(PRINTABLE_TEXT, 'must not contain control characters')
    .optional(),
  'x-correlation-id': z.string().min(1).max(200).optional(),
  traceparent: z.string().max(200).optional(),
});

export interface OrderRoutesDeps {
  db: Database;
  intake: OrderIntake;
  /** Called after an order committed, to wake the relay in this process at once. */
  onOrderCreated: () => void;
}

export function registerOrderRoutes(app: HttpServer, deps: OrderRoutesDeps): void {
  app.post(
    '/orders',
    {
      config: { scope: 'orders:write' },
      schema: {
        security: API_KEY_SECURITY,
        summary: 'Place an order',
        description:
          'Stores the order as PENDING and emits order.created through the outbox. Send an Idempotency-Key ' +
          'header to make retries safe: the same key returns the same order and never creates a second one. ' +
          "Keys are scoped to the API key (its name): two callers never share or see each other's orders.",
        tags: ['orders'],
        body: createOrderRequest,
        headers: createHeaders,
        response: { 201: orderResponse, 422: problemResponse, 503: problemResponse },
      },
    },
    async (request, reply) => {
      const correlationId = request.headers['x-correlation-id'] ?? randomUUID();
      const { order, replayed } = await deps.intake.create({
        input: request.body,
        idempotencyKey: request.headers['idempotency-key'],
        caller: request.principal,
        trace: { correlationId, traceparent: traceparentOf(request.span) ?? request.headers.traceparent },
      });
      if (!replayed) deps.onOrderCreated();
      request.log.debug({ orderId: order.id, correlationId, replayed }, 'order accepted');
      return reply
        .status(201)
        .header('location', `/orders/${order.id}`)
        .header('x-correlation-id', correlationId)
        .header('idempotent-replayed', String(replayed))
        .send(order);
    },
  );

  app.get(
    '/orders/:id',
    {
      config: { scope: 'read' },
      schema: {
        security: API_KEY_SECURITY,
        summary: 'Get one order with its status and rejection reason',
        tags: ['orders'],
        params: orderIdParams,
        response: { 200: orderResponse, 404: problemResponse },
      },
    },
    async (request) => {
      const order = await getOrder(deps.db, request.params.id);
      if (!order) throw new AppError('NOT_FOUND', `order ${request.params.id} not found`);
      return order;
    },
  );

  app.get(
    '/orders',
    {
      config: { scope: 'read' },
      schema: {
        security: API_KEY_SECURITY,
        summary: 'List orders, newest first',
        tags: ['orders'],
        querystring: listOrdersQuery,
        response: { 200: orderListResponse, 422: problemResponse },
      },
    },
    async (request) => {
      const { status, limit, cursor: cursorText } = request.query;
      const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
      if (cursorText !== undefined && !cursor) {
        throw new AppError('VALIDATION_FAILED', 'invalid cursor', {
          fields: [{ field: 'query.cursor', message: 'not a cursor returned by this API' }],
        });
      }
      const page = await listOrders(deps.db, { status, limit, cursor });
      return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );
}
