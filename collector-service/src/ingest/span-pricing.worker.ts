// An ingest worker thread: decodes and prices OTLP trace requests off the event loop that answers
// reads and budget checks (see SpanPricingPool). It loads the same price book as the service. It also
// encodes the records as the store writes them and sums their rollups (PreparedBatch for sqlite,
// MongoPreparedBatch for mongo).
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import type { CollectorConfig } from '../config/config';
import { PricingService } from '../pricing/pricing.service';
import type { UsageRecord } from '../usage/usage-record';
import { UsageService } from '../usage/usage.service';
import { OtlpDecodeError } from './otlp-decode';
import { type PricedSpans, priceSpans, type OtlpFormat, type Sender } from './span-pricing';
import { prepareMongoBatch, transferList } from '../storage/mongo/prepared-batch';
import { isFoldable, prepareBatch } from '../storage/sqlite/prepared-batch';
import type { PreparedIngest } from '../storage/storage.port';

/** Which store a thread prepares batches for (see PreparedIngest); null: none. */
export type PreparedStore = 'sqlite' | 'mongo' | null;

/** What the pool gives each thread: the price book, and which store to prepare batches for. */
export interface PricingThreadData {
  pricesFile: string | null;
  prepareFor: PreparedStore;
}

export interface PricingRequest {
  id: number;
  body: Uint8Array;
  format: OtlpFormat;
  sender: Sender;
}

export type PricingAnswer = { id: number; priced: PricedSpans } | { id: number; undecodable: string } | { id: number; failed: string };

const { pricesFile, prepareFor } = workerData as PricingThreadData;
const usage = new UsageService(new PricingService({ pricesFile } satisfies Pick<CollectorConfig, 'pricesFile'>));

parentPort!.on('message', ({ id, body, format, sender }: PricingRequest) => {
  let answer: PricingAnswer;
  try {
    const priced = priceSpans(usage, body, format, sender);
    if (priced.records.length > 0) priced.prepared = prepare(priced.records);
    // A prepared batch is sent without its records: receiving them (a structured clone of each) held the
    // event loop longer than anything it does with the batch (see PreparedBatch, MongoPreparedBatch).
    answer = { id, priced: priced.prepared ? { ...priced, records: [] } : priced };
  } catch (err) {
    answer = err instanceof OtlpDecodeError ? { id, undecodable: err.message } : { id, failed: (err as Error).stack ?? String(err) };
  }
  const prepared = 'priced' in answer ? answer.priced.prepared : undefined;
  // A sqlite batch's rows and sums are shared buffers: posted without a copy, nothing to transfer.
  parentPort!.postMessage(answer, prepared?.store === 'mongo' ? transferList(prepared) : []);
});

function prepare(records: UsageRecord[]): PreparedIngest | undefined {
  // A record the rollups could not add fails its whole batch where the store writes it, as it would unprepared.
  if (prepareFor === null || !records.every(isFoldable)) return undefined;
  if (prepareFor === 'sqlite') return prepareBatch(records);
  // A sum the store cannot hold fails where the store writes it, as it would unprepared: the event loop encodes such a batch itself.
  try {
    return prepareMongoBatch(records);
  } catch {
    return undefined;
  }
}
