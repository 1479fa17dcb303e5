import {
  itemParams,
  listNotificationsQuery,
  listOrdersQuery,
  orderIdParams,
  setStockRequest,
} from '@kafka-poc/contracts';
import { AppError, type HttpServer } from '@kafka-poc/service-kit';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { FlowStats, Timeline } from '../shared/views.ts';
import { readFlowStats } from './flow-stats.ts';
import { isUndefinedTable, type ReadOnlyDb } from './read-only-db.ts';
import type { ServiceAnswer, ServiceClient } from './service-client.ts';
import { buildTimeline, readTimelineRow } from './timeline.ts';

const ifMatchHeaders = z.looseObject({ 'if-match': z.string().max(200).optional() });

export interface FlowDeps {
  db: ReadOnlyDb;
  services: { order: ServiceClient; inventory: ServiceClient; notification: ServiceClient };
}

/** Order flow page: orders, one order's timeline, stock, notifications, throughput and latency. */
export function registerFlowRoutes(app: HttpServer, deps: FlowDeps): void {
  const { order, inventory, notification } = deps.services;

  app.get(
    '/api/orders',
    { schema: { tags: ['flow'], querystring: listOrdersQuery } },
    async (request, reply) => {
      const { status, limit, cursor } = request.query;
      const query = new URLSearchParams({ limit: String(limit) });
      if (status) query.set('status', status);
      if (cursor) query.set('cursor', cursor);
      return pass(reply, await order.request('GET', `/orders?${query}`));
    },
  );

  app.get(
    '/api/orders/:id/timeline',
    { schema: { tags: ['flow'], params: orderIdParams } },
    async (request): Promise<Timeline> => {
      const row = await sql(() => readTimelineRow(deps.db, request.params.id));
      if (!row) throw new AppError('NOT_FOUND', `order ${request.params.id} not found`);
      return buildTimeline(row);
    },
  );

  app.get('/api/inventory', { schema: { tags: ['flow'] } }, async (_request, reply) =>
    pass(reply, await inventory.request('GET', '/inventory')),
  );

  app.put(
    '/api/inventory/:item',
    {
      config: { write: true },
      schema: { tags: ['flow'], params: itemParams, body: setStockRequest, headers: ifMatchHeaders },
    },
    async (request, reply) => {
      // The page sends the version it showed: a reservation made since then is never overwritten (412).
      const ifMatch = request.headers['if-match'];
      const answer = await inventory.request(
        'PUT',
        `/inventory/${encodeURIComponent(request.params.item)}`,
        request.body,
        // The same request id in inventory-service's audit record as in the console's.
        { 'x-request-id': String(request.id), ...(ifMatch ? { 'if-match': ifMatch } : {}) },
      );
      if (answer.status < 300) {
        request.log.info(
          { item: request.params.item, stock: request.body.stock },
          'stock set from the console',
        );
      }
      return pass(reply, answer);
    },
  );

  app.get(
    '/api/notifications',
    { schema: { tags: ['flow'], querystring: listNotificationsQuery } },
    async (request, reply) => {
      const { orderId, limit } = request.query;
      const query = new URLSearchParams({ limit: String(limit) });
      if (orderId) query.set('orderId', orderId);
      return pass(reply, await notification.request('GET', `/notifications?${query}`));
    },
  );

  app.get(
    '/api/flow/stats',
    { schema: { tags: ['flow'] } },
    async (): Promise<FlowStats> => sql(() => readFlowStats(deps.db, { now: Date.now() })),
  );
}

/** A service's answer, status and body as they are. */
function pass(reply: FastifyReply, answer: ServiceAnswer): FastifyReply {
  return reply.status(answer.status).type(answer.contentType).send(answer.body);
}

async function sql<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (isUndefinedTable(error)) {
      throw new AppError('UNAVAILABLE', 'The services have not published their views yet', {
        cause: error,
        retryable: true,
      });
    }
    throw error;
  }
}
