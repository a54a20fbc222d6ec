// Prices per second for a realistic mix of usages, on one core, after warm-up.
// Run: ./run node bench/pricing.bench.js   (build first: ./run build)
'use strict';
const { PriceBook } = require('../packages/pricing/dist');

const book = PriceBook.load({ pricesFile: null });
const at = Date.parse('2026-11-01T12:00:00Z');
let seed = 7;
const next = (n) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;

// Shares roughly as a product team sees them: mostly chat across providers, some cached, embeddings,
// a few images and transcriptions, and a trickle of models the book does not know.
const shapes = [
  [30, () => ({ provider: 'openai', model: 'gpt-4o-2024-08-06', inputTokens: 500 + next(4000), outputTokens: next(1500) })],
  [
    15,
    () => {
      const c = next(2000);
      return { provider: 'openai', model: 'gpt-4o-mini', inputTokens: c + next(3000), cacheReadTokens: c, outputTokens: next(800) };
    },
  ],
  [
    15,
    () => {
      const r = next(1000);
      const w = next(500);
      return {
        provider: 'anthropic',
        model: 'claude-3-5-sonnet-20241022',
        inputTokens: r + w + next(3000),
        cacheReadTokens: r,
        cacheWriteTokens: w,
        outputTokens: next(1200),
      };
    },
  ],
  [15, () => ({ provider: 'gcp.gemini', model: 'gemini-2.5-flash', inputTokens: next(250_000), outputTokens: next(2000), reasoningTokens: 0 })],
  [5, () => ({ provider: 'gcp.gemini', model: 'gemini-2.5-pro', inputTokens: 150_000 + next(100_000), outputTokens: next(4000) })],
  [10, () => ({ provider: 'openai', model: 'text-embedding-3-small', operation: 'embeddings', inputTokens: next(8000) })],
  [3, () => ({ provider: 'openai', model: 'dall-e-3', images: { count: 1, size: '1024x1024', quality: next(2) ? 'hd' : 'standard' } })],
  [3, () => ({ provider: 'openai', model: 'whisper-1', audioSeconds: next(600) })],
  [2, () => ({ provider: 'openai', model: 'tts-1', characters: next(4000) })],
  [2, () => ({ provider: 'acme', model: `unknown-${next(5)}`, inputTokens: 10, outputTokens: 10 })],
];
const total = shapes.reduce((s, [w]) => s + w, 0);
const pick = () => {
  let r = next(total);
  for (const [w, make] of shapes) if ((r -= w) < 0) return make();
  throw new Error('unreachable');
};
const usages = Array.from({ length: 100_000 }, () => ({ ...pick(), timestamp: at }));

function run(n) {
  let priced = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (book.price(usages[i % usages.length]).status === 'priced') priced++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSecond: n / seconds, priced };
}

run(200_000); // warm-up
const rounds = [1, 2, 3].map(() => run(1_000_000).perSecond);
rounds.sort((a, b) => a - b);
console.log(
  `pricing: ${Math.round(rounds[1]).toLocaleString('en-US')} priced usages/s (median of 3 × 1,000,000, mix of ${shapes.length} shapes, Node ${process.version})`,
);
