import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary, type Collection } from 'mongodb';
import type { UsageRecord } from '../../usage/usage-record';
import { decodeRecord, encodeRecord } from '../record-codec';

export interface RecordDoc {
  _id: string;
  /** The batch whose insert stored the record first: the one batch that counts it. */
  batch: string;
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

export function toRecordDoc(r: UsageRecord, batch: string): RecordDoc {
  return {
    _id: r.id,
    batch,
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
    doc: encodeRecord(r),
  };
}

/** A batch's records as one value: a deflated JSON array of their record-codec texts (FerretDB's cost for a document grows with its values). */
export function packRecords(records: readonly UsageRecord[]): Binary {
  return new Binary(deflateRawSync(JSON.stringify(records.map(encodeRecord)), { level: 1 }));
}

export function unpackRecords(packed: Binary): UsageRecord[] {
  return (JSON.parse(inflateRawSync(packed.buffer).toString('utf8')) as string[]).map(decodeRecord);
}

/**
 * The batch that stored each of these records first. One lookup per id, not `$in`: on MongoDB each
 * is an `_id` index lookup; FerretDB v1 reads the whole collection for either (its `_id` index is
 * never used for reads), so callers keep this to the rare cases that need it.
 */
export async function ownersOf(records: Collection<RecordDoc>, ids: readonly string[]): Promise<Map<string, string>> {
  const found = await Promise.all(ids.map((_id) => records.findOne({ _id }, { projection: { batch: 1 } })));
  return new Map(found.filter((d) => d !== null).map((d) => [d._id, d.batch]));
}
