import { Logger } from '@nestjs/common';
import type { Collection } from 'mongodb';
import { decodeRecord } from '../record-codec';
import { addRecord, NUMBER_MEASURES, type Sums, zeroSums } from '../rollup-measures';
import { BUCKET_MS } from '../storage.port';
import { type BatchDoc, unpackGroups } from './batches';
import type { Head, HeadChain } from './heads';
import { type RecordDoc, unpackRecords } from './record-docs';
import { DAY_MS, dayOf, type RollupDocs } from './rollup-docs';
import type { SumsRow } from './sums-table';
import { ValueRowSums } from './value-rows';

/** A day's value rows summed from its raw records, for the run that writes them (see CompactedMonth.fillValueDay). */
export interface ValueDayFill {
  /** The head the records were checked against: the run writes them only onto that head. */
  headK: number;
  day: number;
  rows: SumsRow[];
}

/** Why a day gets no value rows now: batches not compacted touch it, or its records are not what the rollups count. */
export type NoFill = 'later' | 'mismatch';

/**
 * Value rows for the days a store compacted before value rollups existed (their buckets name no
 * value documents, so their breakdowns by conversation and tag key are summed from the records),
 * summed from those days' raw records, a day at a time, in the background.
 *
 * Exact because a day is filled only when its records are exactly what the head counts: no batch
 * the head does not hold touches the day (before and after the records are read), the head is
 * still the latest after the read, and the records add up, bucket by bucket, to the head's totals.
 * A day whose records do not (deleted by retention, a batch set aside, a re-pricing that stopped
 * before rewriting its records) keeps being answered as before; it is tried again after a restart.
 * The run that writes the rows publishes them on that same head or not at all, so a day is filled
 * once, and a stop at any point leaves it as it was.
 */
export class ValueDayBackfill {
  private readonly logger = new Logger('MongoCompaction');
  /** Days (tenant and day) whose records did not add up to the rollups, since this process started. */
  private readonly mismatched = new Set<string>();

  constructor(
    private readonly records: Collection<RecordDoc>,
    private readonly batches: Collection<BatchDoc>,
    private readonly chain: HeadChain,
    private readonly docs: RollupDocs,
  ) {}

  /** The head's days that no value documents hold, oldest first, but those found not to add up; null when a document is gone. */
  async daysWithout(tenant: string, head: Head): Promise<number[] | null> {
    const days = new Set<number>();
    for (const [month, runId] of Object.entries(head.months).sort()) {
      const totals = await this.docs.totals(tenant, month, runId);
      if (!totals) return null;
      const runsByDay = new Map<number, Set<string | null>>();
      for (const [bucket, t] of totals) {
        const day = dayOf(bucket);
        if (!runsByDay.has(day)) runsByDay.set(day, new Set());
        runsByDay.get(day)!.add(t.valuesRun);
      }
      for (const [day, runs] of runsByDay) if ((runs.size > 1 || runs.has(null)) && !this.mismatched.has(key(tenant, day))) days.add(day);
    }
    return [...days].sort((a, b) => a - b);
  }

  /** The day's value rows from its raw records, when those are exactly what `head` counts. */
  async fill(tenant: string, head: Head, day: number): Promise<ValueDayFill | NoFill> {
    if (await this.openBatchesTouch(tenant, head, day)) return 'later';
    const sums = new Map<number, Sums>();
    const rows = new ValueRowSums();
    const cursor = this.records.find({ tenant, timeMs: { $gte: day, $lt: day + DAY_MS } }, { projection: { doc: 1 } }).batchSize(1000);
    for await (const doc of cursor) {
      const r = decodeRecord(doc.doc);
      const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
      if (!sums.has(bucket)) sums.set(bucket, zeroSums());
      addRecord(sums.get(bucket)!, r);
      rows.add(r);
    }
    if ((await this.openBatchesTouch(tenant, head, day)) || !(await this.chain.stillLatest(tenant, head))) return 'later';
    const month = new Date(day).toISOString().slice(0, 7);
    const totals = await this.docs.totals(tenant, month, head.months[month]);
    if (!totals) return 'later';
    const counted = new Map([...totals].filter(([bucket, t]) => dayOf(bucket) === day && t.sums.calls !== 0).map(([bucket, t]) => [bucket, t.sums]));
    const agree = counted.size === sums.size && [...counted].every(([bucket, s]) => sums.has(bucket) && sameCounts(s, sums.get(bucket)!));
    if (agree) return { headK: head.k, day, rows: rows.values() };
    this.mismatched.add(key(tenant, day));
    this.logger.warn(
      `the raw records of tenant ${tenant} on ${new Date(day).toISOString().slice(0, 10)} do not add up to its rollups (deleted by retention, or a batch set aside): ` +
        'its breakdowns by conversation and tag key stay summed from the records and tag sets',
    );
    return 'mismatch';
  }

  /** Whether a batch the head does not hold (being stored, rolled and not compacted, or correcting) has records of the day. */
  private async openBatchesTouch(tenant: string, head: Head, day: number): Promise<boolean> {
    const included = new Set(head.included);
    for (const b of await this.batches.find({ tenant }, { projection: { state: 1, records: 1, groups: 1 } }).toArray()) {
      if (included.has(b._id)) continue;
      if (b.state === 'correcting') return true; // its records' days are not read here: wait for it
      if (b.state === 'pending' && unpackRecords(b.records!).some((r) => dayOf(r.timeMs) === day)) return true;
      if (b.state === 'rolled' && unpackGroups(b.groups!).some((g) => dayOf(g.bucket) === day)) return true;
    }
    return false;
  }
}

const key = (tenant: string, day: number) => JSON.stringify([tenant, day]);

/** Equal money and counts (durations are float sums whose order may differ, so they tell nothing). */
function sameCounts(a: Sums, b: Sums): boolean {
  return a.costNanos === b.costNanos && NUMBER_MEASURES.every((m) => m.kind === 'duration' || a[m.name] === b[m.name]);
}
