// An ingest worker thread: decodes and prices OTLP trace requests off the event loop that answers
// reads and budget checks (see SpanPricingPool). It loads the same price book as the service.
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import type { CollectorConfig } from '../config/config';
import { PricingService } from '../pricing/pricing.service';
import { UsageService } from '../usage/usage.service';
import { OtlpDecodeError } from './otlp-decode';
import { type PricedSpans, priceSpans, type OtlpFormat, type Sender } from './span-pricing';

export interface PricingRequest {
  id: number;
  body: Uint8Array;
  format: OtlpFormat;
  sender: Sender;
}

export type PricingAnswer = { id: number; priced: PricedSpans } | { id: number; undecodable: string } | { id: number; failed: string };

const usage = new UsageService(new PricingService(workerData as Pick<CollectorConfig, 'pricesFile'>));

parentPort!.on('message', ({ id, body, format, sender }: PricingRequest) => {
  let answer: PricingAnswer;
  try {
    answer = { id, priced: priceSpans(usage, body, format, sender) };
  } catch (err) {
    answer = err instanceof OtlpDecodeError ? { id, undecodable: err.message } : { id, failed: (err as Error).stack ?? String(err) };
  }
  parentPort!.postMessage(answer);
});
