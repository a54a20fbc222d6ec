/**
 * Metric names and their bucket boundaries.
 * Source: https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/ for `gen_ai.client.*`;
 * this project for `tokenledger.*` (the collector service's own metrics).
 */

/** Histogram, `{token}`: tokens used per call, by `gen_ai.token.type`. */
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
/** Histogram, `s`: duration of a GenAI client operation. */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
/** Histogram, `s`: time from the request to the first chunk of a streamed response. */
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';

/** Metric attribute of `gen_ai.client.token.usage`: `input` or `output`. */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';

/** The spec's advised explicit bucket boundaries for `gen_ai.client.token.usage`. */
export const TOKEN_USAGE_BUCKETS: readonly number[] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** The spec's advised explicit bucket boundaries for `gen_ai.client.operation.duration` (seconds). */
export const OPERATION_DURATION_BUCKETS: readonly number[] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** The spec's advised explicit bucket boundaries for time-to-first-token/chunk histograms (seconds). */
export const TIME_TO_FIRST_CHUNK_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

/** Counter, USD (float, for graphs; exact money comes from the report API): cost of priced records. */
export const METRIC_TOKENLEDGER_COST_USD = 'tokenledger.cost.usd';
/** Counter, `{token}`: tokens of stored records, by `kind`. */
export const METRIC_TOKENLEDGER_TOKENS = 'tokenledger.tokens';
/** Counter, `{call}`: stored records, by `status`. */
export const METRIC_TOKENLEDGER_CALLS = 'tokenledger.calls';
/** Counter, `{call}`: records with no price, by `model`. */
export const METRIC_TOKENLEDGER_UNPRICED_CALLS = 'tokenledger.unpriced_calls';
/** Gauge, ratio: a budget's spend divided by its limit, by `budget`. */
export const METRIC_TOKENLEDGER_BUDGET_SPEND_RATIO = 'tokenledger.budget.spend_ratio';
/** Gauge, USD: a budget's limit, by `budget`. */
export const METRIC_TOKENLEDGER_BUDGET_LIMIT_USD = 'tokenledger.budget.limit_usd';
/** Counter, `{span}`: spans received by the ingest endpoint, by `outcome` (accepted, duplicate, rejected, ignored). */
export const METRIC_TOKENLEDGER_INGEST_SPANS = 'tokenledger.ingest.spans';
/** Counter, `{value}`: attribute values of stored spans left unused because they could not be read, by `attribute`. */
export const METRIC_TOKENLEDGER_INGEST_IGNORED_VALUES = 'tokenledger.ingest.ignored_values';
/** Histogram, `s`: time to decode, price and durably store one OTLP request. */
export const METRIC_TOKENLEDGER_INGEST_BATCH_DURATION = 'tokenledger.ingest.batch.duration';
/** Counter, `{error}`: failed writes to the store. */
export const METRIC_TOKENLEDGER_STORE_ERRORS = 'tokenledger.store.errors';
/** Counter, `{request}`: OTLP requests the ingest endpoints refused, by `reason` (unauthenticated, forbidden, too_large, undecodable, store_unavailable). */
export const METRIC_TOKENLEDGER_INGEST_REJECTED_REQUESTS = 'tokenledger.ingest.rejected_requests';
/** Counter, `{pull}`: imports of a provider's bill (admin APIs), by `provider` and `outcome` (success, failure). */
export const METRIC_TOKENLEDGER_PROVIDER_BILL_SYNCS = 'tokenledger.provider_bill.syncs';
