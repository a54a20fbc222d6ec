import { Inject, Injectable } from '@nestjs/common';
import { formatUsd } from '@tokenledger/pricing';
import { CONFIG, type CollectorConfig } from '../config/config';
import { groupedRows } from '../reports/grouped-rows';
import type { RollupRow, StoragePort } from '../storage/storage.port';
import type { BilledDaysRepository } from '../storage/repositories/repositories';
import { BILLED_DAYS, STORAGE } from '../storage/storage.tokens';
import { BILLED_PROVIDERS, type BilledDay, type BilledProvider, type Day, DAY_MS, dayOf, dayStartMs } from './billed-day';

/** Tracked figures of one model on one UTC day. */
interface Tracked {
  costNanos: bigint;
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

/** One provider's UTC day: what tokenledger tracked and what the provider billed. */
export interface ReconciledDay {
  date: Day;
  provider: BilledProvider;
  /** Whether the provider's bill for the day has been imported (else the billed figures are null). */
  billImported: boolean;
  tracked: Tracked & { models: Map<string, Tracked> };
  billed: BilledDay | null;
}

/** Percent and thresholds are compared exactly, as integers scaled by this. */
const SCALE = 10_000n;

const zeroTracked = (): Tracked => ({ costNanos: 0n, calls: 0, inputTokens: 0, outputTokens: 0 });
const usd = (nanos: bigint | null) => (nanos === null ? null : formatUsd(nanos));

/** billed − tracked, in percent of tracked (2 decimals, for display); null when nothing was tracked or billed figures are missing. */
export function differencePercent(trackedNanos: bigint, billedNanos: bigint | null): number | null {
  if (billedNanos === null || trackedNanos === 0n) return null;
  return Number(((billedNanos - trackedNanos) * 1_000_000n) / trackedNanos) / 10_000;
}

const scaledPercent = (percent: number) => BigInt(Math.round(percent * Number(SCALE)));

/** The difference `percent` % of tracked allows, rounded down to the nano (for messages; drifts decides exactly). */
export const allowedDifference = (trackedNanos: bigint, percent: number): bigint => (trackedNanos * scaledPercent(percent)) / (100n * SCALE);

/**
 * Whether billed and tracked differ by more than `percent` % of tracked (and by more than `floorNanos`),
 * decided in integers. A day with a bill but nothing tracked drifts whenever it billed more than the floor.
 */
export function drifts(trackedNanos: bigint, billedNanos: bigint, percent: number, floorNanos: bigint): boolean {
  const difference = billedNanos - trackedNanos;
  const magnitude = difference < 0n ? -difference : difference;
  if (magnitude <= floorNanos) return false;
  if (trackedNanos === 0n) return true;
  return magnitude * 100n * SCALE > scaledPercent(percent) * trackedNanos;
}

/**
 * Compares, UTC day by UTC day (as the providers bucket their bills, whatever time zone a report
 * uses), what tokenledger tracked from the exact rollups with what each provider billed, as imported
 * by BillSyncService. Money stays exact: tracked from the rollups' integer nanos, billed converted to
 * nanos without floats when it was imported.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    @Inject(BILLED_DAYS) private readonly billedDays: BilledDaysRepository,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  /** Every UTC day in [fromMs, toMs) with tracked calls or an imported bill, per provider, oldest first. */
  async days(tenant: string, fromMs: number, toMs: number, provider: BilledProvider | null, byModel: boolean): Promise<ReconciledDay[]> {
    const providers = provider ? [provider] : [...BILLED_PROVIDERS];
    const [bills, rows] = await Promise.all([
      this.billedDays.list(tenant),
      // UTC days are whole days of 15-minute buckets: the rollups answer them exactly. At most
      // TOKENLEDGER_BREAKDOWN_MAX_VALUES rows, as every grouped report: a range holding more is a 400
      // naming `from`, never a heap that grows with the models of the history.
      groupedRows(this.storage, {
        tenant,
        fromMs,
        toMs,
        filters: provider ? { provider } : {},
        groupBy: byModel ? ['bucket', 'provider', 'model'] : ['bucket', 'provider'],
        maxRows: this.config.breakdownMaxValues,
      }),
    ]);
    const days = new Map<string, ReconciledDay>();
    const dayFor = (p: BilledProvider, date: Day) => {
      const key = `${p}\u0000${date}`;
      let d = days.get(key);
      if (!d) days.set(key, (d = { date, provider: p, billImported: false, tracked: { ...zeroTracked(), models: new Map() }, billed: null }));
      return d;
    };
    for (const doc of bills) {
      const start = dayStartMs(doc.day);
      if (!providers.includes(doc.provider) || start < fromMs || start >= toMs) continue;
      const d = dayFor(doc.provider, doc.day);
      d.billImported = true;
      d.billed = doc;
    }
    for (const row of rows) addTracked(row, providers, dayFor, byModel);
    return [...days.values()].sort((a, b) => (a.date === b.date ? (a.provider < b.provider ? -1 : 1) : a.date < b.date ? -1 : 1));
  }

