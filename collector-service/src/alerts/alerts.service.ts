import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { AlertsRepository, BudgetsRepository, DeliveriesRepository } from '../storage/repositories/repositories';
import { ALERTS, BUDGETS, DELIVERIES } from '../storage/storage.tokens';
import { alertView } from './alert';
import { type AlertListQuery, alertPage } from './alert-page';
import { parseBudgetSubject } from './budget-subject';

export { type AlertListQuery, parseAlertQuery } from './alert-page';

/** A tenant's alert history: each alert with its resolution, acknowledgement and deliveries. */
@Injectable()
export class AlertsService {
  constructor(
    @Inject(ALERTS) private readonly alerts: AlertsRepository,
    @Inject(DELIVERIES) private readonly deliveries: DeliveriesRepository,
    @Inject(BUDGETS) private readonly budgets: BudgetsRepository,
  ) {}

  /** One page of the history (see alertPage), with the cursor of the next page or null. */
  async list(tenant: string, query: AlertListQuery) {
    const [page, budgets] = await Promise.all([alertPage(query, (q) => this.alerts.page(tenant, q)), this.budgets.list(tenant)]);
    const budgetNames = new Map(budgets.map((b) => [b.id, b.name]));
    const delivered = await this.deliveries.ofAlerts(
      tenant,
      page.entries.map((e) => e.alert.id),
    );
    return {
      alerts: page.entries.map((e) => alertView(e.alert, e.resolution, e.ack, delivered.get(e.alert.id) ?? [], (id) => budgetNames.get(id) ?? null)),
      nextCursor: page.nextCursor,
    };
  }

  async get(tenant: string, id: string) {
    const alert = await this.alerts.get(tenant, id);
    if (!alert) throw new NotFoundException(`no alert with id "${id}"`);
    const budgetId = parseBudgetSubject(alert.subject)?.budgetId;
    const [resolution, ack, deliveries, budget] = await Promise.all([
      this.alerts.resolution(tenant, id),
      this.alerts.ack(tenant, id),
      this.deliveries.ofAlert(tenant, id),
      budgetId === undefined ? null : this.budgets.get(tenant, budgetId),
    ]);
    return alertView(alert, resolution, ack, deliveries, () => budget?.name ?? null);
  }

  /** Marks an alert read; acknowledging twice keeps the first time. */
  async ack(tenant: string, id: string, by: string | null, nowMs = Date.now()) {
    if (!(await this.alerts.get(tenant, id))) throw new NotFoundException(`no alert with id "${id}"`);
    await this.alerts.acknowledge(tenant, { alertId: id, ackedAtMs: nowMs, by });
    return this.get(tenant, id);
  }
}
