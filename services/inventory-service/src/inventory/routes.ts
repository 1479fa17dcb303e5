import {
  adjustmentHeaders,
  adjustmentRequest,
  adjustmentResponse,
  type InventoryItemResponse,
  inventoryConflictProblem,
  inventoryItemResponse,
  inventoryListResponse,
  itemParams,
  LIMITS,
  listMovementsQuery,
  movementListResponse,
  scopedIdempotencyKey,
  setStockHeaders,
  setStockRequest,
} from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import {
  AppError,
  type HeaderSpec,
  type HttpServer,
  PROBLEM_CONTENT_TYPE,
  problem,
  problemBody,
  respond,
} from '@kafka-poc/service-kit';
import type { FastifyReply } from 'fastify';
import { etagOf, parseIfMatch } from './etag.ts';
import {
  adjustStock,
  getInventoryItem,
  listInventory,
  listMovements,
  setStock,
} from './inventory-repository.ts';

export interface InventoryRoutesDeps {
  db: Database;
  /** Called after a change of stock on hand through the API committed (metrics). */
  onStockChanged?: (kind: 'adjustment' | 'set' | 'opening') => void;
}

const ETAG: Record<string, HeaderSpec> = {
  etag: {
    description: "The item's version (send it as If-Match to write only if nothing changed since)",
    required: true,
    schema: { type: 'string' },
  },
};

export function registerInventoryRoutes(app: HttpServer, deps: InventoryRoutesDeps): void {
  app.get(
    '/inventory',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Stock of every item: on hand, reserved, available',
        tags: ['inventory'],
        response: { 200: inventoryListResponse },
      },
    },
    async () => ({ items: await listInventory(deps.db) }),
  );

  app.get(
    '/inventory/:item',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Stock of one item: on hand, reserved, available; its version as ETag',
        tags: ['inventory'],
        params: itemParams,
        response: {
          200: respond(inventoryItemResponse, { description: 'The item', headers: ETAG }),
          404: problem('No item with this name'),
        },
      },
    },
    async (request, reply) => {
      const item = await getInventoryItem(deps.db, request.params.item);
      if (!item) throw new AppError('NOT_FOUND', `item "${request.params.item}" not found`);
      return reply.header('etag', etagOf(item)).send(item);
    },
  );

  app.put(
    '/inventory/:item',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Set the available stock of an item (creates it if new)',
        description:
          'On hand becomes `stock` + reserved, so reservations are never overwritten; recorded as a `set` ' +
          'movement. Send `If-Match` with the ETag of a GET to write only if nothing changed the item since ' +
          '(else 412 with its current state); without If-Match the write is unconditional, as before. ' +
          'To add or remove units, prefer POST /inventory/:item/adjustments.',
        tags: ['inventory'],
        params: itemParams,
        headers: setStockHeaders,
        body: setStockRequest,
        response: {
          200: respond(inventoryItemResponse, { description: 'The item as written', headers: ETAG }),
          412: respond(inventoryConflictProblem, {
            description:
              'If-Match did not match: the item changed since (or does not exist); `item` is its state',
            contentType: PROBLEM_CONTENT_TYPE,
          }),
        },
      },
    },
    async (request, reply) => {
      const ifMatch = parseIfMatch(request.headers['if-match']);
      const outcome = await setStock(deps.db, request.params.item, request.body.stock, ifMatch);
      if (outcome.kind === 'precondition-failed') {
        return conflict(
          reply,
          412,
          'PRECONDITION_FAILED',
          'Precondition Failed',
          outcome.current,
          request.params.item,
        );
      }
      deps.onStockChanged?.(outcome.created ? 'opening' : 'set');
      return reply.header('etag', etagOf(outcome.item)).send(outcome.item);
    },
  );

  app.post(
    '/inventory/:item/adjustments',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Add or remove units on hand, with a reason (audit trail)',
        description:
          '`{"delta": 20, "reason": "restock"}`. Refused (409, with the item) when it would leave less on hand ' +
          'than is reserved. Send an Idempotency-Key to make a retry safe: the same key returns the first ' +
          'adjustment (`idempotent-replayed: true`), 422 with another body.',
        tags: ['inventory'],
        params: itemParams,
        headers: adjustmentHeaders,
        body: adjustmentRequest,
        response: {
          201: respond(adjustmentResponse, {
            description:
              'The item after the adjustment and the movement recorded (or the first one, on a retry)',
            headers: {
              ...ETAG,
              'idempotent-replayed': {
                description: 'true when this Idempotency-Key had already made this adjustment',
                required: true,
                schema: { type: 'string', enum: ['true', 'false'] },
              },
            },
          }),
          404: problem('No item with this name'),
          409: respond(inventoryConflictProblem, {
            description:
              'On hand would fall below what is reserved (BELOW_RESERVED) or rise above 1000000000 (ABOVE_MAXIMUM); `item` is its current state',
            contentType: PROBLEM_CONTENT_TYPE,
          }),
          422: problem('The request is invalid, or the Idempotency-Key was used with another adjustment'),
        },
      },
    },
    async (request, reply) => {
      const { item } = request.params;
      const key = request.headers['idempotency-key'];
      const outcome = await adjustStock(
        deps.db,
        item,
        request.body,
        key === undefined ? null : scopedIdempotencyKey(request.principal, key),
      );
      switch (outcome.kind) {
        case 'not-found':
          throw new AppError('NOT_FOUND', `item "${item}" not found`);
        case 'key-reused':
          throw new AppError(
            'IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key was already used with a different adjustment',
            {
              fields: [{ field: 'Idempotency-Key', message: 'already used with a different request body' }],
            },
          );
        case 'below-reserved':
          return conflict(reply, 409, 'BELOW_RESERVED', 'Conflict', outcome.current, item);
        case 'above-maximum':
          return conflict(reply, 409, 'ABOVE_MAXIMUM', 'Conflict', outcome.current, item);
        case 'adjusted':
          if (!outcome.replayed) deps.onStockChanged?.('adjustment');
          return reply
            .status(201)
            .header('etag', etagOf(outcome.item))
            .header('idempotent-replayed', String(outcome.replayed))
            .send({ item: outcome.item, movement: outcome.movement });
      }
    },
  );

  app.get(
    '/inventory/:item/movements',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Stock movements of an item, newest first (the audit trail)',
        description:
          'Every change with the levels after it: `opening` (first stock), `adjustment`, `set` (PUT), ' +
          '`reservation` and `release` (with the order and the event that caused them).',
        tags: ['inventory'],
        params: itemParams,
        querystring: listMovementsQuery,
        response: { 200: movementListResponse, 404: problem('No item with this name') },
      },
    },
    async (request) => {
      const { item } = request.params;
      if (!(await getInventoryItem(deps.db, item)))
        throw new AppError('NOT_FOUND', `item "${item}" not found`);
      return listMovements(deps.db, item, request.query);
    },
  );
}

function conflict(
  reply: FastifyReply,
  status: 409 | 412,
  code: string,
  title: string,
  current: InventoryItemResponse | undefined,
  item: string,
): FastifyReply {
  const detail =
    status === 412
      ? current
        ? `item "${item}" changed since that version: it is at version ${current.version}`
        : `item "${item}" does not exist`
      : code === 'ABOVE_MAXIMUM'
        ? `on hand cannot exceed ${LIMITS.stockMax}`
        : `on hand cannot go below what is reserved (${current?.reserved ?? 0})`;
  return reply
    .status(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...problemBody(status, code, title, detail), ...(current ? { item: current } : {}) });
}
