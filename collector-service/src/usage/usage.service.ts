import { Injectable } from '@nestjs/common';
import type { RejectedSpan, SpanInput } from '../ingest/span-input';
import { PricingService } from '../pricing/pricing.service';
import { toRecord } from './normalise';
import { InvalidSpanError } from './span-attributes';
import { hasAnyUsage, isGenAiSpan, isModelCall, MAPPINGS } from './sources';
import type { UsageRecord } from './usage-record';

export interface UsageBatch {
  records: UsageRecord[];
  rejected: RejectedSpan[];
  /** Spans that are not AI calls (HTTP, database, chains, parents of provider calls). */
  ignored: number;
}

/** Turns any instrumentation's GenAI spans into priced usage records; one bad span never costs the others. */
@Injectable()
export class UsageService {
  constructor(private readonly pricing: PricingService) {}

  toRecords(spans: SpanInput[], tenant: string): UsageBatch {
    const records: UsageRecord[] = [];
    const rejected: RejectedSpan[] = [];
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
        const record = toRecord(usage, span, tenant);
        this.pricing.priceRecord(record, hasAnyUsage(usage));
        records.push(record);
      } catch (err) {
        if (!(err instanceof InvalidSpanError)) throw err;
        rejected.push({ traceId: span.traceId, spanId: span.spanId, reason: err.message });
      }
    }
    return { records, rejected, ignored };
  }
}
