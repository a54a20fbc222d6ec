import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { badField } from '../channels/field-error';
import type { DeliveryRecord } from '../channels/delivery.service';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { ACK_KIND, type Ack, ALERT_KIND, alertView, DELIVERY_KIND, RESOLUTION_KIND, type Resolution, type StoredAlert } from './alert';

type Doc<T> = T & Record<string, unknown>;

export interface AlertListQuery {
  state?: 'firing' | 'resolved';
  unreadOnly: boolean;
  limit: number;
}

export function parseAlertQuery(q: Record<string, unknown>): AlertListQuery {
  const state = q.state;
  if (state !== undefined && state !== 'firing' && state !== 'resolved') throw badField('state', `must be firing or resolved, got "${String(state)}"`);
  const unread = q.unreadOnly;
  if (unread !== undefined && unread !== 'true' && unread !== 'false') throw badField('unreadOnly', `must be true or false, got "${String(unread)}"`);
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badField('limit', `must be a whole number from 1 to 1000, got "${String(q.limit)}"`);
  return { state, unreadOnly: unread === 'true', limit };
}

/** A tenant's alert history: each alert with its resolution, acknowledgement and deliveries. */
@Injectable()
export class AlertsService {
  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  async list(tenant: string, query: AlertListQuery) {
    const [alerts, resolutions, acks, deliveries] = await Promise.all([
      this.storage.listDocuments<Doc<StoredAlert>>(ALERT_KIND, tenant),
      this.storage.listDocuments<Doc<Resolution>>(RESOLUTION_KIND, tenant),
      this.storage.listDocuments<Doc<Ack>>(ACK_KIND, tenant),
      this.storage.listDocuments<Doc<DeliveryRecord & { alertId: string }>>(DELIVERY_KIND, tenant),
    ]);
    const resolved = new Map(resolutions.map((e) => [e.id, e.doc]));
    const acked = new Map(acks.map((e) => [e.id, e.doc]));
    const delivered = new Map<string, DeliveryRecord[]>();
    for (const e of deliveries) delivered.set(e.doc.alertId, [...(delivered.get(e.doc.alertId) ?? []), e.doc]);
    const views = alerts
      .map((e) => e.doc)
      .filter((a) => !query.state || (query.state === 'resolved') === resolved.has(a.id))
      .filter((a) => !query.unreadOnly || !acked.has(a.id))
      .sort((a, b) => b.firedAtMs - a.firedAtMs || a.id.localeCompare(b.id))
      .slice(0, query.limit)
      .map((a) => alertView(a, resolved.get(a.id) ?? null, acked.get(a.id) ?? null, delivered.get(a.id) ?? []));
    return { alerts: views };
  }

  async get(tenant: string, id: string) {
    const alert = await this.storage.getDocument<Doc<StoredAlert>>(ALERT_KIND, tenant, id);
    if (!alert) throw new NotFoundException(`no alert with id "${id}"`);
    const [resolution, ack, deliveries] = await Promise.all([
      this.storage.getDocument<Doc<Resolution>>(RESOLUTION_KIND, tenant, id),
      this.storage.getDocument<Doc<Ack>>(ACK_KIND, tenant, id),
      this.storage.listDocuments<Doc<DeliveryRecord & { alertId: string }>>(DELIVERY_KIND, tenant),
    ]);
    return alertView(alert, resolution, ack, deliveries.map((e) => e.doc).filter((d) => d.alertId === id));
  }

  /** Marks an alert read; acknowledging twice keeps the first time. */
  async ack(tenant: string, id: string, by: string | null, nowMs = Date.now()) {
    if (!(await this.storage.getDocument(ALERT_KIND, tenant, id))) throw new NotFoundException(`no alert with id "${id}"`);
    await this.storage.insertOnce(ACK_KIND, tenant, id, { alertId: id, ackedAtMs: nowMs, by });
    return this.get(tenant, id);
  }
}
