import { createHash } from 'node:crypto';
import type { UsageRecord } from '../../usage/usage-record';
import { BUCKET_MS, ROLLUP_DIMENSIONS, type RollupDimension, type RollupQuery, type RollupRow } from '../storage.port';
import { canonicalTagSet, type TagFilter, tagSetIncludes } from '../tag-sets';

/** One batch's contribution to one rollup group: immutable, identified by batch + group. */
export interface DeltaDoc {
  _id: string;
  batch: string;
  tenant: string;
  bucket: number;
  provider: string;
  model: string;
  costType: string;
  user: string | null;
  agent: string | null;
  feature: string | null;
  service: string;
  status: string;
  /** The records' tag set (canonicalTagSet), null when they have none. Absent on deltas written before tags were rolled up. */
  tags?: string | null;
  /** Int64 in the store; bigint in the application. */
  costNanos: bigint;
  calls: number;
  errorCalls: number;
  unpricedCalls: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  durationMsSum: number;
}

/** The deltas of one batch's records, one per (tenant, 15-minute bucket, dimensions). Deterministic. */
export function deltasOf(batch: string, records: UsageRecord[]): DeltaDoc[] {
  const groups = new Map<string, DeltaDoc>();
  for (const r of records) {
    const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    const dims = { provider: r.provider, model: r.model, costType: r.costType, user: r.user, agent: r.agent, feature: r.feature, service: r.service, status: r.status };
    const tags = canonicalTagSet(r.tags);
    // Untagged groups keep the key (and so the _id) they had before tags were rolled up.
    const key = JSON.stringify([r.tenant, bucket, ...ROLLUP_DIMENSIONS.map((d) => dims[d]), ...(tags === null ? [] : [tags])]);
    let d = groups.get(key);
    if (!d) {
      d = { _id: `${batch}|${createHash('sha1').update(key).digest('hex')}`, batch, tenant: r.tenant, bucket, ...dims, tags, costNanos: 0n, calls: 0, errorCalls: 0, unpricedCalls: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, durationMsSum: 0 };
      groups.set(key, d);
    }
    d.calls++;
    if (r.status === 'error') d.errorCalls++;
    if (r.costNanos === null) d.unpricedCalls++;
    else d.costNanos += r.costNanos;
    d.input += r.tokens.input;
    d.output += r.tokens.output;
    d.cacheRead += r.tokens.cacheRead;
    d.cacheWrite += r.tokens.cacheWrite;
    d.reasoning += r.tokens.reasoning;
    d.durationMsSum += r.durationMs;
  }
  return [...groups.values()];
}

/** Sums deltas into report rows, exactly (BigInt money), grouped as asked; with a tag filter, only deltas whose tag set includes it. */
export function sumDeltas(docs: DeltaDoc[], groupBy: RollupQuery['groupBy'], tags?: TagFilter): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const d of docs) {
    if (!tagSetIncludes(d.tags, tags)) continue;
    const key: RollupRow['key'] = {};
    for (const g of groupBy) {
      if (g === 'bucket') key.bucket = Number(d.bucket);
      else key[g as RollupDimension] = (d[g as RollupDimension] as string | null | undefined) ?? null;
    }
    const id = JSON.stringify(groupBy.map((g) => (key as Record<string, unknown>)[g]));
    let row = rows.get(id);
    if (!row) {
      row = { key, costNanos: 0n, calls: 0, errorCalls: 0, unpricedCalls: 0, tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, durationMsSum: 0 };
      rows.set(id, row);
    }
    row.costNanos += BigInt(d.costNanos);
    row.calls += Number(d.calls);
    row.errorCalls += Number(d.errorCalls);
    row.unpricedCalls += Number(d.unpricedCalls);
    row.tokens.input += Number(d.input);
    row.tokens.output += Number(d.output);
    row.tokens.cacheRead += Number(d.cacheRead);
    row.tokens.cacheWrite += Number(d.cacheWrite);
    row.tokens.reasoning += Number(d.reasoning);
    row.durationMsSum += Number(d.durationMsSum);
  }
  return [...rows.values()];
}
