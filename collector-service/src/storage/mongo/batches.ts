import { randomUUID } from 'node:crypto';
import { Binary, type Collection } from 'mongodb';
import type { UsageRecord } from '../../usage/usage-record';
import { assertFoldable } from '../sqlite/rollup-writer';
import type { IngestOutcome } from '../storage.port';
import { type Group, groupRecords, packGroupBytes, rowGroup } from './groups';
import { insertIgnoringDuplicates } from './inserts';
import type { PendingItems } from './pending';
import { type ClaimLinkDoc, storedBy } from './record-claims';
import { byTenant, type MongoPreparedBatch, type PreparedTenant, preparedFor, tenantRecords, uniqueRecords } from './prepared-batch';
import { ownersOf, packRecords, type RecordDoc, toRecordDoc, unpackRecords } from './record-docs';
import type { RecordInserter } from './record-inserter';
import { unpackRows } from './sums-table';
import { packValues, valueRows } from './value-rows';

/**
 * A batch of one tenant's records on its way into the rollups:
 * - `pending`: inserted first, holding the batch's records, so any process can finish it;
 * - `rolled`: its records are stored and `groups` (and `values`) hold the rollup groups (and value
 *   rows) of those it owns; compaction moves them into the compacted rollups and deletes the document.
 * - `correcting`: a re-pricing's corrections, on their way to `rolled` (see RecordCorrections).
 */
export interface BatchDoc {
  _id: string;
  /** 'superseded': not a batch, the mark of a head published (see PendingItems.markPublished). */
  state: 'pending' | 'rolled' | 'correcting' | 'superseded';
  tenant: string;
  /** Of a mark: the head it marks. */
  k?: number;
  records?: Binary;
  /** Set on every pending batch this version writes: its records hold claims (record-claims.ts). A pending batch without it was written before, and is finished by reading its records' owners. */
  recordClaims?: true;
  corrections?: Binary;
  groups?: Binary;
  /** With `groups`: the value rollups' rows (value-rows.ts) of the same records. Absent on a batch rolled before those existed. */
  values?: Binary;
  createdAtMs: number;
}

/**
 * A batch of one tenant this process rolled up: its id, the head of the tenant's chain this process
 * knew before it asked for the roll (-1: none), and when the roll was answered (performance.now()).
 * What a read compares to say whether it holds the batch (see RollupReader.aggregateHeld).
 */
export interface RolledPart {
  id: string;
  headK: number;
  rolledAtMs: number;
}

/** Where an ingest's batches stand, by tenant (see IngestOutcome.written). */
export type MongoWritten = ReadonlyMap<string, RolledPart>;

/** Marks a batch some process other than its writer started to finish (written before that process stores any of its records). */
export interface TakeoverDoc {
  _id: string;
  atMs: number;
}

/** Test-only fault injection: throw after a step, to prove a retry after a crash ends exact. */
export interface MongoFaults {
  afterOpen?: boolean;
  afterInsert?: boolean;
  afterClaim?: boolean;
  afterDeltas?: boolean;
  /** Compaction: its journal is written, none of its documents yet. */
  afterJournal?: boolean;
  /** Re-pricing: a correcting batch's claims are inserted, its groups not yet written. */
  afterCorrectionClaims?: boolean;
  /** Re-pricing: its groups are written (rolled), the records not yet rewritten. */
  afterCorrectionRolled?: boolean;
  /** Compaction: its documents are written, its head not yet published. */
  beforeHead?: boolean;
  /** Compaction: its head is published, nothing it replaced is deleted yet. */
  afterHead?: boolean;
  /** Compaction: the batches it moved are deleted, the documents it replaced are not. */
  afterDelete?: boolean;
  /** Compaction: the documents it replaced are deleted too, the heads before it not yet collected. */
  afterReplaced?: boolean;
}

export function fault(faults: MongoFaults, step: keyof MongoFaults): void {
  if (faults[step]) throw new Error(`injected fault ${step}`);
}

export const packGroups = (groups: readonly Group[]): Binary => new Binary(packGroupBytes(groups));
export const unpackGroups = (blob: Binary): Group[] => unpackRows(blob).map(rowGroup);

