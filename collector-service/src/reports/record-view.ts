import { formatUsd } from '@tokenledger/pricing';
import type { UsageRecord } from '../usage/usage-record';

/** A stored record as the API shows it: every field, money as exact strings, a trace link when Jaeger is configured. */
export function recordView(r: UsageRecord, jaegerUrl: string | null) {
  const { costNanos, providedCostNanos, ...rest } = r;
  return {
    ...rest,
    time: new Date(r.timeMs).toISOString(),
    costNanos: costNanos === null ? null : costNanos.toString(),
    costUsd: costNanos === null ? null : formatUsd(costNanos),
    providedCostNanos: providedCostNanos === null ? null : providedCostNanos.toString(),
    providedCostUsd: providedCostNanos === null ? null : formatUsd(providedCostNanos),
    traceUrl: jaegerUrl ? `${jaegerUrl.replace(/\/$/, '')}/trace/${r.traceId}` : null,
  };
}

export type RecordView = ReturnType<typeof recordView>;

/** CSV columns: every field of a record, nested ones flattened or as JSON. */
/** What a CSV cell holds before it is written: text, a number or a flag; null and undefined are empty. */
export type CsvCell = string | number | boolean | null | undefined;

export const CSV_COLUMNS: [header: string, value: (v: RecordView) => CsvCell][] = [
  ['id', (v) => v.id],
  ['time', (v) => v.time],
  ['tenant', (v) => v.tenant],
  ['service', (v) => v.service],
  ['environment', (v) => v.environment],
  ['provider', (v) => v.provider],
  ['model', (v) => v.model],
  ['request_model', (v) => v.requestModel],
  ['operation', (v) => v.operation],
  ['cost_type', (v) => v.costType],
  ['input_tokens', (v) => v.tokens.input],
  ['output_tokens', (v) => v.tokens.output],
  ['cache_read_tokens', (v) => v.tokens.cacheRead],
  ['cache_write_tokens', (v) => v.tokens.cacheWrite],
  ['reasoning_tokens', (v) => v.tokens.reasoning],
  ['audio_input_tokens', (v) => v.audioTokens?.input],
  ['audio_output_tokens', (v) => v.audioTokens?.output],
  ['audio_cache_read_tokens', (v) => v.tokenDetails?.audioCacheRead],
  ['image_input_tokens', (v) => v.tokenDetails?.imageInput],
  ['image_cache_read_tokens', (v) => v.tokenDetails?.imageCacheRead],
  ['video_input_tokens', (v) => v.tokenDetails?.videoInput],
  ['image_output_tokens', (v) => v.tokenDetails?.imageOutput],
  ['cache_write_1h_tokens', (v) => v.tokenDetails?.cacheWrite1h],
  ['image_count', (v) => v.imageCount],
  ['image_size', (v) => v.imageSize],
  ['image_quality', (v) => v.imageQuality],
  ['audio_seconds', (v) => v.audioSeconds],
  ['characters', (v) => v.characters],
  ['payment_amount_usd', (v) => v.paymentAmountUsd],
  ['payment_gateway', (v) => v.paymentGateway],
  ['user', (v) => v.user],
  ['agent', (v) => v.agent],
  ['conversation', (v) => v.conversation],
  ['feature', (v) => v.feature],
  ['tags', (v) => (Object.keys(v.tags).length ? JSON.stringify(v.tags) : '')],
  ['status', (v) => v.status],
  ['error_type', (v) => v.errorType],
  ['duration_ms', (v) => v.durationMs],
  ['cost_nanos', (v) => v.costNanos],
  ['cost_usd', (v) => v.costUsd],
  ['unpriced_reason', (v) => v.unpricedReason],
  ['unit_prices', (v) => (v.unitPrices ? JSON.stringify(v.unitPrices) : '')],
  ['price_source', (v) => v.priceSource],
  ['price_book_version', (v) => v.priceBookVersion],
  ['provided_cost_usd', (v) => v.providedCostUsd],
  ['estimated', (v) => v.estimated],
  ['batch', (v) => v.batch],
  ['batch_id', (v) => v.batchId],
  ['source', (v) => v.source],
  ['trace_id', (v) => v.traceId],
  ['span_id', (v) => v.spanId],
];

/**
 * RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes inside. A cell a
 * spreadsheet would run as a formula (starting with =, +, -, @, tab or CR: names, ids and tags come
 * from spans anyone with an ingest key sends) gets a leading single quote, as OWASP's CSV injection
 * guidance says, and is quoted; every amount and count is a plain number, never changed.
 */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  const formula = /^[=+\-@\t\r]/.test(text);
  if (formula) text = `'${text}`;
  return formula || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvHeader = () => `${CSV_COLUMNS.map(([h]) => h).join(',')}\r\n`;
export const csvRow = (v: RecordView) => `${CSV_COLUMNS.map(([, get]) => csvField(get(v))).join(',')}\r\n`;
