import { createHash } from 'node:crypto';
import type { UsageRecord } from '../../usage/usage-record';
import { BUCKET_MS, ROLLUP_DIMENSIONS, type RollupDimension } from '../storage.port';
import { canonicalTagSet } from '../tag-sets';
import type { Group } from './groups';

// The delta documents of older versions (`rollup_deltas`): one per batch and group, then one per batch,
// tenant and bucket. This version writes them only to finish a batch an older version left open, with
// the ids that version would give them; compaction moves them into the compacted rollups.

/** The sums a rollup group carries, besides its cost. */
const COUNTS = ['calls', 'errorCalls', 'unpricedCalls', 'input', 'output', 'cacheRead', 'cacheWrite', 'reasoning', 'durationMsSum'] as const;
type Count = (typeof COUNTS)[number];

/** One batch's contribution to one rollup group: tenant, 15-minute bucket, dimensions, tag set, sums. */
export type DeltaGroup = { tenant: string; bucket: number; tags?: string | null; costNanos: bigint } & Record<RollupDimension, string | null> & Record<Count, number>;

/** The oldest shape, one document per group, `_id` = batch + group. */
export type GroupDeltaDoc = DeltaGroup & { _id: string; batch: string };

/**
 * One batch's groups of one (tenant, bucket), in one document (or a few, for a batch with very many
 * groups): `_id` = batch + tenant + bucket (+ part), so whoever finished the batch inserted the same ones.
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

/** The groups a delta document of an older version holds (either shape), as compaction and reads use them. */
export function legacyGroups(doc: BucketDeltaDoc | GroupDeltaDoc): Group[] {
  const deltas = 'groups' in doc && Array.isArray(doc.groups) ? unpackBucketDelta(doc as BucketDeltaDoc) : [doc as GroupDeltaDoc];
  return deltas.map((d) => ({
    bucket: Number(d.bucket),
    dims: ROLLUP_DIMENSIONS.map((dim) => d[dim] ?? null),
    tags: d.tags ?? null,
    sums: {
      costNanos: BigInt(d.costNanos),
      calls: Number(d.calls),
      errorCalls: Number(d.errorCalls),
      unpricedCalls: Number(d.unpricedCalls),
      input: Number(d.input),
      output: Number(d.output),
      cacheRead: Number(d.cacheRead),
      cacheWrite: Number(d.cacheWrite),
      reasoning: Number(d.reasoning),
      durationMs: Number(d.durationMsSum),
    },
  }));
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
