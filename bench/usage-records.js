// Whole UsageRecords (what the pricing step hands the store) for the benchmarks that write through a
// store's own ingest, from a small description, and a seeded random source so two stores can be
// given the very same records.
'use strict';

/** A deterministic random source: the same seed gives the same sequence (mulberry32). */
function seededRandom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, below: (n) => Math.floor(next() * n) };
}

/**
 * A record with id `i` (unique per i; the same i gives the same id) of tenant "default" and service
 * "shop": `r` = { timeMs, provider, model, type, user, agent (or null), feature, status, costNanos
 * (bigint, ignored when unpriced), unpriced (0 or 1), input, output, durationMs, and optionally
 * conversation and tags }.
 */
function usageRecord(i, r) {
  const traceId = i.toString(16).padStart(32, '0');
  const spanId = '0'.repeat(16);
  return {
    id: traceId + spanId,
    traceId,
    spanId,
    tenant: 'default',
    timeMs: r.timeMs,
    service: 'shop',
    environment: null,
    provider: r.provider,
    model: r.model,
    requestModel: r.model,
    operation: r.type === 'embedding' ? 'embeddings' : 'chat',
    costType: r.type,
    tokens: { input: r.input, output: r.output, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    audioTokens: null,
    imageCount: null,
    imageSize: null,
    imageQuality: null,
    audioSeconds: null,
    characters: null,
    paymentAmountUsd: null,
    paymentGateway: null,
    user: r.user,
    agent: r.agent,
    conversation: r.conversation ?? null,
    feature: r.feature,
    tags: r.tags ?? {},
    status: r.status,
    errorType: r.status === 'error' ? 'server_error' : null,
    durationMs: r.durationMs,
    costNanos: r.unpriced ? null : r.costNanos,
    unpricedReason: r.unpriced ? 'unknown_model' : null,
    unitPrices: {},
    priceSource: 'bench',
    priceBookVersion: 'bench',
    providedCostNanos: null,
    estimated: false,
    batch: false,
    source: 'tokenledger',
  };
}

module.exports = { seededRandom, usageRecord };