  /** The report GET /v1/reports/reconciliation answers. */
  async report(tenant: string, fromMs: number, toMs: number, provider: BilledProvider | null) {
    const days = await this.days(tenant, fromMs, toMs, provider, true);
    const untrackedDays = [];
    const untrackedModels = [];
    const totals = new Map<BilledProvider, { tracked: bigint; billed: bigint; days: number }>();
    for (const d of days) {
      if (!d.billed) continue;
      const billed = BigInt(d.billed.costNanos);
      const t = totals.get(d.provider) ?? { tracked: 0n, billed: 0n, days: 0 };
      totals.set(d.provider, { tracked: t.tracked + d.tracked.costNanos, billed: t.billed + billed, days: t.days + 1 });
      if (d.tracked.calls === 0 && billed !== 0n)
        untrackedDays.push({ date: d.date, provider: d.provider, billedCostNanos: billed.toString(), billedCostUsd: usd(billed) });
      for (const m of modelsOf(d)) if (!m.tracked && m.billed) untrackedModels.push({ date: d.date, provider: d.provider, ...m });
    }
    return {
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      tz: 'UTC',
      days: days.map((d) => {
        const billed = d.billed ? BigInt(d.billed.costNanos) : null;
        const difference = billed === null ? null : billed - d.tracked.costNanos;
        return {
          date: d.date,
          provider: d.provider,
          billImported: d.billImported,
          trackedCalls: d.tracked.calls,
          trackedCostNanos: d.tracked.costNanos.toString(),
          trackedCostUsd: usd(d.tracked.costNanos),
          billedCostNanos: billed?.toString() ?? null,
          billedCostUsd: usd(billed),
          differenceNanos: difference?.toString() ?? null,
          differenceUsd: usd(difference),
          differencePercent: differencePercent(d.tracked.costNanos, billed),
          billPulledAt: d.billed ? new Date(d.billed.pulledAtMs).toISOString() : null,
          models: modelsOf(d),
        };
      }),
      totals: [...totals].map(([p, t]) => ({
        provider: p,
        billedDays: t.days,
        trackedCostNanos: t.tracked.toString(),
        trackedCostUsd: usd(t.tracked),
        billedCostNanos: t.billed.toString(),
        billedCostUsd: usd(t.billed),
        differenceNanos: (t.billed - t.tracked).toString(),
        differenceUsd: usd(t.billed - t.tracked),
        differencePercent: differencePercent(t.tracked, t.billed),
      })),
      untracked: { days: untrackedDays, models: untrackedModels },
    };
  }
}

function addTracked(row: RollupRow, providers: BilledProvider[], dayFor: (p: BilledProvider, date: Day) => ReconciledDay, byModel: boolean): void {
  const provider = row.key.provider as BilledProvider;
  if (!providers.includes(provider)) return;
  const d = dayFor(provider, dayOf(Math.floor(row.key.bucket! / DAY_MS) * DAY_MS));
  const add = (t: Tracked) => {
    t.costNanos += row.costNanos;
    t.calls += row.calls;
    t.inputTokens += row.tokens.input;
    t.outputTokens += row.tokens.output;
  };
  add(d.tracked);
  if (!byModel) return;
  const model = row.key.model ?? '(none)';
  let m = d.tracked.models.get(model);
  if (!m) d.tracked.models.set(model, (m = zeroTracked()));
  add(m);
}

/** Per model: tracked and billed tokens side by side (billed null where the provider's usage report does not name the model). */
function modelsOf(d: ReconciledDay) {
  const billedUsage = new Map((d.billed?.usage ?? []).map((u) => [u.model, u]));
  const billedCost = new Map<string, bigint>();
  for (const l of d.billed?.lines ?? []) if (l.model !== null) billedCost.set(l.model, (billedCost.get(l.model) ?? 0n) + BigInt(l.costNanos));
  const models = new Set([...d.tracked.models.keys(), ...billedUsage.keys(), ...billedCost.keys()]);
  return [...models].sort().map((model) => {
    const t = d.tracked.models.get(model) ?? zeroTracked();
    const u = billedUsage.get(model);
    const cost = billedCost.get(model) ?? null;
    return {
      model,
      tracked: d.tracked.models.has(model),
      billed: u !== undefined || cost !== null,
      trackedCalls: t.calls,
      trackedCostNanos: t.costNanos.toString(),
      trackedCostUsd: usd(t.costNanos),
      billedCostNanos: cost?.toString() ?? null,
      billedCostUsd: usd(cost),
      trackedInputTokens: t.inputTokens,
      billedInputTokens: u?.inputTokens ?? null,
      trackedOutputTokens: t.outputTokens,
      billedOutputTokens: u?.outputTokens ?? null,
    };
  });
}
