import type { KafkaAdmin } from '@kafka-poc/kafka';
import type { ReadOnlyDb } from '../flow/read-only-db.ts';
import type { ServiceClient } from '../flow/service-client.ts';
import type { DependencyCheck, StatusView } from '../shared/views.ts';

/** Readiness of everything the console depends on, for the status strip of the browser app. */
export async function dependencyStatus(
  admin: KafkaAdmin,
  db: ReadOnlyDb,
  services: Record<'order' | 'inventory' | 'notification', ServiceClient>,
  connected: () => boolean,
): Promise<StatusView> {
  const kafka = async (): Promise<DependencyCheck> => {
    if (!connected()) return { ok: false, detail: 'connecting' };
    try {
      const cluster = await admin.describeCluster();
      return { ok: true, detail: `${cluster.brokers.length} broker(s)` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  };
  const database = async (): Promise<DependencyCheck> => {
    try {
      await db.query('SELECT 1');
      return { ok: true, detail: 'reachable' };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  };
  const [k, d, o, i, n] = await Promise.all([
    kafka(),
    database(),
    services.order.ready(),
    services.inventory.ready(),
    services.notification.ready(),
  ]);
  return {
    kafka: k,
    database: d,
    'order-service': o,
    'inventory-service': i,
    'notification-service': n,
  };
}
