import { randomUUID } from 'node:crypto';
import {
  createOrderHeaders,
  createOrderRequest,
  listOrdersQuery,
  orderIdParams,
  orderListResponse,
  orderResponse,
} from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import { AppError, type HttpServer, problem, respond, traceparentOf } from '@kafka-poc/service-kit';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { OrderIntake } from './order-intake.ts';
import { getOrder, listOrders } from './order-repository.ts';

const text = { schema: { type: 'string' } };

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
        summary: 'Place an order',
        description:
          'Stores the order as PENDING and emits order.created through the outbox. Send an Idempotency-Key ' +
          'header to make retries safe: the same key returns the same order and never creates a second one. ' +
          "Keys are scoped to the API key (its name): two callers never share or see each other's orders.",
        tags: ['orders'],
        body: createOrderRequest,
        headers: createOrderHeaders,
        response: {
          201: respond(orderResponse, {
            description: 'The order, PENDING (or the one this Idempotency-Key created before)',
            headers: {
              location: { description: 'The URL of the order', required: true, ...text },
              'x-correlation-id': {
                description: 'The one sent, or a new one; carried by every event of this order',
                required: true,
                ...text,
              },
              'idempotent-replayed': {
                description: 'true when the Idempotency-Key had already created this order',
                required: true,
                schema: { type: 'string', enum: ['true', 'false'] },
              },
            },
          }),
          409: problem('A request with this Idempotency-Key is still in progress; retry'),
          422: problem('The request is invalid, or the Idempotency-Key was used with another body'),
        },
        links: {
          201: {
            GetOrder: { operationId: 'getOrder', parameters: { id: '$response.body#/id' } },
          },
        },
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
        operationId: 'getOrder',
        summary: 'Get one order with its status and rejection reason',
        tags: ['orders'],
        params: orderIdParams,
        response: { 200: orderResponse, 404: problem('No order with this id') },
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
        summary: 'List orders, newest first',
        tags: ['orders'],
        querystring: listOrdersQuery,
        response: { 200: orderListResponse },
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
