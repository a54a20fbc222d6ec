import { Inject, Injectable, Logger } from '@nestjs/common';
import { keyPrefix } from '../auth/api-keys';
import { CONFIG, type CollectorConfig } from '../config/config';
import { LogThrottle } from './log-throttle';

/** Why an OTLP request was refused as a whole: its spans are lost unless the sender retries. */
export const REJECTION_REASONS = ['unauthenticated', 'forbidden', 'too_large', 'undecodable', 'store_unavailable', 'pricing_stopped', 'busy'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type RejectionListener = (reason: RejectionReason) => void;

/**
 * Every OTLP request the service refuses (HTTP or gRPC) is reported here: counted by reason for
 * /metrics (and the alert on it), and logged with what to do, at most once a minute per key prefix
 * and reason, so a sender that keeps failing is seen in the log without flooding it.
 */
@Injectable()
export class IngestRejections {
  private readonly logger = new Logger('Ingest');
  private readonly throttle = new LogThrottle();
  private readonly listeners = new Set<RejectionListener>();

  constructor(@Inject(CONFIG) private readonly config: CollectorConfig) {}

  subscribe(listener: RejectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reports one refused request: the reason, the key it presented (null: none) and what the sender was told. */
  refused(reason: RejectionReason, key: string | null, detail: string, nowMs = Date.now()): void {
    for (const listener of this.listeners) listener(reason);
    const prefix = keyPrefix(key);
    const pass = this.throttle.take(`${reason}\u0000${prefix}`, nowMs);
    if (!pass) return;
    const from = pass.shared ? 'from many keys' : key === null ? 'with no API key' : `from key ${prefix}`;
    const more = pass.skipped > 0 ? ` (${pass.skipped} more like it in the last minute)` : '';
    this.logger.warn(`refused an OTLP request ${from} (${reason}): ${detail}. ${this.advice(reason, key)}${more}`);
  }

  private advice(reason: RejectionReason, key: string | null): string {
    switch (reason) {
      case 'unauthenticated':
        return key === null
          ? 'Give the sender an ingest key (`tokenledger keys create --role ingest`) as "Authorization: Bearer <key>"; its spans are lost until then'
          : 'The key is unknown or revoked: give the sender a live ingest key (`tokenledger keys list`, `tokenledger keys create --role ingest`); its spans are lost until then';
      case 'forbidden':
        return 'Give the sender a key with role ingest (`tokenledger keys create --role ingest`); its spans are lost until then';
      case 'too_large':
        return `Send smaller batches (the Collector's batch processor: send_batch_max_size) or raise TOKENLEDGER_MAX_BODY_BYTES (now ${this.config.maxBodyBytes}); the batch is lost`;
      case 'undecodable':
        return 'Send OTLP protobuf or JSON (Content-Type application/x-protobuf or application/json, gzip or none); the batch is lost';
      case 'store_unavailable':
        return 'The sender was told to retry; check the store (GET /readyz says why)';
      case 'pricing_stopped':
        return 'The sender was told to retry: the thread pricing its request stopped and is started again; an error logged before this says why';
      case 'busy':
        return `The sender was told to retry: the collector held as many request bytes as TOKENLEDGER_MAX_INFLIGHT_BYTES allows (now ${this.config.maxInflightBytes}); raise it, or add memory or collector instances`;
    }
  }
}