/**
 * Stores batches of records and rolls each record up exactly once, relying only on duplicate `_id`s
 * failing (no transactions, no atomic updates: FerretDB v1 has neither):
 *
 * 1. the batch document is inserted (`pending`), holding the batch's records;
 * 2. the records are inserted with `_id` = trace id + span id and `batch` = this batch. An insert that
 *    succeeds makes the batch the record's owner, for good; a duplicate keeps its first owner;
 * 3. the groups of the records the batch owns replace its records in the batch document (`rolled`).
 *    The ingest is acknowledged after that; compaction does the rest (see Compactor).
 *
 * Any process may finish a pending batch, from its document, at any time: a sender's retry that
 * meets records the batch owns, a start-up, a compaction that finds it stale. Such a takeover first
 * inserts a marker, then the records, then asks which duplicates the batch stored (by inserts, see
 * record-claims.ts: reading them would read all of `usage_records` on FerretDB), so every process
 * computes the same owned set and the same groups. The writer asks only when the marker says another
 * process took its batch over: records it could not insert belong to other batches, whose documents
 * it finishes before it acknowledges. Step 3 replaces, never inserts, so a process that finishes
 * late never brings a compacted batch back. A batch is three writes and one read of the marker.
 */
export class RollupBatches {
  constructor(
    private readonly records: Collection<RecordDoc>,
    /** The same collection as `records`: the claim ladders' links live beside the records, under the same unique indexes. */
    private readonly links: Collection<ClaimLinkDoc>,
    private readonly batches: Collection<BatchDoc>,
    private readonly takeovers: Collection<TakeoverDoc>,
    /** Told of each batch this process rolls up, so reads need not fetch and decode its groups. */
    private readonly pending: PendingItems,
    private readonly faults: MongoFaults = {},
    /** Writes the record documents an ingest thread encoded, off the event loop (none: this process encodes and inserts them). */
    private readonly inserter: RecordInserter | null = null,
    /** The head of a tenant's chain this process knows (see HeadChain.known), -1 for none. */
    private readonly knownHead: (tenant: string) => number = () => -1,
  ) {}

  /** `prepared`: what an ingest thread made of these records' batches (see MongoPreparedBatch). */
  async ingest(records: UsageRecord[], prepared?: MongoPreparedBatch): Promise<IngestOutcome> {
    if (records.length === 0) return { stored: [], duplicates: 0 };
    const unique = uniqueRecords(records);
    // A record the rollups could not add fails its whole batch now, before anything is stored.
    for (const r of unique) assertFoldable(r);
    const batches = [...byTenant(unique)];
    const parts = await Promise.all(
      batches.map(([tenant, rs]) =>
        this.store(
          tenant,
          rs.map((r) => r.id),
          () => rs,
          preparedFor(prepared, tenant, rs),
        ),
      ),
    );
    const owned = new Set(parts.flatMap((p) => [...p.owned]));
    return {
      stored: unique.filter((r) => owned.has(r.id)),
      duplicates: records.length - owned.size,
      ...writtenOf(
        batches.map(([tenant]) => tenant),
        parts,
      ),
    };
  }

  /**
   * A batch an ingest thread prepared and sent without its records (its records checked foldable
   * there): the ids each tenant's batch owns. The records are decoded only where a batch does not own
   * every one of them (see tenantRecords).
   */
  async ingestPrepared(prepared: MongoPreparedBatch): Promise<{ owned: Set<string>[]; written?: MongoWritten }> {
    const parts = await Promise.all(prepared.tenants.map((part) => this.store(part.tenant, part.ids, () => tenantRecords(part), part)));
    return {
      owned: parts.map((p) => p.owned),
      ...writtenOf(
        prepared.tenants.map((t) => t.tenant),
        parts,
      ),
    };
  }

  /** Pending batches (of one tenant, or of all) whose writer has not rolled them since `beforeMs`. */
  stale(tenant: string | null, beforeMs: number): Promise<BatchDoc[]> {
    return this.batches.find({ state: 'pending', ...(tenant === null ? {} : { tenant }), createdAtMs: { $lt: beforeMs } }).toArray();
  }

  /** Finishes a pending batch its writer did not (crashed, or stalled). */
  async takeOver(doc: BatchDoc): Promise<void> {
    const records = unpackRecords(doc.records!);
    await this.finish(
      doc._id,
      doc.tenant,
      records.map((r) => r.id),
      () => records,
      doc.createdAtMs,
      true,
      doc.recordClaims === true,
    );
  }

