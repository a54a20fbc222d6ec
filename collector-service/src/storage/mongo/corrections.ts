import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary, type Collection } from 'mongodb';
import { revisionOf, type UsageRecord } from '../../usage/usage-record';
import { decodeRecord, encodeRecord } from '../record-codec';
import { addRecord, addSums, zeroSums } from '../rollup-measures';
import type { RecordCorrection } from '../storage.port';
import { type BatchDoc, fault, type MongoFaults, packGroups } from './batches';
import { type Group, groupOf } from './groups';
import { insertIgnoringDuplicates } from './inserts';
import { correctionValueRows, packValues } from './value-rows';
import type { RecordDoc } from './record-docs';

/**
 * That one batch corrects one record at one revision: `_id` is the record id and the revision. Never
 * deleted, so no later batch can claim that revision again. `next` is the corrected record.
 */
export interface CorrectionClaimDoc {
  _id: string;
  batch: string;
  tenant: string;
  next: string;
}

const claimId = (c: RecordCorrection) => `${c.previous.id}#${revisionOf(c.previous)}`;

/** The rollup groups of the corrections' differences: next − previous, in the records' own groups. */
export function correctionGroups(corrections: readonly RecordCorrection[]): Group[] {
  const groups = new Map<string, Group>();
  for (const { previous, next } of corrections) {
    const g = groupOf(groups, next);
    const less = zeroSums();
    addRecord(less, previous);
    addSums(g.sums, less, -1);
    addRecord(g.sums, next);
  }
  return [...groups.values()];
}

const packCorrections = (cs: readonly RecordCorrection[]) =>
  new Binary(deflateRawSync(JSON.stringify(cs.map((c) => [encodeRecord(c.previous), encodeRecord(c.next)])), { level: 1 }));
const unpackCorrections = (blob: Binary): RecordCorrection[] =>
  (JSON.parse(inflateRawSync(blob.buffer).toString('utf8')) as [string, string][]).map(([p, n]) => ({ previous: decodeRecord(p), next: decodeRecord(n) }));

/**
 * Re-pricing on mongo, exactly once with nothing but duplicate `_id`s failing, through the path
 * ingest takes into the rollups (a rolled batch that compaction moves):
 *
 * 1. a `correcting` batch document holding the corrections is inserted, so any process can finish it;
 * 2. a claim per record and revision is inserted naming the batch; the batch corrects the records
 *    whose claim names it (a duplicate keeps its first owner; read back, so every process that
 *    finishes the batch finds the same set);
 * 3. the batch is replaced by its groups and value rows of next − previous (`rolled`; replaced, never inserted, so a
 *    late finisher never brings back a batch compaction moved), which compaction then moves;
 * 4. the records it corrects are rewritten.
 *
 * A run first finishes every `correcting` batch of the tenant (a run that stopped between 1 and 3),
 * and rewrites a record whose claim another batch owns when that batch is rolled or moved and the
 * record still shows the revision claimed (a run that stopped between 3 and 4).
 */
export class RecordCorrections {
  constructor(
    private readonly records: Collection<RecordDoc>,
    private readonly batches: Collection<BatchDoc>,
    private readonly claims: Collection<CorrectionClaimDoc>,
    private readonly faults: MongoFaults = {},
  ) {}

  async correct(corrections: RecordCorrection[]): Promise<string[]> {
    const byTenant = new Map<string, RecordCorrection[]>();
    for (const c of corrections) byTenant.set(c.next.tenant, [...(byTenant.get(c.next.tenant) ?? []), c]);
    const corrected: string[] = [];
    for (const [tenant, cs] of byTenant) {
      for (const open of await this.batches.find({ tenant, state: 'correcting' }).toArray())
        await this.finish(open._id, tenant, unpackCorrections(open.corrections!), open.createdAtMs);
      const batch = randomUUID();
      const createdAtMs = Date.now();
      await this.batches.insertOne({ _id: batch, state: 'correcting', tenant, corrections: packCorrections(cs), createdAtMs });
      corrected.push(...(await this.finish(batch, tenant, cs, createdAtMs)));
    }
    return corrected;
  }

  /** Steps 2 to 4; returns the ids of the records the batch corrects. */
  private async finish(batch: string, tenant: string, cs: RecordCorrection[], createdAtMs: number): Promise<string[]> {
    const docs = cs.map((c) => ({ _id: claimId(c), batch, tenant, next: encodeRecord(c.next) }));
    const duplicates = await insertIgnoringDuplicates(this.claims, docs);
    const owned = new Set(docs.filter((d) => !duplicates.has(d._id)).map((d) => d._id));
    const others: CorrectionClaimDoc[] = [];
    for (const _id of duplicates) {
      const claim = await this.claims.findOne({ _id });
      if (claim?.batch === batch) owned.add(_id);
      else if (claim) others.push(claim);
    }
    fault(this.faults, 'afterCorrectionClaims');
    const mine = cs.filter((c) => owned.has(claimId(c)));
    await this.batches.replaceOne(
      { _id: batch },
      { state: 'rolled', tenant, groups: packGroups(correctionGroups(mine)), values: packValues(correctionValueRows(mine)), createdAtMs },
    );
    fault(this.faults, 'afterCorrectionRolled');
    await this.rewrite(mine.map((c) => c.next));
    for (const claim of others) await this.rewriteIfLeft(claim);
    return mine.map((c) => c.next.id);
  }

  private async rewrite(records: UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.records.bulkWrite(
      records.map((r) => ({ updateOne: { filter: { _id: r.id }, update: { $set: { doc: encodeRecord(r) } } } })),
      { ordered: false },
    );
  }

  /** Another batch's claim: its record rewritten if that batch got its groups in and the record still shows the claimed revision. */
  private async rewriteIfLeft(claim: CorrectionClaimDoc): Promise<void> {
    const owner = await this.batches.findOne({ _id: claim.batch }, { projection: { state: 1 } });
    if (owner?.state === 'correcting') return;
    const stored = await this.records.findOne({ _id: claim._id.slice(0, claim._id.lastIndexOf('#')) });
    const next = decodeRecord(claim.next);
    if (stored && revisionOf(decodeRecord(stored.doc)) === revisionOf(next) - 1) await this.rewrite([next]);
  }
}
