import type { DeliveryRecord } from '../../channels/delivery.service';

/** A delivery as the versions before stored it: the alert it delivered, and how it went. */
export type StoredDelivery = DeliveryRecord & { alertId: string };

/** The outcome of each delivery of an alert (one per alert, state and channel: a retry replaces it). */
export interface DeliveriesRepository {
  save(tenant: string, alertId: string, delivery: DeliveryRecord): Promise<void>;
  /** One alert's deliveries. */
  ofAlert(tenant: string, alertId: string): Promise<DeliveryRecord[]>;
  /** The deliveries of these alerts (a page of them), by alert id; only theirs are read. */
  ofAlerts(tenant: string, alertIds: readonly string[]): Promise<Map<string, DeliveryRecord[]>>;
}

/** A delivery as the versions before kept it (a document: the record and its alert), or null when the body holds none. */
export function deliveryOfDocument(body: unknown): StoredDelivery | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const d = body as Record<string, unknown>;
  return typeof d.alertId === 'string' && typeof d.state === 'string' && typeof d.channelId === 'string' ? (body as StoredDelivery) : null;
}