  /** `ids`: the records' ids, in the order `records` gives them (a function: a prepared batch's records are decoded only if needed). */
  private async store(tenant: string, ids: readonly string[], records: () => readonly UsageRecord[], prepared: PreparedTenant | null): Promise<Finished> {
    const batch = randomUUID();
    const createdAtMs = Date.now();
    const packed = prepared ? new Binary(prepared.records) : packRecords(records());
    await this.batches.insertOne({ _id: batch, state: 'pending', tenant, records: packed, recordClaims: true, createdAtMs });
    fault(this.faults, 'afterOpen');
    return this.finish(batch, tenant, ids, records, createdAtMs, false, true, prepared);
  }

  /** Steps 2 and 3; see the class comment for why any process computes the same. Returns the ids of the records the batch owns, and where the batch stands. */
  private async finish(
    batch: string,
    tenant: string,
    ids: readonly string[],
    records: () => readonly UsageRecord[],
    createdAtMs: number,
    takingOver: boolean,
    claims: boolean,
    prepared: PreparedTenant | null = null,
  ): Promise<Finished> {
    if (takingOver) await insertIgnoringDuplicates(this.takeovers, [{ _id: batch, atMs: Date.now() }]);
    // Documents an ingest thread encoded go to the inserter thread; others are built and inserted here.
    const duplicates =
      prepared && this.inserter
        ? await this.inserter.insert(batch, prepared.recordDocs)
        : await insertIgnoringDuplicates(
            this.records,
            records().map((r) => toRecordDoc(r, batch)),
          );
    fault(this.faults, 'afterInsert');
    const owned = new Set(ids.filter((id) => !duplicates.has(id)));
    const shared = duplicates.size > 0 && (takingOver || (await this.takeovers.findOne({ _id: batch })) !== null);
    if (shared) await this.addOwned(owned, batch, duplicates, claims);
    if (duplicates.size > 0 && !takingOver) await this.finishOwnersOf(new Set([...duplicates].filter((id) => !owned.has(id))), batch);
    fault(this.faults, 'afterClaim');
    // The groups of the records the batch owns: those prepared when it owns every one.
    const whole = prepared !== null && owned.size === ids.length;
    const mine = whole ? [] : records().filter((r) => owned.has(r.id));
    const groups = whole ? prepared.groups : groupRecords(mine);
    const values = whole ? prepared.values : valueRows(mine);
    const headK = this.knownHead(tenant);
    const rolled = await this.batches.replaceOne(
      { _id: batch },
      {
        state: 'rolled',
        tenant,
        groups: whole ? new Binary(prepared.packedGroups) : packGroups(groups),
        values: whole ? new Binary(prepared.packedValues) : packValues(values),
        createdAtMs,
      },
    );
    const rolledAtMs = performance.now();
    if (rolled.matchedCount === 1) this.pending.remember(tenant, { id: batch, groups, values });
    // Gone: another process rolled the batch up and compaction moved it; its marker may be gone too,
    // so what this writer owns is asked again (the groups that count are the ones compaction moved).
    if (rolled.matchedCount === 0 && duplicates.size > 0 && !shared) await this.addOwned(owned, batch, duplicates, claims);
    fault(this.faults, 'afterDeltas');
    return { owned, part: { id: batch, headK, rolledAtMs } };
  }

  private async addOwned(owned: Set<string>, batch: string, duplicates: ReadonlySet<string>, claims: boolean): Promise<void> {
    if (claims) for (const id of await storedBy(this.links, batch, [...duplicates])) owned.add(id);
    else for (const [id, owner] of await ownersOf(this.records, [...duplicates])) if (owner === batch) owned.add(id);
  }

  /**
   * Before an acknowledgement: every batch that may own one of these records and is still open is
   * finished, so the records are counted whichever batch owns them. Open batches are few; this
   * reads their documents rather than each record's owner.
   */
  private async finishOwnersOf(ids: ReadonlySet<string>, self: string): Promise<void> {
    if (ids.size === 0) return;
    const open = await this.batches.find({ _id: { $ne: self }, state: 'pending' }).toArray();
    for (const doc of open) if (unpackRecords(doc.records!).some((r) => ids.has(r.id))) await this.takeOver(doc);
  }
}

/** A batch finished: the ids of the records it owns, and where it stands. */
interface Finished {
  owned: Set<string>;
  part: RolledPart;
}

/** An ingest's batches that own records, by tenant (`tenants[i]` is the tenant of `parts[i]`), as an outcome's `written`; none when none does. */
function writtenOf(tenants: readonly string[], parts: readonly Finished[]): { written?: MongoWritten } {
  const written = new Map(tenants.flatMap((tenant, i) => (parts[i].owned.size > 0 ? [[tenant, parts[i].part] as const] : [])));
  return written.size > 0 ? { written } : {};
}
