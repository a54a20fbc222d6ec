import type { Collection } from 'mongodb';
import type { DeliveryRecord } from '../../channels/delivery.service';
import { checkAddress } from '../documents';
import type { DeliveriesRepository } from '../repositories/deliveries.repository';
import { insertOnce, upsert } from './inserts';

/** One delivery of an alert: `_id` JSON [tenant, alert id, state, channel id], the record as JSON. */
export interface DeliveryDoc {
  _id: string;
  tenant: string;
  alertId: string;
  body: string;
}

const deliveryId = (tenant: string, alertId: string, delivery: DeliveryRecord) => {
  checkAddress('alert delivery', tenant, alertId);
  return JSON.stringify([tenant, alertId, delivery.state, delivery.channelId]);
};

/** The alerts' deliveries in a collection of their own, read by tenant and alert. */
export class MongoDeliveries implements DeliveriesRepository {
  constructor(private readonly deliveries: Collection<DeliveryDoc>) {}

  async save(tenant: string, alertId: string, delivery: DeliveryRecord): Promise<void> {
    await upsert(this.deliveries, deliveryId(tenant, alertId, delivery), { tenant, alertId, body: JSON.stringify(delivery) });
  }

  /** Stores the delivery unless one of its alert, state and channel is there (written since): what moving an old one does. */
  add(tenant: string, alertId: string, delivery: DeliveryRecord): Promise<boolean> {
    return insertOnce(this.deliveries, { _id: deliveryId(tenant, alertId, delivery), tenant, alertId, body: JSON.stringify(delivery) });
  }

  async ofAlert(tenant: string, alertId: string): Promise<DeliveryRecord[]> {
    return (await this.ofAlerts(tenant, [alertId])).get(alertId)!;
  }

  async ofAlerts(tenant: string, alertIds: readonly string[]): Promise<Map<string, DeliveryRecord[]>> {
    for (const id of alertIds) checkAddress('alert delivery', tenant, id);
    const byAlert = new Map<string, DeliveryRecord[]>(alertIds.map((id) => [id, []]));
    if (alertIds.length === 0) return byAlert;
    const docs = await this.deliveries
      .find({ tenant, alertId: { $in: [...alertIds] } })
      .sort({ _id: 1 })
      .toArray();
    for (const d of docs) byAlert.get(d.alertId)?.push(JSON.parse(d.body) as DeliveryRecord);
    return byAlert;
  }
}
