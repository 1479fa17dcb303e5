import {
  inventoryItemResponse,
  inventoryListResponse,
  itemParams,
  setStockRequest,
} from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import { AppError, type HttpServer, problem } from '@kafka-poc/service-kit';
import { getInventoryItem, listInventory, setStock } from './inventory-repository.ts';

export function registerInventoryRoutes(app: HttpServer, deps: { db: Database }): void {
  app.get(
    '/inventory',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Stock of every item',
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
        summary: 'Stock of one item',
        tags: ['inventory'],
        params: itemParams,
        response: { 200: inventoryItemResponse, 404: problem('No item with this name') },
      },
    },
    async (request) => {
      const item = await getInventoryItem(deps.db, request.params.item);
      if (!item) throw new AppError('NOT_FOUND', `item "${request.params.item}" not found`);
      return item;
    },
  );

  app.put(
    '/inventory/:item',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Set the stock of an item (creates it if new)',
        tags: ['inventory'],
        params: itemParams,
        body: setStockRequest,
        response: { 200: inventoryItemResponse },
      },
    },
    async (request) => setStock(deps.db, request.params.item, request.body.stock),
  );
}
