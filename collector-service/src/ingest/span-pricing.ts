import { ATTR_TOKENLEDGER_TENANT } from '@tokenledger/semconv';
import { DEFAULT_TENANT, type Principal } from '../auth/principal';
import type { UsageService } from '../usage/usage.service';
import type { UsageRecord } from '../usage/usage-record';
import { decodeJsonTraces, decodeProtobufTraces } from './otlp-decode';
import type { RejectedSpan, SpanInput, SpanWarning } from './span-input';
import type { PreparedIngest } from '../storage/storage.port';
import { summarise, type SummaryLine } from './stored-summary';

export type OtlpFormat = 'protobuf' | 'json';

/** Who sent a request, as far as pricing it needs: the tenant its key is bound to, and open mode. */
export type Sender = Pick<Principal, 'tenant' | 'openMode'>;

/** One OTLP trace request decoded, normalised and priced: what the store is handed, and what the sender is told. */
export interface PricedSpans {
  /** The records; none when `prepared` holds them (they are not sent back to the event loop). */
  records: UsageRecord[];
  rejected: RejectedSpan[];
  warnings: SpanWarning[];
  ignored: number;
  /** The records as the store writes and rolls them up, when an ingest thread prepared them (PreparedBatch for sqlite, MongoPreparedBatch for mongo). */
  prepared?: PreparedIngest;
  /** What ingest's listeners read of the records (see summarise), summed where they were priced. */
  summary: SummaryLine[];
}

/**
 * Decodes an OTLP trace request and prices its GenAI spans, each into its tenant. Pure CPU work over
 * the body: it runs on the ingest worker threads (see SpanPricingPool), or inline when there are none.
 * Throws OtlpDecodeError when the body cannot be read.
 */
export function priceSpans(usage: UsageService, body: Uint8Array, format: OtlpFormat, sender: Sender, nowMs = Date.now()): PricedSpans {
  const decoded = format === 'protobuf' ? decodeProtobufTraces(body) : decodeJsonTraces(body);
  const priced: Omit<PricedSpans, 'summary'> = { records: [], rejected: [...decoded.rejected], warnings: [], ignored: 0 };
  for (const [tenant, spans] of byTenant(decoded.spans, sender)) {
    const batch = usage.toRecords(spans, tenant, nowMs);
    priced.records.push(...batch.records);
    priced.rejected.push(...batch.rejected);
    priced.warnings.push(...batch.warnings);
    priced.ignored += batch.ignored;
  }
  return { ...priced, summary: summarise(priced.records) };
}

/**
 * A tenant's key sends into its tenant. An all-tenant ingest key (the OpenTelemetry Collector's) sends
 * each span into the tenant its resource names in `tokenledger.tenant`, else "default".
 */
function byTenant(spans: SpanInput[], sender: Sender): Map<string, SpanInput[]> {
  const groups = new Map<string, SpanInput[]>();
  for (const span of spans) {
    const named = span.resource[ATTR_TOKENLEDGER_TENANT];
    const tenant = sender.tenant ?? (sender.openMode || typeof named !== 'string' || named === '' ? DEFAULT_TENANT : named);
    let group = groups.get(tenant);
    if (!group) groups.set(tenant, (group = []));
    group.push(span);
  }
  return groups;
}
