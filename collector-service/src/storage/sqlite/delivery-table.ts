import type { DatabaseSync } from 'node:sqlite';
import type { DeliveryRecord } from '../../channels/delivery.service';
import { checkAddress } from '../documents';
import type { DeliveriesRepository } from '../repositories/deliveries.repository';

/** The alerts' deliveries in their table (schema migration 22): one row per alert, state and channel. */
export class SqliteDeliveries implements DeliveriesRepository {
  constructor(
    private readonly db: DatabaseSync,
    /** Resolves when what was committed survives a power loss. */
    private readonly durable: () => Promise<void>,
  ) {}

  async save(tenant: string, alertId: string, delivery: DeliveryRecord): Promise<void> {
    checkAddress('alert delivery', tenant, alertId);
    this.db
      .prepare(
        `INSERT INTO alert_deliveries (tenant, alert_id, state, channel_id, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, alert_id, state, channel_id) DO UPDATE SET body = excluded.body`,
      )
      .run(tenant, alertId, delivery.state, delivery.channelId, JSON.stringify(delivery));
    await this.durable();
  }

  async ofAlert(tenant: string, alertId: string): Promise<DeliveryRecord[]> {
    checkAddress('alert delivery', tenant, alertId);
    const rows = this.db
      .prepare('SELECT body FROM alert_deliveries WHERE tenant = ? AND alert_id = ? ORDER BY state, channel_id')
      .all(tenant, alertId) as Array<{
      body: string;
    }>;
    return rows.map((r) => JSON.parse(r.body) as DeliveryRecord);
  }

  async ofAlerts(tenant: string, alertIds: readonly string[]): Promise<Map<string, DeliveryRecord[]>> {
    return new Map(await Promise.all(alertIds.map(async (id) => [id, await this.ofAlert(tenant, id)] as const)));
  }
}
