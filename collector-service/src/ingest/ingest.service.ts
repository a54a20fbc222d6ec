import { Inject, Injectable, Logger } from '@nestjs/common';
import { STORAGE } from '../storage/storage.tokens';
import type { StoragePort } from '../storage/storage.port';
import { UsageService } from '../usage/usage.service';
import { decodeJsonTraces, decodeProtobufTraces } from './otlp-decode';
import type { RejectedSpan } from './span-input';

export type OtlpFormat = 'protobuf' | 'json';

export interface TraceExportResult {
  /** Spans stored now. */
  accepted: number;
  /** Spans already stored (a retried batch): acknowledged, not counted again. */
  duplicates: number;
  rejected: RejectedSpan[];
  ignored: number;
}

/** The store failed: the sender must retry (503 with Retry-After). */
export class StoreUnavailableError extends Error {}

@Injectable()
export class IngestService {
  private readonly logger = new Logger('Ingest');

  constructor(
    private readonly usage: UsageService,
    @Inject(STORAGE) private readonly storage: StoragePort,
  ) {}

  /** Decodes, normalises, prices and durably stores one OTLP trace request; resolves only once stored. */
  async exportTraces(body: Buffer, format: OtlpFormat, tenant: string): Promise<TraceExportResult> {
    const decoded = format === 'protobuf' ? decodeProtobufTraces(body) : decodeJsonTraces(body);
    const batch = this.usage.toRecords(decoded.spans, tenant);
    let outcome;
    try {
      outcome = await this.storage.ingest(batch.records);
    } catch (err) {
      this.logger.error(`store write failed, asking the sender to retry: ${(err as Error).message}`);
      throw new StoreUnavailableError((err as Error).message);
    }
    return { accepted: outcome.stored.length, duplicates: outcome.duplicates, rejected: [...decoded.rejected, ...batch.rejected], ignored: batch.ignored };
  }
}
