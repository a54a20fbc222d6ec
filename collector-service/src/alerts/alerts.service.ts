import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { type Budget, BUDGET_KIND } from '../budgets/budget';
import type { DeliveryRecord } from '../channels/delivery.service';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { ACK_KIND, type Ack, ALERT_KIND, alertView, DELIVERY_KIND, RESOLUTION_KIND, type Resolution, type StoredAlert } from './alert';
import { type AlertListQuery, alertPage } from './alert-page';
import { parseBudgetSubject } from './budget-subject';

type Doc<T> = T & Record<string, unknown>;

export { type AlertListQuery, parseAlertQuery } from './alert-page';

/** A tenant's alert history: each alert with its resolution, acknowledgement and deliveries. */
@Injectable()
export class AlertsService {
  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  /** One page of the history (see alertPage), with the cursor of the next page or null. */
  async list(tenant: string, query: AlertListQuery) {
    const [alerts, resolutions, acks, deliveries, budgets] = await Promise.all([
      this.storage.listDocuments<Doc<StoredAlert>>(ALERT_KIND, tenant),
      this.storage.listDocuments<Doc<Resolution>>(RESOLUTION_KIND, tenant),
      this.storage.listDocuments<Doc<Ack>>(ACK_KIND, tenant),
      this.storage.listDocuments<Doc<DeliveryRecord & { alertId: string }>>(DELIVERY_KIND, tenant),
      this.storage.listDocuments<Doc<Budget>>(BUDGET_KIND, tenant),
    ]);
    const budgetNames = new Map(budgets.map((e) => [e.id, e.doc.name]));
    const resolved = new Map(resolutions.map((e) => [e.id, e.doc]));
    const acked = new Map(acks.map((e) => [e.id, e.doc]));
    const delivered = new Map<string, DeliveryRecord[]>();
    for (const e of deliveries) delivered.set(e.doc.alertId, [...(delivered.get(e.doc.alertId) ?? []), e.doc]);
    const page = alertPage(
      alerts.map((e) => e.doc),
      query,
      (id) => resolved.has(id),
      (id) => acked.get(id)?.ackedAtMs ?? null,
    );
    return { alerts: page.alerts.map((a) => alertView(a, resolved.get(a.id) ?? null, acked.get(a.id) ?? null, delivered.get(a.id) ?? [], (id) => budgetNames.get(id) ?? null)), nextCursor: page.nextCursor };
  }

  async get(tenant: string, id: string) {
    const alert = await this.storage.getDocument<Doc<StoredAlert>>(ALERT_KIND, tenant, id);
    if (!alert) throw new NotFoundException(`no alert with id "${id}"`);
    const budgetId = parseBudgetSubject(alert.subject)?.budgetId;
    const [resolution, ack, deliveries, budget] = await Promise.all([
      this.storage.getDocument<Doc<Resolution>>(RESOLUTION_KIND, tenant, id),
      this.storage.getDocument<Doc<Ack>>(ACK_KIND, tenant, id),
      this.storage.listDocuments<Doc<DeliveryRecord & { alertId: string }>>(DELIVERY_KIND, tenant),
      budgetId === undefined ? null : this.storage.getDocument<Doc<Budget>>(BUDGET_KIND, tenant, budgetId),
    ]);
    return alertView(
      alert,
      resolution,
      ack,
      deliveries.map((e) => e.doc).filter((d) => d.alertId === id),
      () => budget?.name ?? null,
    );
  }

  /** Marks an alert read; acknowledging twice keeps the first time. */
  async ack(tenant: string, id: string, by: string | null, nowMs = Date.now()) {
    if (!(await this.storage.getDocument(ALERT_KIND, tenant, id))) throw new NotFoundException(`no alert with id "${id}"`);
    await this.storage.insertOnce(ACK_KIND, tenant, id, { alertId: id, ackedAtMs: nowMs, by });
    return this.get(tenant, id);
  }
}
