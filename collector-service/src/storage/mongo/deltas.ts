import { createHash } from 'node:crypto';
import type { UsageRecord } from '../../usage/usage-record';
import { RollupRowSums } from '../rollup-rows';
import { BUCKET_MS, type DimensionFilters, ROLLUP_DIMENSIONS, type RollupDimension, type RollupQuery, type RollupRow } from '../storage.port';
import { canonicalTagSet, type TagFilter, tagSetIncludes } from '../tag-sets';

/** The sums a rollup group carries, besides its cost. */
const COUNTS = ['calls', 'errorCalls', 'unpricedCalls', 'input', 'output', 'cacheRead', 'cacheWrite', 'reasoning', 'durationMsSum'] as const;
type Count = (typeof COUNTS)[number];

/** One batch's contribution to one rollup group: tenant, 15-minute bucket, dimensions, tag set, sums. */
export type DeltaGroup = { tenant: string; bucket: number; tags?: string | null; costNanos: bigint } & Record<RollupDimension, string | null> & Record<Count, number>;

/**
 * The older shape, one document per group, `_id` = batch + group. Stores written before bucket deltas
 * hold these; this version still writes them for the batches an older version opened (see RollupBatches).
 */
export type GroupDeltaDoc = DeltaGroup & { _id: string; batch: string };

/**
 * One batch's groups of one (tenant, bucket), in one document (or a few, for a batch with very many
 * groups): `_id` = batch + tenant + bucket (+ part), so whoever finishes the batch inserts the same ones.
 */
export interface BucketDeltaDoc {
  _id: string;
  batch: string;
  tenant: string;
  bucket: number;
  groups: PackedGroup[];
}

/**
 * A group inside a bucket delta, positional to keep the document small (FerretDB's cost for a
 * document grows with its size): dimension values in ROLLUP_DIMENSIONS order, counts in COUNTS order.
 */
export interface PackedGroup {
  dims: (string | null)[];
  /** canonicalTagSet of the records, null when they have none. */
  tags: string | null;
  /** Int64 in the store (never Decimal128: FerretDB v1 cannot read it back); bigint in the application. */
  costNanos: bigint;
  counts: number[];
}

/** Groups per bucket delta document: far below the 16 MiB document limit however many a batch has. */
const GROUPS_PER_DOC = 2000;

/** The groups of one batch's records, keyed by group. Deterministic: the same records give the same groups in the same order. */
function groupsOf(records: UsageRecord[]): Map<string, DeltaGroup> {
  const groups = new Map<string, DeltaGroup>();
  for (const r of records) {
    const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
    const dims = { provider: r.provider, model: r.model, costType: r.costType, user: r.user, agent: r.agent, feature: r.feature, service: r.service, status: r.status };
    const tags = canonicalTagSet(r.tags);
    // Untagged groups keep the key (and so the group delta's _id) they had before tags were rolled up.
    const key = JSON.stringify([r.tenant, bucket, ...ROLLUP_DIMENSIONS.map((d) => dims[d]), ...(tags === null ? [] : [tags])]);
    let g = groups.get(key);
    if (!g) {
      g = { tenant: r.tenant, bucket, ...dims, tags, costNanos: 0n, calls: 0, errorCalls: 0, unpricedCalls: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, durationMsSum: 0 };
      groups.set(key, g);
    }
    g.calls++;
    if (r.status === 'error') g.errorCalls++;
    if (r.costNanos === null) g.unpricedCalls++;
    else g.costNanos += r.costNanos;
    g.input += r.tokens.input;
    g.output += r.tokens.output;
    g.cacheRead += r.tokens.cacheRead;
    g.cacheWrite += r.tokens.cacheWrite;
    g.reasoning += r.tokens.reasoning;
    g.durationMsSum += r.durationMs;
  }
  return groups;
}

/** The older shape's deltas of one batch's records, one per group, with the ids older versions gave them. */
export function groupDeltasOf(batch: string, records: UsageRecord[]): GroupDeltaDoc[] {
  return [...groupsOf(records)].map(([key, g]) => ({ _id: `${batch}|${sha1(key)}`, batch, ...g }));
}

/** The deltas of one batch's records, one document per (tenant, bucket). Deterministic. */
export function bucketDeltasOf(batch: string, records: UsageRecord[]): BucketDeltaDoc[] {
  const byBucket = new Map<string, { tenant: string; bucket: number; groups: PackedGroup[] }>();
  for (const g of groupsOf(records).values()) {
    const key = JSON.stringify([g.tenant, g.bucket]);
    let b = byBucket.get(key);
    if (!b) byBucket.set(key, (b = { tenant: g.tenant, bucket: g.bucket, groups: [] }));
    b.groups.push({ dims: ROLLUP_DIMENSIONS.map((d) => g[d]), tags: g.tags ?? null, costNanos: g.costNanos, counts: COUNTS.map((c) => g[c]) });
  }
  const docs: BucketDeltaDoc[] = [];
  for (const [key, b] of byBucket) {
    for (let part = 0; part * GROUPS_PER_DOC < b.groups.length; part++) {
      docs.push({ _id: `${batch}|${sha1(key)}|${part}`, batch, tenant: b.tenant, bucket: b.bucket, groups: b.groups.slice(part * GROUPS_PER_DOC, (part + 1) * GROUPS_PER_DOC) });
    }
  }
  return docs;
}

/** The groups a bucket delta document holds, as DeltaGroups. */
export function unpackBucketDelta(doc: BucketDeltaDoc): DeltaGroup[] {
  return doc.groups.map((p) => {
    const g = { tenant: doc.tenant, bucket: Number(doc.bucket), tags: p.tags ?? null, costNanos: BigInt(p.costNanos) } as DeltaGroup;
    ROLLUP_DIMENSIONS.forEach((d, i) => (g[d] = p.dims[i] ?? null));
    COUNTS.forEach((c, i) => (g[c] = Number(p.counts[i] ?? 0)));
    return g;
  });
}

/**
 * Sums delta groups into report rows, exactly (BigInt money), grouped as asked; only the groups whose
 * dimensions match the filters and whose tag set includes the tag filter.
 */
export function sumDeltas(groups: Iterable<DeltaGroup>, groupBy: RollupQuery['groupBy'], filters: DimensionFilters, tags?: TagFilter): RollupRow[] {
  const rows = new RollupRowSums(groupBy);
  const filtered = ROLLUP_DIMENSIONS.filter((d) => filters[d] !== undefined);
  for (const d of groups) {
    if (filtered.some((f) => (d[f] ?? null) !== filters[f])) continue;
    if (!tagSetIncludes(d.tags, tags)) continue;
    const key: RollupRow['key'] = {};
    for (const g of groupBy) {
      if (g === 'bucket') key.bucket = Number(d.bucket);
      else key[g as RollupDimension] = (d[g as RollupDimension] as string | null | undefined) ?? null;
    }
    rows.add(key, d);
  }
  return rows.values();
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
