// An ingest worker thread: decodes and prices OTLP trace requests off the event loop that answers
// reads and budget checks (see SpanPricingPool). It loads the same price book as the service. For
// the sqlite store it also encodes the records' rows and sums their rollups (see PreparedBatch).
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import type { CollectorConfig } from '../config/config';
import { PricingService } from '../pricing/pricing.service';
import { UsageService } from '../usage/usage.service';
import { OtlpDecodeError } from './otlp-decode';
import { type PricedSpans, priceSpans, type OtlpFormat, type Sender } from './span-pricing';
import { prepareBatch } from '../storage/sqlite/prepared-batch';

/** What the pool gives each thread: the price book, and whether to prepare batches for the sqlite store. */
export interface PricingThreadData {
  pricesFile: string | null;
  prepareForSqlite: boolean;
}

export interface PricingRequest {
  id: number;
  body: Uint8Array;
  format: OtlpFormat;
  sender: Sender;
}

export type PricingAnswer = { id: number; priced: PricedSpans } | { id: number; undecodable: string } | { id: number; failed: string };

const { pricesFile, prepareForSqlite } = workerData as PricingThreadData;
const usage = new UsageService(new PricingService({ pricesFile } satisfies Pick<CollectorConfig, 'pricesFile'>));

parentPort!.on('message', ({ id, body, format, sender }: PricingRequest) => {
  let answer: PricingAnswer;
  try {
    const priced = priceSpans(usage, body, format, sender);
    if (prepareForSqlite && priced.records.length > 0) priced.prepared = prepareBatch(priced.records);
    answer = { id, priced };
  } catch (err) {
    answer = err instanceof OtlpDecodeError ? { id, undecodable: err.message } : { id, failed: (err as Error).stack ?? String(err) };
  }
  parentPort!.postMessage(answer, 'priced' in answer && answer.priced.prepared ? [answer.priced.prepared.rows] : []);
});
