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

/**
 * The records of ingest call `call` of `size` records for the ingest benchmarks: one tenant, model
 * and status, a second apart (a call of 2,048 spans half an hour, as a busy service's do), 1,000 users.
 * Call c holds records c·size … (c+1)·size − 1, the same in every run and store.
 */
function steadyCall(call, size) {
  return Array.from({ length: size }, (_, k) => {
    const i = call * size + k;
    return usageRecord(i, {
      timeMs: Date.UTC(2026, 9, 5) + i * 1000,
      provider: 'openai',
      model: 'gpt-4o',
      type: 'llm',
      user: `user-${i % 1000}`,
      agent: `agent-${i % 8}`,
      feature: `feature-${i % 12}`,
      status: 'ok',
      costNanos: 1000n + BigInt(i % 97),
      unpriced: 0,
      input: 200 + (i % 4000),
      output: 50 + (i % 1500),
      durationMs: 800,
    });
  });
}

module.exports = { seededRandom, steadyCall, usageRecord };
