import { Injectable } from '@nestjs/common';
import { BudgetsService } from '../budgets/budgets.service';
import { isoIn } from '../budgets/budget-state';
import type { Digest, DigestBudget, DigestRanking } from '../channels/digest-message';
import { ReportsService } from '../reports/reports.service';
import { money, percentChange } from '../reports/totals';
import type { DigestPeriod } from './digest-period';
import { previousPeriod } from './digest-period';
import type { DigestSubscription } from './digest-subscription';

/** How many models, users and agents a digest names before summing the rest. */
export const DIGEST_TOP = 5;

/** Makes a digest from the same rollups and services the reports and budget status answer from. */
@Injectable()
export class DigestComposer {
  constructor(
    private readonly reports: ReportsService,
    private readonly budgets: BudgetsService,
  ) {}

  async compose(tenant: string, id: string, s: DigestSubscription, period: Pick<DigestPeriod, 'startMs' | 'endMs'>, nowMs: number): Promise<Digest> {
    const zone = s.timezone;
    const before = previousPeriod(s, period);
    const range = { fromMs: period.startMs, toMs: period.endMs, tz: zone };
    const [total, previous, topModels, topUsers, topAgents, budgets] = await Promise.all([
      this.reports.totals(tenant, period.startMs, period.endMs, {}),
      this.reports.totals(tenant, before.startMs, before.endMs, {}),
      this.ranking(tenant, range, 'model'),
      this.ranking(tenant, range, 'user'),
      this.ranking(tenant, range, 'agent'),
      this.budgetLines(tenant, nowMs),
    ]);
    const totalMoney = money(total.costNanos);
    const previousMoney = money(previous.costNanos);
    return {
      id,
      tenant,
      subscriptionId: s.id,
      name: s.name,
      cadence: s.cadence,
      timezone: zone,
      periodStart: isoIn(period.startMs, zone),
      periodEnd: isoIn(period.endMs, zone),
      totalCostNanos: totalMoney.costNanos,
      totalCostUsd: totalMoney.costUsd,
      calls: total.calls,
      unpricedCalls: total.unpricedCalls,
      previous: {
        periodStart: isoIn(before.startMs, zone),
        periodEnd: isoIn(before.endMs, zone),
        totalCostNanos: previousMoney.costNanos,
        totalCostUsd: previousMoney.costUsd,
        calls: previous.calls,
      },
      changeNanos: (total.costNanos - previous.costNanos).toString(),
      changePercent: percentChange(previous.costNanos, total.costNanos),
      topModels,
      topUsers,
      topAgents,
      budgets,
      generatedAt: new Date(nowMs).toISOString(),
    };
  }

  private async ranking(tenant: string, range: { fromMs: number; toMs: number; tz: string }, by: 'model' | 'user' | 'agent'): Promise<DigestRanking> {
    const b = await this.reports.breakdown(tenant, range, {}, by, DIGEST_TOP);
    const line = (l: { costNanos: string; costUsd: string; calls: number }) => ({ costNanos: l.costNanos, costUsd: l.costUsd, calls: l.calls });
    return { items: b.items.map((i) => ({ key: i.key, ...line(i) })), rest: b.other && line(b.other) };
  }

  /** Every budget as it stands at `nowMs`: spend in its current period, projection, and exhaustion if the run rate gets there. */
  private async budgetLines(tenant: string, nowMs: number): Promise<DigestBudget[]> {
    const budgets = await this.budgets.list(tenant);
    return Promise.all(
      budgets.map(async (b) => {
        const st = await this.budgets.status(tenant, b.id, nowMs);
        return {
          id: b.id,
          name: b.name,
          period: b.period,
          periodStart: st.periodStart,
          periodEnd: st.periodEnd,
          limitNanos: st.limitNanos,
          limitUsd: st.limitUsd,
          spentNanos: st.spentNanos,
          spentUsd: st.spentUsd,
          state: st.state,
          projectedNanos: st.projectedNanos,
          projectedUsd: st.projectedUsd,
          exhaustsAt: st.exhaustsAt,
        };
      }),
    );
  }
}
