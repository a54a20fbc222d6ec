import { formatUsd } from '@tokenledger/pricing';
import type { DimensionFilters, RecordCorrection, StoragePort } from '../storage/storage.port';
import type { PricingService } from './pricing.service';

export interface RepriceRequest {
  tenant: string;
  fromMs: number;
  toMs: number;
  /** Only these calls (provider and model as stored). */
  filters: Pick<DimensionFilters, 'provider' | 'model'>;
  /** Say what would change, change nothing. */
  dryRun: boolean;
}

/** One model's calls whose cost a re-pricing changes: their cost before and after. */
export interface RepricedModel {
  provider: string;
  model: string;
  /** Calls re-priced (newly priced ones included). */
  calls: number;
  /** Of those, calls that had no price before. */
  newlyPriced: number;
  oldCostNanos: bigint;
  newCostNanos: bigint;
}

export interface RepriceOutcome {
  dryRun: boolean;
  priceBookVersion: string;
  /** Calls read in the range. */
  examined: number;
  models: RepricedModel[];
}

/** Corrections stored at a time: each chunk is one write of the store's exactly-once path. */
const CHUNK = 500;

/**
 * Prices a tenant's stored calls again with the price book in force now. A dry run sums, per model,
 * the cost before and after of every call whose cost would change; applying stores those corrections
 * (see StoragePort.correctRecords) and sums the ones this run applied, so a dry run and the apply
 * after it report the same when nothing else changes the calls in between. A second run finds
 * nothing left to change.
 */
export async function reprice(storage: StoragePort, pricing: PricingService, req: RepriceRequest, nowMs = Date.now()): Promise<RepriceOutcome> {
  const models = new Map<string, RepricedModel>();
  let examined = 0;
  let chunk: RecordCorrection[] = [];
  const count = (corrections: readonly RecordCorrection[]) => {
    for (const { previous, next } of corrections) {
      const key = JSON.stringify([previous.provider, previous.model]);
      let m = models.get(key);
      if (!m) models.set(key, (m = { provider: previous.provider, model: previous.model, calls: 0, newlyPriced: 0, oldCostNanos: 0n, newCostNanos: 0n }));
      m.calls++;
      if (previous.costNanos === null) m.newlyPriced++;
      m.oldCostNanos += previous.costNanos ?? 0n;
      m.newCostNanos += next.costNanos ?? 0n;
    }
  };
  const flush = async () => {
    if (req.dryRun) count(chunk);
    else {
      const applied = new Set(await storage.correctRecords(chunk));
      count(chunk.filter((c) => applied.has(c.next.id)));
    }
    chunk = [];
  };
  for await (const previous of storage.streamRecords({ tenant: req.tenant, fromMs: req.fromMs, toMs: req.toMs, filters: req.filters })) {
    examined++;
    const next = pricing.repriced(previous, nowMs);
    if (next) chunk.push({ previous, next });
    if (chunk.length >= CHUNK) await flush();
  }
  if (chunk.length > 0) await flush();
  const sorted = [...models.values()].sort((a, b) => (a.provider === b.provider ? (a.model < b.model ? -1 : 1) : a.provider < b.provider ? -1 : 1));
  return { dryRun: req.dryRun, priceBookVersion: pricing.book.version, examined, models: sorted };
}

/** The outcome as JSON: money as nanos and as exact USD strings, with the per-model and total difference. */
export function repriceView(o: RepriceOutcome) {
  const money = (oldNanos: bigint, newNanos: bigint) => ({
    oldCostNanos: oldNanos.toString(),
    newCostNanos: newNanos.toString(),
    differenceNanos: (newNanos - oldNanos).toString(),
    oldCostUsd: formatUsd(oldNanos),
    newCostUsd: formatUsd(newNanos),
    differenceUsd: formatUsd(newNanos - oldNanos),
  });
  const total = o.models.reduce(
    (t, m) => ({
      calls: t.calls + m.calls,
      newlyPriced: t.newlyPriced + m.newlyPriced,
      oldCostNanos: t.oldCostNanos + m.oldCostNanos,
      newCostNanos: t.newCostNanos + m.newCostNanos,
    }),
    { calls: 0, newlyPriced: 0, oldCostNanos: 0n, newCostNanos: 0n },
  );
  return {
    dryRun: o.dryRun,
    priceBookVersion: o.priceBookVersion,
    examined: o.examined,
    models: o.models.map((m) => ({
      provider: m.provider,
      model: m.model,
      calls: m.calls,
      newlyPriced: m.newlyPriced,
      ...money(m.oldCostNanos, m.newCostNanos),
    })),
    total: { calls: total.calls, newlyPriced: total.newlyPriced, ...money(total.oldCostNanos, total.newCostNanos) },
  };
}
