import { addRecord, type Sums, zeroSums } from '../storage/rollup-measures';
import { BUCKET_MS } from '../storage/storage.port';
import { canonicalTagSet } from '../storage/tag-sets';
import type { UsageRecord } from '../usage/usage-record';

/** What of a stored record the `stored` listeners read: the fields budgets scope on and metrics label by. */
export type SummaryKey = Pick<UsageRecord, 'tenant' | 'user' | 'agent' | 'model' | 'provider' | 'feature' | 'service' | 'tags' | 'status' | 'costType'>;

/**
 * The records of a batch alike in every SummaryKey field and in their 15-minute bucket, summed. Budget
 * periods start and end on bucket boundaries (see time/periods.ts), so a line lies wholly inside or
 * outside each, as its records do.
 */
export interface SummaryLine extends SummaryKey {
  bucketMs: number;
  sums: Sums;
}

/**
 * A batch's records as its summary lines: what the budget spend cache, alerts and metering read of
 * a stored batch, computed where the batch was priced (an ingest thread) so the event loop neither
 * receives nor walks them one by one for those. Lines of equal keys in one bucket are one line.
 */
export function summarise(records: readonly UsageRecord[]): SummaryLine[] {
  const lines = new Map<string, SummaryLine>();
  for (const r of records) {
    const bucketMs = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    const key = JSON.stringify([r.tenant, bucketMs, r.user, r.agent, r.model, r.provider, r.feature, r.service, canonicalTagSet(r.tags), r.status, r.costType]);
    let line = lines.get(key);
    if (!line) {
      const { tenant, user, agent, model, provider, feature, service, tags, status, costType } = r;
      lines.set(key, (line = { tenant, user, agent, model, provider, feature, service, tags, status, costType, bucketMs, sums: zeroSums() }));
    }
    addRecord(line.sums, r);
  }
  return [...lines.values()];
}
