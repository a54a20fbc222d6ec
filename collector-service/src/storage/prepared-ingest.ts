import type { UsageRecord } from '../usage/usage-record';
import { preparedRecords } from './mongo/prepared-batch';
import { recordsOf as sqliteRecords } from './sqlite/prepared-batch';
import type { PreparedIngest } from './storage.port';

/** What ingest hands a store: the records, or the batch an ingest thread prepared of them and sent without them. */
export type IngestBatch = readonly UsageRecord[] | PreparedIngest;

/** How many records a batch holds, records or prepared (a repeated id counted each time). */
export const sizeOf = (batch: IngestBatch): number => (isRecords(batch) ? batch.length : batch.count);

/** The tenants of a batch's records, records or prepared. */
export function tenantsOf(batch: IngestBatch): string[] {
  if (isRecords(batch)) return [...new Set(batch.map((r) => r.tenant))];
  return batch.store === 'sqlite' ? batch.tenants : batch.tenants.map((t) => t.tenant);
}

/** A batch's records, decoded from a prepared batch only when asked (of a mongo batch, each id once). */
export function recordsOf(batch: IngestBatch): readonly UsageRecord[] {
  if (isRecords(batch)) return batch;
  return batch.store === 'sqlite' ? sqliteRecords(batch) : preparedRecords(batch);
}

const isRecords = (batch: IngestBatch): batch is readonly UsageRecord[] => Array.isArray(batch);
