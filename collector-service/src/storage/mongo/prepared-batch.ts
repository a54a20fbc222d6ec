import { BSON } from 'mongodb';
import type { UsageRecord } from '../../usage/usage-record';
import { encodeRecord } from '../record-codec';
import { type Group, groupRecords, packGroupBytes } from './groups';
import { packTexts, toRecordDoc } from './record-docs';
import type { SumsRow } from './sums-table';
import { packValueBytes, valueRows } from './value-rows';

/**
 * What an ingest thread prepares for this store from the records it priced, per tenant batch (see
 * tenantBatches), so the event loop neither encodes the records nor walks them to roll them up: each
 * record's record-codec text (the `doc` of its record document), the batch document's packed records,
 * and the batch's rollup groups and value rows, packed and as they are kept (PendingItems). A tenant's
 * part is used only when the store is handed exactly its records and the batch owns every one (the
 * usual case); otherwise the records are encoded and summed again from those the batch does own.
 */
export interface MongoPreparedBatch {
  store: 'mongo';
  tenants: PreparedTenant[];
}

export interface PreparedTenant {
  tenant: string;
  /** The batch's record ids, in record order. */
  ids: string[];
  /** encodeRecord of each record, in record order. */
  texts: string[];
  /** packTexts(texts): the batch document's records. */
  records: Uint8Array;
  /**
   * Each record's document (toRecordDoc) in BSON, one after another, its `batch` and `claim` left for
   * the store's inserter thread to fill in with the id of the batch that stores them (see
   * RecordInserter): the event loop neither builds nor serialises them.
   */
  recordDocs: Uint8Array;
  groups: Group[];
  values: SumsRow[];
  packedGroups: Uint8Array;
  packedValues: Uint8Array;
}

/** A call's records as the batches the store writes: one per tenant, each record once, in the order the records came. */
export const tenantBatches = (records: readonly UsageRecord[]): Map<string, UsageRecord[]> => byTenant(uniqueRecords(records));

/** Each record once: a repeated id keeps its first place and its last value. */
export const uniqueRecords = (records: readonly UsageRecord[]): UsageRecord[] => [...new Map(records.map((r) => [r.id, r])).values()];

export function byTenant(unique: readonly UsageRecord[]): Map<string, UsageRecord[]> {
  const batches = new Map<string, UsageRecord[]>();
  for (const r of unique) {
    let batch = batches.get(r.tenant);
    if (!batch) batches.set(r.tenant, (batch = []));
    batch.push(r);
  }
  return batches;
}

export function prepareMongoBatch(records: readonly UsageRecord[]): MongoPreparedBatch {
  const tenants: PreparedTenant[] = [];
  for (const [tenant, batch] of tenantBatches(records)) {
    const texts = batch.map(encodeRecord);
    const groups = groupRecords(batch);
    const values = valueRows(batch);
    tenants.push({
      tenant,
      ids: batch.map((r) => r.id),
      texts,
      records: tight(packTexts(texts)),
      recordDocs: new Uint8Array(Buffer.concat(batch.map((r, i) => BSON.serialize(toRecordDoc(r, '', texts[i]))))),
      groups,
      values,
      packedGroups: tight(packGroupBytes(groups)),
      packedValues: tight(packValueBytes(values)),
    });
  }
  return { store: 'mongo', tenants };
}

/** The buffers a thread moves rather than copies when it answers with this batch. */
export const transferList = (prepared: MongoPreparedBatch): ArrayBuffer[] =>
  prepared.tenants.flatMap((t) => [t.records.buffer, t.recordDocs.buffer, t.packedGroups.buffer, t.packedValues.buffer] as ArrayBuffer[]);

/** This tenant's part of a prepared batch, when it was prepared from exactly these records. */
export function preparedFor(prepared: MongoPreparedBatch | undefined, tenant: string, records: readonly UsageRecord[]): PreparedTenant | null {
  const found = prepared?.tenants.find((t) => t.tenant === tenant);
  if (!found || found.ids.length !== records.length) return null;
  for (let i = 0; i < records.length; i++) if (found.ids[i] !== records[i].id) return null;
  return found;
}

/** A copy in a buffer of its own (zlib's output may be a view of a larger one), so it can be moved between threads. */
const tight = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);
