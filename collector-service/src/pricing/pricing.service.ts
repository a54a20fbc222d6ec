import { Inject, Injectable } from '@nestjs/common';
import { type PriceBookDescription, PriceBook, type PriceResult, type UsageInput } from '@tokenledger/pricing';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { PriorPricing, UsageRecord } from '../usage/usage-record';

/** Prices records with the versioned price book, loaded once at start (a bad operator file stops the start). */
@Injectable()
export class PricingService {
  readonly book: PriceBook;
  #listBook: PriceBook | null = null;

  constructor(@Inject(CONFIG) config: Pick<CollectorConfig, 'pricesFile'>) {
    this.book = PriceBook.load({ pricesFile: config.pricesFile });
  }

  /** The published prices alone (catalog and supplemental data, no operator file): list prices, before negotiated ones. */
  get listBook(): PriceBook {
    return (this.#listBook ??= PriceBook.load({ pricesFile: null }));
  }

  describe(): PriceBookDescription {
    return this.book.describe();
  }

  /**
   * The operator price-file entry that would price a model the book cannot (a fine-tuned model
   * without published rates), or null when the book prices it or has no entry to suggest.
   */
  suggestedEntry(provider: string, model: string): string | null {
    const result = this.book.price({ provider, model, inputTokens: 1 });
    return result.status === 'unpriced' ? (result.suggestion ?? null) : null;
  }

  /**
   * Fills the record's cost fields: the exact cost and how it was priced, or why it could not be.
   * `reportedUsage`: whether the span reported anything billable (the usage layer's `hasAnyUsage`).
   */
  priceRecord(record: UsageRecord, reportedUsage: boolean): void {
    // A successful call that reported no usage at all (some instrumentations drop it on streams) cost
    // something we cannot see: unpriced, counted and alerted, never a silent $0. A failed call with
    // no usage was not billed.
    if (record.status === 'ok' && !reportedUsage) {
      record.unpricedReason = 'missing_usage';
      record.priceBookVersion = this.book.version;
      return;
    }
    const result = this.book.price(usageOf(record));
    record.priceBookVersion = result.priceBookVersion;
    if (result.status === 'priced') setPriced(record, result);
    else record.unpricedReason = result.reason;
  }

  /**
   * The record priced again by the book in force now, with its present pricing kept in
   * `priorPricings`; null when that leaves its cost as it is, or would leave it unpriced (prices at
   * call time stand: a re-pricing corrects a cost, or prices a call a new price covers).
   */
  repriced(record: UsageRecord, atMs: number): UsageRecord | null {
    if (record.unpricedReason === 'missing_usage') return null;
    const result = this.book.price(usageOf(record));
    if (result.status !== 'priced' || result.costNanos === record.costNanos) return null;
    const prior: PriorPricing = {
      costNanos: record.costNanos === null ? null : record.costNanos.toString(),
      unpricedReason: record.unpricedReason,
      unitPrices: record.unitPrices,
      priceSource: record.priceSource,
      priceBookVersion: record.priceBookVersion,
      repricedAtMs: atMs,
    };
    const next: UsageRecord = { ...record, unpricedReason: null, priceBookVersion: result.priceBookVersion, priorPricings: [...record.priorPricings, prior] };
    setPriced(next, result);
    return next;
  }
}

function setPriced(record: UsageRecord, result: Extract<PriceResult, { status: 'priced' }>): void {
  record.costNanos = result.costNanos;
  record.unitPrices = result.unitPrices;
  record.priceQuantities = result.quantities;
  record.priceMultiplier = result.multiplier;
  record.priceSource = result.sourceVersion;
}

/** What a record's call used, as the price book prices it (at the call's own time). */
export function usageOf(record: UsageRecord): UsageInput {
  return {
    provider: record.provider,
    model: record.model,
    operation: record.operation,
    timestamp: record.timeMs,
    inputTokens: record.tokens.input,
    outputTokens: record.tokens.output,
    cacheReadTokens: record.tokens.cacheRead,
    cacheWriteTokens: record.tokens.cacheWrite,
    reasoningTokens: record.tokens.reasoning,
    inputAudioTokens: record.audioTokens?.input,
    outputAudioTokens: record.audioTokens?.output,
    details: record.tokenDetails
      ? {
          cacheAudioReadTokens: record.tokenDetails.audioCacheRead,
          inputImageTokens: record.tokenDetails.imageInput,
          cacheImageReadTokens: record.tokenDetails.imageCacheRead,
          inputVideoTokens: record.tokenDetails.videoInput,
          outputImageTokens: record.tokenDetails.imageOutput,
          cacheWrite1hTokens: record.tokenDetails.cacheWrite1h,
        }
      : undefined,
    images:
      record.imageCount === null ? undefined : { count: record.imageCount, size: record.imageSize ?? undefined, quality: record.imageQuality ?? undefined },
    audioSeconds: record.audioSeconds ?? undefined,
    characters: record.characters ?? undefined,
    payment: record.paymentAmountUsd && record.paymentGateway ? { amountUsd: record.paymentAmountUsd, gateway: record.paymentGateway } : undefined,
    batch: record.batch || undefined,
  };
}
