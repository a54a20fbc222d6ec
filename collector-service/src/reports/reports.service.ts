import { Inject, Injectable } from '@nestjs/common';
import { formatUsd } from '@tokenledger/pricing';
import type { DimensionFilters, RollupDimension, RollupRow, RollupTotals, StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import type { ReportRange } from './report-query';

export const BREAKDOWN_DIMENSIONS: Record<string, RollupDimension> = {
  type: 'costType',
  provider: 'provider',
  model: 'model',
  user: 'user',
  agent: 'agent',
  feature: 'feature',
  service: 'service',
};

const money = (nanos: bigint) => ({ costNanos: nanos.toString(), costUsd: formatUsd(nanos) });

function zero(): RollupTotals {
  return { costNanos: 0n, calls: 0, errorCalls: 0, unpricedCalls: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, durationMsSum: 0 };
}

function add(into: RollupTotals, row: RollupTotals): void {
  into.costNanos += row.costNanos;
  into.calls += row.calls;
  into.errorCalls += row.errorCalls;
  into.unpricedCalls += row.unpricedCalls;
  into.durationMsSum += row.durationMsSum;
  for (const k of Object.keys(into.tokens) as (keyof RollupTotals['tokens'])[]) into.tokens[k] += row.tokens[k];
}

/** Finance reports, from the exact rollups only (never a scan of raw records). */
@Injectable()
export class ReportsService {
  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  async summary(tenant: string, range: ReportRange, filters: DimensionFilters) {
    const total = zero();
    for (const row of await this.storage.aggregate({ tenant, ...range, filters, groupBy: [] })) add(total, row);
    return {
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
      tz: 'UTC',
      totalCostNanos: total.costNanos.toString(),
      totalCostUsd: formatUsd(total.costNanos),
      calls: total.calls,
      successfulCalls: total.calls - total.errorCalls,
      failedCalls: total.errorCalls,
      unpricedCalls: total.unpricedCalls,
      tokens: total.tokens,
      averageLatencyMs: total.calls === 0 ? 0 : Math.round((total.durationMsSum / total.calls) * 1000) / 1000,
    };
  }

  async breakdown(tenant: string, range: ReportRange, filters: DimensionFilters, by: string, limit: number) {
    const dimension = BREAKDOWN_DIMENSIONS[by];
    const rows = await this.storage.aggregate({ tenant, ...range, filters, groupBy: [dimension] });
    rows.sort((a, b) => (a.costNanos === b.costNanos ? b.calls - a.calls : a.costNanos < b.costNanos ? 1 : -1));
    const top = rows.slice(0, limit);
    const rest = zero();
    for (const row of rows.slice(limit)) add(rest, row);
    const total = rows.reduce((sum, r) => sum + r.costNanos, 0n);
    const item = (key: string | null, r: RollupTotals) => ({
      key,
      ...money(r.costNanos),
      calls: r.calls,
      unpricedCalls: r.unpricedCalls,
      tokens: r.tokens,
      // Share in percent, for display; exact amounts are in costNanos.
      sharePercent: total === 0n ? 0 : Number((r.costNanos * 1_000_000n) / total) / 10_000,
    });
    return {
      by,
      items: top.map((r: RollupRow) => item(r.key[dimension] ?? null, r)),
      other: rows.length > limit ? item('other', rest) : null,
      ...money(total),
    };
  }
}
