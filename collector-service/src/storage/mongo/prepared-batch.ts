import { Binary, BSON } from 'mongodb';
import type { UsageRecord } from '../../usage/usage-record';
import { encodeRecord } from '../record-codec';
import { type DayShare, dayShares } from '../sqlite/prepared-batch';
import { type Group, groupRecords, packGroupBytes } from './groups';
import { packTexts, toRecordDoc, unpackRecords } from './record-docs';
import type { SumsRow } from './sums-table';
import { packValueBytes, valueRows } from './value-rows';

/**
 * What an ingest thread prepares for this store from the records it priced, per tenant batch (see
 * tenantBatches), so the event loop neither receives the records (a structured clone of every one),
 * nor encodes them, nor walks them to roll them up: the batch document's packed records, each
 * record's document in BSON, the batch's rollup groups and value rows, packed and as they are kept
 * (PendingItems), the record ids, and what the records add to each tenant's day. The thread sends
 * it without the records; the store decodes them from the packed records only where it needs them
 * one by one (`preparedRecords`: some stored before, or refused by a full day). Handed the records
 * as well, the store uses a tenant's part only when it is handed exactly its records; whichever way,
 * only when the batch owns every one (the usual case): otherwise the records it does own are encoded
 * and summed again.
 */
export interface MongoPreparedBatch {
  store: 'mongo';
  tenants: PreparedTenant[];
  /** How many records the batch was prepared from, a repeated id counted each time (the store counts the repeats as duplicates). */
  count: number;
  /** What the records (each id once) add to each tenant's day when none of them takes anything away, else null (see DayShare). */
  days: DayShare[] | null;
}

export interface PreparedTenant {
  tenant: string;
  /** The batch's record ids, in record order. */
  ids: string[];
  /** packTexts of each record's encodeRecord text, in record order: the batch document's records. */
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
  const batches = tenantBatches(records);
  for (const [tenant, batch] of batches) {
    const texts = batch.map(encodeRecord);
    const groups = groupRecords(batch);
    const values = valueRows(batch);
    tenants.push({
      tenant,
      ids: batch.map((r) => r.id),
      records: tight(packTexts(texts)),
      recordDocs: new Uint8Array(Buffer.concat(batch.map((r, i) => BSON.serialize(toRecordDoc(r, '', texts[i]))))),
      groups,
      values,
      packedGroups: tight(packGroupBytes(groups)),
      packedValues: tight(packValueBytes(values)),
    });
  }
  return { store: 'mongo', tenants, count: records.length, days: dayShares([...batches.values()].flat()) };
}

/** A tenant's records, decoded from its packed records once (see MongoPreparedBatch). */
export function tenantRecords(part: PreparedTenant): UsageRecord[] {
  let records = decoded.get(part);
  if (!records) decoded.set(part, (records = unpackRecords(new Binary(part.records))));
  return records;
}

/** The records of a batch sent without them, each id once, tenant by tenant. */
export const preparedRecords = (prepared: MongoPreparedBatch): UsageRecord[] => prepared.tenants.flatMap(tenantRecords);

const decoded = new WeakMap<PreparedTenant, UsageRecord[]>();

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
