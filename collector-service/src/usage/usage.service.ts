import { Injectable } from '@nestjs/common';
import { formatUsd } from '@tokenledger/pricing';
import type { RejectedSpan, SpanInput, SpanWarning } from '../ingest/span-input';
import { PricingService } from '../pricing/pricing.service';
import { BILLABLE_BOUNDS, grouped } from './billable-bounds';
import { toRecord } from './normalise';
import { InvalidSpanError } from './span-attributes';
import { hasAnyUsage, isGenAiSpan, isModelCall, MAPPINGS } from './sources';
import { assertPlausibleTimes } from './span-times';
import type { UsageRecord } from './usage-record';

export interface UsageBatch {
  records: UsageRecord[];
  rejected: RejectedSpan[];
  /** Records stored with an attribute value left unused, and why. */
  warnings: SpanWarning[];
  /** Spans that are not AI calls (HTTP, database, chains, parents of provider calls). */
  ignored: number;
}

/** Turns any instrumentation's GenAI spans into priced usage records; one bad span never costs the others. */
@Injectable()
export class UsageService {
  constructor(private readonly pricing: PricingService) {}

  /** `nowMs`: the collector's clock, which bounds how far ahead a span may start. */
  toRecords(spans: SpanInput[], tenant: string, nowMs = Date.now()): UsageBatch {
    const records: UsageRecord[] = [];
    const rejected: RejectedSpan[] = [];
    const warnings: SpanWarning[] = [];
    let ignored = 0;
    for (const span of spans) {
      if (!isGenAiSpan(span)) {
        ignored++;
        continue;
      }
      try {
        const mapping = MAPPINGS.find((m) => m.claims(span))!;
        const usage = mapping.extract(span);
        if (!usage || !isModelCall(usage)) {
          ignored++;
          continue;
        }
        assertPlausibleTimes(span, nowMs);
        const record = toRecord(usage, span, tenant);
        this.pricing.priceRecord(record, hasAnyUsage(usage));
        assertBillable(record);
        records.push(record);
        for (const { attribute, reason } of usage.ignoredValues) warnings.push({ traceId: span.traceId, spanId: span.spanId, attribute, reason });
      } catch (err) {
        if (!(err instanceof InvalidSpanError)) throw err;
        rejected.push({ traceId: span.traceId, spanId: span.spanId, reason: err.message });
      }
    }
    return { records, rejected, warnings, ignored };
  }
}

/** A priced cost beyond what one call can bill comes from counts or an operator price out of proportion: refused, never stored. */
function assertBillable(record: UsageRecord): void {
  if (record.costNanos !== null && record.costNanos > BILLABLE_BOUNDS.costNanos) {
    throw new InvalidSpanError(
      `the call prices at $${formatUsd(record.costNanos)}, more than one call can bill (at most $${grouped(BILLABLE_BOUNDS.costNanos / 1_000_000_000n)}); check its counts and the operator price file`,
    );
  }
}
