import { randomUUID } from 'node:crypto';
import {
  cancelOrderHeaders,
  cancelOrderRequest,
  createOrderHeaders,
  createOrderRequest,
  listOrdersQuery,
  orderConflictProblem,
  orderIdParams,
  orderListResponse,
  orderResponse,
} from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import {
  AppError,
  type HttpServer,
  PROBLEM_CONTENT_TYPE,
  problem,
  respond,
  traceparentOf,
} from '@kafka-poc/service-kit';
import { cancelWithRetries, problemOf } from './cancel.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { scopedIdempotencyKey } from './idempotency-key.ts';
import type { OrderIntake } from './order-intake.ts';
import { listOrders } from './order-repository.ts';
import { OWNERSHIP_NOTE, visibilityOf } from './visibility.ts';

const text = { schema: { type: 'string' } };

export interface OrderRoutesDeps {
  db: Database;
  intake: OrderIntake;
  orderEventsTopic: string;
  /** Called after an order committed, to wake the relay in this process at once. */
  onOrderCreated: () => void;
  /** Called after a cancel committed (relay wake-up, metrics). */
  onOrderCancelled: () => void;
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
          "Keys are scoped to the API key (its name): two callers never share or see each other's orders. " +
          'The order is owned by the API key that placed it (none without a key).',
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
            CancelOrder: { operationId: 'cancelOrder', parameters: { id: '$response.body#/id' } },
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

  app.post(
    '/orders/:id/cancel',
    {
      config: { scope: 'orders:write' },
      schema: {
        operationId: 'cancelOrder',
        summary: 'Cancel an order',
        description:
          'A PENDING or CONFIRMED order becomes CANCELLED and emits order.cancelled: inventory-service gives ' +
          'back the stock it reserved (exactly once), notification-service stores "Order <id> is CANCELLED". ' +
          'A cancel that races the reservation decision ends the same way: CANCELLED, nothing reserved. An ' +
          'order that is REJECTED, EXPIRED or already CANCELLED answers 409 with its current state, except a ' +
          'retry of the cancel that cancelled it (same Idempotency-Key and API key), which answers 200 again ' +
          '(`idempotent-replayed: true`). The body is optional: `{"reason": "…"}`. ' +
          OWNERSHIP_NOTE,
        tags: ['orders'],
        params: orderIdParams,
        headers: cancelOrderHeaders,
        body: cancelOrderRequest.nullish(),
        response: {
          200: respond(orderResponse, {
            description: 'The order, CANCELLED',
            headers: {
              'idempotent-replayed': {
                description: 'true when this Idempotency-Key had already cancelled the order',
                required: true,
                schema: { type: 'string', enum: ['true', 'false'] },
              },
            },
          }),
          404: problem('No order with this id that this API key may see (nothing is changed)'),
          409: respond(orderConflictProblem, {
            description: 'The order is REJECTED, EXPIRED or already CANCELLED; `order` is its current state',
            contentType: PROBLEM_CONTENT_TYPE,
          }),
        },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const outcome = await cancelWithRetries(deps.db, deps.orderEventsTopic, {
        orderId: request.params.id,
        reason: request.body?.reason,
        clientKey: key === undefined ? undefined : scopedIdempotencyKey(request.principal, key),
        traceparent: traceparentOf(request.span) ?? request.headers.traceparent,
        visibility: visibilityOf(request),
      });
      if (outcome.kind === 'not-found')
        throw new AppError('NOT_FOUND', `order ${request.params.id} not found`);
      if (outcome.kind === 'conflict') {
        return reply.status(409).type('application/problem+json').send(problemOf(outcome.order));
      }
      if (!outcome.replayed) deps.onOrderCancelled();
      request.log.debug({ orderId: outcome.order.id, replayed: outcome.replayed }, 'order cancelled');
      return reply.status(200).header('idempotent-replayed', String(outcome.replayed)).send(outcome.order);
    },
  );

  app.get(
    '/orders',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'List orders, newest first',
        description: `The orders this API key may see, newest first. ${OWNERSHIP_NOTE}`,
        tags: ['orders'],
        querystring: listOrdersQuery,
        response: {
          200: respond(orderListResponse, {
            description:
              'A page of the orders this API key may see (its own, or every order for an admin key)',
          }),
        },
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
      const page = await listOrders(deps.db, visibilityOf(request), { status, limit, cursor });
      return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );
}
