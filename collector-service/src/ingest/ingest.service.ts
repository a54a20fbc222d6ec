import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { STORAGE } from '../storage/storage.tokens';
import { recordsOf, sizeOf } from '../storage/prepared-ingest';
import { type StoragePort, storedCount } from '../storage/storage.port';
import { IngestEvents } from './ingest-events';
import type { RejectedSpan, SpanWarning } from './span-input';
import type { OtlpFormat } from './span-pricing';
import { PricingThreadError, SpanPricingPool } from './span-pricing.pool';

export type { OtlpFormat } from './span-pricing';

export interface TraceExportResult {
  /** Spans stored now. */
  accepted: number;
  /** Spans already stored (a retried batch): acknowledged, not counted again. */
  duplicates: number;
  rejected: RejectedSpan[];
  /** Spans stored with an attribute value left unused: a warning in partialSuccess. */
  warnings: SpanWarning[];
  ignored: number;
}

/** The store failed: the sender must retry (503 with Retry-After; UNAVAILABLE with RetryInfo on gRPC). */
export class StoreUnavailableError extends Error {}

/**
 * A request to send again (503 with Retry-After; UNAVAILABLE with RetryInfo on gRPC), nothing of it
 * stored: what the sender is told and the reason it is counted under, or null for any other failure.
 */
export function retryLater(err: unknown): { message: string; reason: 'store_unavailable' | 'pricing_stopped' } | null {
  if (err instanceof StoreUnavailableError) return { message: 'the store is unavailable; retry later', reason: 'store_unavailable' };
  if (err instanceof PricingThreadError)
    return { message: 'the thread pricing this request stopped (it is started again); retry later', reason: 'pricing_stopped' };
  return null;
}

export { STORE_RETRY_AFTER_SECONDS } from '../storage/store-faults';

@Injectable()
export class IngestService {
  private readonly logger = new Logger('Ingest');

  constructor(
    private readonly pricing: SpanPricingPool,
    @Inject(STORAGE) private readonly storage: StoragePort,
    private readonly events: IngestEvents,
  ) {}

  /**
   * Decodes, normalises, prices and durably stores one OTLP trace request; resolves only once stored.
   * The records it stored now are emitted as `stored` before it resolves, how it ended as `exported`.
   */
  async exportTraces(body: Buffer, format: OtlpFormat, principal: Principal): Promise<TraceExportResult> {
    const startedMs = performance.now();
    let result: TraceExportResult | null = null;
    let storeFailed = false;
    try {
      return (result = await this.priceAndStore(body, format, principal));
    } catch (err) {
      storeFailed = err instanceof StoreUnavailableError;
      throw err;
    } finally {
      this.events.exported({ seconds: (performance.now() - startedMs) / 1000, result, storeFailed });
    }
  }

  private async priceAndStore(body: Buffer, format: OtlpFormat, principal: Principal): Promise<TraceExportResult> {
    // A pricing thread that dies takes nothing with it: PricingThreadError, the sender retries.
    const { records, prepared, rejected, warnings, ignored, summary } = await this.pricing.price(body, format, principal);
    // A prepared batch comes without its records: counted and named from what was prepared of them (see PreparedIngest).
    const given = prepared ?? records;
    let outcome;
    try {
      outcome = await this.events.storing(given, () => this.storage.ingest(records, prepared), summary);
    } catch (err) {
      this.logger.error(`store write failed, asking the sender to retry: ${(err as Error).message}`);
      throw new StoreUnavailableError((err as Error).message);
    }
    // Spans whose totals the store cannot hold are rejected like invalid ones: the sender learns which.
    if (outcome.refused?.length) {
      const spanOf = new Map(recordsOf(given).map((r) => [r.id, r]));
      for (const { id, reason } of outcome.refused) {
        const record = spanOf.get(id)!;
        rejected.push({ traceId: record.traceId, spanId: record.spanId, reason });
      }
    }
    const refused = new Set(rejected.map((r) => `${r.traceId}/${r.spanId}`));
    const kept = warnings.filter((w) => !refused.has(`${w.traceId}/${w.spanId}`));
    return { accepted: storedCount(sizeOf(given), outcome), duplicates: outcome.duplicates, rejected, warnings: kept, ignored };
  }
}
