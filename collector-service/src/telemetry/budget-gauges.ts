import type { Meter } from '@opentelemetry/api';
import { METRIC_TOKENLEDGER_BUDGET_LIMIT_USD, METRIC_TOKENLEDGER_BUDGET_SPEND_RATIO } from '@tokenledger/semconv';
import type { BudgetsService } from '../budgets/budgets.service';
import { LABEL } from './metric-labels';

const NANOS_PER_USD = 1e9;

/**
 * One gauge pair per budget, read at scrape time from the budgets' exact status (the rollups), so
 * Prometheus sees what the budget API says. A budget is labelled by its name, id and tenant; only the
 * budgets of the tenants `showsTenant` allows are.
 */
export function observeBudgets(meter: Meter, budgets: BudgetsService, showsTenant: (tenant: string) => boolean): void {
  const ratio = meter.createObservableGauge(METRIC_TOKENLEDGER_BUDGET_SPEND_RATIO, {
    unit: '1',
    description: "A budget's spend in its current period divided by its limit (for per-user budgets, its highest-spending user's)",
  });
  const limit = meter.createObservableGauge(METRIC_TOKENLEDGER_BUDGET_LIMIT_USD, { unit: 'USD', description: "A budget's limit per period" });
  meter.addBatchObservableCallback(
    async (result) => {
      for (const { tenant, budget } of await budgets.everyTenant()) {
        if (!showsTenant(tenant)) continue;
        const labels = { [LABEL.BUDGET]: budget.name, budget_id: budget.id, tenant };
        const status = await budgets.status(tenant, budget.id);
        result.observe(ratio, status.ratio, labels);
        result.observe(limit, Number(BigInt(budget.limitNanos)) / NANOS_PER_USD, labels);
      }
    },
    [ratio, limit],
  );
}
