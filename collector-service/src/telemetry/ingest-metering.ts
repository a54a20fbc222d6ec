import { Logger } from '@nestjs/common';
import type { IngestEvents } from '../ingest/ingest-events';
import type { IngestRejections } from '../ingest/ingest-rejections';
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
 * Meters ingest from what it emits, so the ingest path carries no metrics code:
 * - cost, tokens and calls from `stored`, which carries exactly the records stored for the first
 *   time: a retried batch (all duplicates) adds nothing;
 * - spans by outcome, batch latency and store errors from `exported`, one per request;
 * - refused requests by reason from IngestRejections, which both OTLP receivers report to.
 * Returns the unsubscribe for shutdown.
 */
export function meterIngest(events: IngestEvents, rejections: IngestRejections, metrics: CollectorMetrics): () => void {
  const unsubscribes = [
    events.onStored((batch) => safely(() => metrics.recordStored(batch.lines))),
    events.onExported(({ result, storeFailed, seconds }) => {
      if (result) {
        safely(() => {
          metrics.recordSpans('accepted', result.accepted);
          metrics.recordSpans('duplicate', result.duplicates);
          metrics.recordSpans('rejected', result.rejected.length);
          metrics.recordSpans('ignored', result.ignored);
          metrics.recordIgnoredValues(result.warnings);
        });
      }
      if (storeFailed) safely(() => metrics.recordStoreError());
      safely(() => metrics.recordBatchDuration(seconds));
    }),
    rejections.subscribe((reason) => safely(() => metrics.recordRejectedRequest(reason))),
  ];
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
