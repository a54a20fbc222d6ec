import { Logger } from '@nestjs/common';
import type { IngestRejections } from '../ingest/ingest-rejections';
import { type IngestService, StoreUnavailableError } from '../ingest/ingest.service';
import type { StoredRecordsFeed } from '../storage/stored-records.feed';
import type { CollectorMetrics } from './collector-metrics';

const logger = new Logger('Telemetry');
let warned = false;

/** A metrics fault must never fail an ingest that succeeded: it is logged once and dropped. */
function safely(count: () => void): void {
  try {
    count();
  } catch (err) {
    if (!warned) logger.warn(`a metric could not be recorded (reported once): ${(err as Error).message}`);
    warned = true;
  }
}

/**
 * Meters ingest from outside, so the ingest path carries no metrics code:
 * - cost, tokens and calls from the stored-records feed, which hears exactly the records stored for
 *   the first time: a retried batch (all duplicates) adds nothing;
 * - spans by outcome, batch latency and store errors by wrapping the live ingest service's
 *   `exportTraces`, whose result and StoreUnavailableError say what happened to each request;
 * - refused requests by reason from IngestRejections, which both OTLP receivers report to.
 * Returns the unsubscribe for shutdown.
 */
export function meterIngest(feed: StoredRecordsFeed, ingest: IngestService, rejections: IngestRejections, metrics: CollectorMetrics): () => void {
  const unsubscribeStored = feed.subscribe((batch) => safely(() => metrics.recordStored(batch.records)));
  const unsubscribeRejected = rejections.subscribe((reason) => safely(() => metrics.recordRejectedRequest(reason)));
  const unsubscribe = () => {
    unsubscribeStored();
    unsubscribeRejected();
  };

  const exportTraces = ingest.exportTraces.bind(ingest);
  ingest.exportTraces = async (...args) => {
    const started = performance.now();
    try {
      const result = await exportTraces(...args);
      safely(() => {
        metrics.recordSpans('accepted', result.accepted);
        metrics.recordSpans('duplicate', result.duplicates);
        metrics.recordSpans('rejected', result.rejected.length);
        metrics.recordSpans('ignored', result.ignored);
      });
      return result;
    } catch (err) {
      if (err instanceof StoreUnavailableError) safely(() => metrics.recordStoreError());
      throw err;
    } finally {
      safely(() => metrics.recordBatchDuration((performance.now() - started) / 1000));
    }
  };
  return unsubscribe;
}
