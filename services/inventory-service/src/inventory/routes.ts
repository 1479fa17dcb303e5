import {
  inventoryItemResponse,
  inventoryListResponse,
  itemParams,
  problemResponse,
  setStockRequest,
} from '@kafka-poc/contracts';
import type { Database } from '@kafka-poc/db';
import { API_KEY_SECURITY, AppError, type HttpServer } from '@kafka-poc/service-kit';
import { getInventoryItem, listInventory, setStock } from './inventory-repository.ts';

export function registerInventoryRoutes(app: HttpServer, deps: { db: Database }): void {
  app.get(
    '/inventory',
    {
      config: { scope: 'read' },
      schema: {
        security: API_KEY_SECURITY,
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
        security: API_KEY_SECURITY,
        summary: 'Stock of one item',
        tags: ['inventory'],
        params: itemParams,
        response: { 200: inventoryItemResponse, 404: problemResponse },
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
        security: API_KEY_SECURITY,
        summary: 'Set the stock of an item (creates it if new)',
        tags: ['inventory'],
        params: itemParams,
        body: setStockRequest,
        response: { 200: inventoryItemResponse, 422: problemResponse },
      },
    },
    async (request) => setStock(deps.db, request.params.item, request.body.stock),
  );
}
