import type { UsageRecord } from '../../src/usage/usage-record';

let counter = 0;

/** A priced record with sensible defaults; ids are unique unless given. */
export function record(overrides: Partial<UsageRecord> = {}): UsageRecord {
  counter++;
  const traceId = overrides.traceId ?? counter.toString(16).padStart(32, '0');
  const spanId = overrides.spanId ?? counter.toString(16).padStart(16, '0');
  return {
    id: traceId + spanId,
    traceId,
    spanId,
    tenant: 'default',
    timeMs: Date.UTC(2026, 10, 24, 12, 0, 0),
    service: 'checkout',
    environment: null,
    provider: 'openai',
    model: 'gpt-4o',
    requestModel: 'gpt-4o',
    operation: 'chat',
    costType: 'llm',
    tokens: { input: 1500, output: 2000, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    audioTokens: null,
    tokenDetails: null,
    imageCount: null,
    imageSize: null,
    imageQuality: null,
    audioSeconds: null,
    characters: null,
    paymentAmountUsd: null,
    paymentGateway: null,
    user: 'alice',
    agent: null,
    conversation: null,
    feature: null,
    tags: {},
    status: 'ok',
    errorType: null,
    durationMs: 250,
    costNanos: 23_750_000n,
    unpricedReason: null,
    unitPrices: { input_tokens: '0.0000025', output_tokens: '0.00001' },
    priceQuantities: null,
    priceMultiplier: null,
    priceSource: 'catalog:@pydantic/genai-prices@0.1.8',
    priceBookVersion: 'pb-test',
    priorPricings: [],
    providedCostNanos: null,
    estimated: false,
    batch: false,
    batchId: null,
    source: 'tokenledger',
    ...overrides,
  };
}
