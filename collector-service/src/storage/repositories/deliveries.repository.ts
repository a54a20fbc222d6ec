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
  /** The deliveries of these alerts (a page of them), by alert id; only theirs are read. */
  ofAlerts(tenant: string, alertIds: readonly string[]): Promise<Map<string, DeliveryRecord[]>>;
}

/** The deliveries repository on the store's documents, addressed by alert, state and channel. */
export class DocumentDeliveries implements DeliveriesRepository {
  constructor(private readonly documents: DocumentStore) {}

  save(tenant: string, alertId: string, delivery: DeliveryRecord): Promise<void> {
    const stored: StoredDelivery = { alertId, ...delivery };
    return this.documents.putDocument(DELIVERY_KIND, tenant, `${alertId}.${delivery.state}.${delivery.channelId}`, { ...stored });
  }

  async ofAlert(tenant: string, alertId: string): Promise<DeliveryRecord[]> {
    // An alert's deliveries are the ids that start with its id and the dot after it.
    return (await this.documents.listDocumentsByPrefix<StoredDelivery & DocumentBody>(DELIVERY_KIND, tenant, `${alertId}.`)).map((e) => e.doc);
  }

  async ofAlerts(tenant: string, alertIds: readonly string[]): Promise<Map<string, DeliveryRecord[]>> {
    return new Map(await Promise.all(alertIds.map(async (id) => [id, await this.ofAlert(tenant, id)] as const)));
  }
}
