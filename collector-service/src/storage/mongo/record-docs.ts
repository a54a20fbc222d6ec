import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary, type Collection } from 'mongodb';
import type { UsageRecord } from '../../usage/usage-record';
import { decodeRecord, encodeRecord } from '../record-codec';
import { recordClaim } from './record-claims';

export interface RecordDoc {
  _id: string;
  /** The batch whose insert stored the record first: the one batch that counts it. */
  batch: string;
  /** recordClaim(batch, id), unique: lets a batch ask by an insert whether it stored the record (see record-claims.ts). Records stored before it existed lack it. */
  claim?: string;
  tenant: string;
  timeMs: number;
  provider: string;
  model: string;
  costType: string;
  user: string | null;
  agent: string | null;
  feature: string | null;
  service: string;
  status: string;
  doc: string;
}

/** `text`: encodeRecord(r), when an ingest thread made it already (see prepared-batch.ts). */
export function toRecordDoc(r: UsageRecord, batch: string, text = encodeRecord(r)): RecordDoc {
  return {
    _id: r.id,
    batch,
    claim: recordClaim(batch, r.id),
    tenant: r.tenant,
    timeMs: r.timeMs,
    provider: r.provider,
    model: r.model,
    costType: r.costType,
    user: r.user,
    agent: r.agent,
    feature: r.feature,
    service: r.service,
    status: r.status,
    doc: text,
  };
}

/** A batch's records as one value: a deflated JSON array of their record-codec texts (FerretDB's cost for a document grows with its values). */
export function packRecords(records: readonly UsageRecord[]): Binary {
  return new Binary(packTexts(records.map(encodeRecord)));
}

/** packRecords of the records whose record-codec texts these are, as bytes. */
export function packTexts(texts: readonly string[]): Buffer {
  return deflateRawSync(JSON.stringify(texts), { level: 1 });
}

export function unpackRecords(packed: Binary): UsageRecord[] {
  return (JSON.parse(inflateRawSync(packed.buffer).toString('utf8')) as string[]).map(decodeRecord);
}

/**
 * The batch that stored each of these records first, read: only for batches written before records
 * held claims (record-claims.ts). One `$in`, not a lookup per id: MongoDB answers either from the
 * `_id` index; FerretDB v1 reads the whole collection for either (its `_id` index is never used for
 * reads), so one read of it in place of one per record.
 */
export async function ownersOf(records: Collection<RecordDoc>, ids: readonly string[]): Promise<Map<string, string>> {
  const found = await records.find({ _id: { $in: [...ids] } }, { projection: { batch: 1 } }).toArray();
  return new Map(found.map((d) => [d._id, d.batch]));
}
