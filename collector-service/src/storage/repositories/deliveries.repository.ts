import { DELIVERY_KIND } from '../../alerts/alert';
import type { DeliveryRecord } from '../../channels/delivery.service';
import type { DocumentBody, DocumentStore } from '../storage.port';

/** A delivery as stored: the alert it delivered, and how it went. */
export type StoredDelivery = DeliveryRecord & { alertId: string };

/** The outcome of each delivery of an alert (one per alert, state and channel: a retry replaces it). */
export interface DeliveriesRepository {
  save(tenant: string, alertId: string, delivery: DeliveryRecord): Promise<void>;
  /** One alert's deliveries. */
  ofAlert(tenant: string, alertId: string): Promise<DeliveryRecord[]>;
  /** Every delivery of the tenant, by alert id. */
  byAlert(tenant: string): Promise<Map<string, DeliveryRecord[]>>;
}

/** The deliveries repository on the store's documents, addressed by alert, state and channel. */
export class DocumentDeliveries implements DeliveriesRepository {
  constructor(private readonly documents: DocumentStore) {}

  save(tenant: string, alertId: string, delivery: DeliveryRecord): Promise<void> {
    const stored: StoredDelivery = { alertId, ...delivery };
    return this.documents.putDocument(DELIVERY_KIND, tenant, `${alertId}.${delivery.state}.${delivery.channelId}`, { ...stored });
  }

  async ofAlert(tenant: string, alertId: string): Promise<DeliveryRecord[]> {
    return (await this.all(tenant)).filter((d) => d.alertId === alertId);
  }

  async byAlert(tenant: string): Promise<Map<string, DeliveryRecord[]>> {
    const byAlert = new Map<string, DeliveryRecord[]>();
    for (const d of await this.all(tenant)) byAlert.set(d.alertId, [...(byAlert.get(d.alertId) ?? []), d]);
    return byAlert;
  }

  private async all(tenant: string): Promise<StoredDelivery[]> {
    return (await this.documents.listDocuments<StoredDelivery & DocumentBody>(DELIVERY_KIND, tenant)).map((e) => e.doc);
  }
}
