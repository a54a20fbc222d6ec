import { basename } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { PriceBookDescription } from '@tokenledger/pricing';
import { CONFIG, type CollectorConfig } from '../config/config';
import { PricingService } from '../pricing/pricing.service';
import { groupedRows } from '../reports/grouped-rows';
import { money } from '../reports/totals';
import type { DimensionFilters, StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import type { ReportRange } from '../reports/report-query';

/** At most this many models are listed (a deployment uses tens). */
export const MAX_MODELS = 200;

/** Which models were used in a range, what they cost, and how the newest call of each was priced. */
@Injectable()
export class ModelsService {
  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    private readonly pricing: PricingService,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  /** `showPaths`: the price files' paths on the server (admins); others see their file names. */
  async models(tenant: string, range: ReportRange, filters: DimensionFilters, showPaths = false) {
    const rows = await groupedRows(this.storage, {
      tenant,
      fromMs: range.fromMs,
      toMs: range.toMs,
      filters,
      groupBy: ['provider', 'model'],
      maxRows: this.config.breakdownMaxValues,
    });
    rows.sort((a, b) => (a.costNanos === b.costNanos ? b.calls - a.calls : a.costNanos < b.costNanos ? 1 : -1));
    const models = await Promise.all(
      rows.slice(0, MAX_MODELS).map(async (row) => {
        const provider = row.key.provider ?? null;
        const model = row.key.model ?? null;
        // The newest record tells the price in force and its source (catalog, supplemental or operator file).
        const latest = (
          await this.storage.listRecords({
            tenant,
            fromMs: range.fromMs,
            toMs: range.toMs,
            filters: { ...filters, ...(provider ? { provider } : {}), ...(model ? { model } : {}) },
            limit: 1,
          })
        ).records[0];
        return {
          provider,
          model,
          ...money(row.costNanos),
          calls: row.calls,
          unpricedCalls: row.unpricedCalls,
          tokens: row.tokens,
          priceSource: latest?.priceSource ?? null,
          unitPrices: latest?.unitPrices ?? null,
          priceBookVersion: latest?.priceBookVersion ?? null,
          unpricedReason: latest?.unpricedReason ?? null,
          priceFileEntry: latest?.unpricedReason === 'fine_tuned_unpriced' && provider && model ? this.pricing.suggestedEntry(provider, model) : null,
        };
      }),
    );
    return {
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
      tz: range.tz,
      priceBook: showPaths ? this.pricing.describe() : withoutPaths(this.pricing.describe()),
      models,
      truncated: rows.length > MAX_MODELS,
    };
  }
}

/** The price book as a viewer sees it: where the server keeps its files is not theirs to know. */
function withoutPaths(book: PriceBookDescription): PriceBookDescription {
  return {
    ...book,
    supplemental: { ...book.supplemental, path: basename(book.supplemental.path) },
    operator: book.operator ? { ...book.operator, path: basename(book.operator.path) } : null,
  };
}
