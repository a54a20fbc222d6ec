import { billedAmountToNanos, formatUsd, parseUsdToNanos, PriceBook } from '../src';
import { computeCost } from '../src/compute';
import { parseDecimal } from '../src/decimal';
import { planFor, type PricePlan } from '../src/plan';

describe('exact money', () => {
  it('sums one million random small costs to the exact integer total', () => {
    // A deterministic generator, so a failure can be replayed.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const book = PriceBook.load({ pricesFile: null });
    let sum = 0n;
    let uncached = 0;
    let cached = 0;
    let output = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const cacheRead = next() % 20;
      const input = cacheRead + (next() % 50);
      const out = next() % 50;
      const priced = book.price({ provider: 'openai', model: 'gpt-4o', inputTokens: input, cacheReadTokens: cacheRead, outputTokens: out });
      if (priced.status !== 'priced') throw new Error(`unpriced: ${priced.detail}`);
      sum += priced.costNanos;
      uncached += input - cacheRead;
      cached += cacheRead;
      output += out;
    }
    // gpt-4o: $2.50 / $1.25 cached / $10 per 1M tokens = 2,500 / 1,250 / 10,000 nano-USD per token.
    expect(sum).toBe(BigInt(uncached) * 2500n + BigInt(cached) * 1250n + BigInt(output) * 10_000n);
  });

  it.each([
    [0n, '0.000000000'],
    [1n, '0.000000001'],
    [23_750_000n, '0.023750000'],
    [12_345_678_901_234_567_890n, '12345678901.234567890'],
    [-5n, '-0.000000005'],
  ])('formats %p nano-USD as %p', (nanos, usd) => {
    expect(formatUsd(nanos)).toBe(usd);
  });

  it('rounds half up when fewer places are asked for', () => {
    expect(formatUsd(23_750_000n, 2)).toBe('0.02');
    expect(formatUsd(5_000_000n, 2)).toBe('0.01');
    expect(formatUsd(4_999_999n, 2)).toBe('0.00');
  });

  it.each([
    ['10.00', 10_000_000_000n],
    ['0.000000001', 1n],
    ['123', 123_000_000_000n],
    ['-1.5', -1_500_000_000n],
  ])('parses %p USD to %p nano-USD exactly', (usd, nanos) => {
    expect(parseUsdToNanos(usd)).toBe(nanos);
  });

  it.each(['abc', '1.0000000001', '1e3', '', '1,50'])('rejects %p with a clear error', (bad) => {
    expect(() => parseUsdToNanos(bad)).toThrow(/USD amount/);
  });
});

describe('the integer fast path and the exact fraction path agree', () => {
  const book = PriceBook.load({ pricesFile: null });

  it('prices token counts past 2^53 pico-USD exactly (the fraction path)', () => {
    const tokens = 9_000_000_000_000_000; // a safe integer whose cost in pico-USD is not
    const result = book.price({ provider: 'openai', model: 'gpt-4o', inputTokens: tokens });
    expect(result.status === 'priced' && result.costNanos).toBe(BigInt(tokens) * 2500n);
  });

  it('gives the same exact total on both paths for 10,000 random usages', () => {
    // Claude 3.5 Sonnet's prices (input, cache write, cache read, output) in USD per 1M tokens.
    const table = {
      tokens: {
        input_mtok: parseDecimal('3')!,
        cache_write_mtok: parseDecimal('3.75')!,
        cache_read_mtok: parseDecimal('0.3')!,
        output_mtok: { base: parseDecimal('15')!, tiers: [{ start: 200_000, price: parseDecimal('22.5')! }] },
      },
    };
    const fast = planFor(table, {});
    // The same plan with no integer pico prices: every line goes through BigInt fractions.
    const exactOnly = JSON.parse(
      JSON.stringify(fast, (k, v: unknown) => (k === 'picos' ? null : typeof v === 'bigint' ? `${v}n` : v)),
      (_k, v: unknown) => (typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v),
    ) as PricePlan;
    let seed = 11;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 10_000; i++) {
      const cacheRead = next(50_000);
      const cacheWrite = next(50_000);
      const usage = {
        provider: 'anthropic',
        model: 'x',
        inputTokens: cacheRead + cacheWrite + next(300_000),
        cacheReadTokens: cacheRead,
        cacheWriteTokens: cacheWrite,
        outputTokens: next(10_000),
      };
      const a = computeCost(usage, fast);
      const b = computeCost(usage, exactOnly);
      expect(a.totalPicos).not.toBeNull();
      expect(b.totalPicos).toBeNull();
      expect(a.total.num * b.total.den).toBe(b.total.num * a.total.den);
    }
  });

  it('rounds fractional seconds exactly (the fraction path)', () => {
    // whisper-1: $0.36 per hour = $0.0001 per second; 0.333 s = $0.0000333 = 33,300 nano-USD
    const result = book.price({ provider: 'openai', model: 'whisper-1', audioSeconds: 0.333 });
    expect(result.status === 'priced' && result.costNanos).toBe(33_300n);
  });

  it.each([
    ['0.06', 1, 60_000_000n],
    ['1.2345678905', 1, 1_234_567_891n],
    ['1.2345678904', 1, 1_234_567_890n],
    ['0.123456789123456789', 1, 123_456_789n],
    ['1.5e-7', 1, 150n],
    ['2E3', 1, 2_000_000_000_000n],
    ['-0.0000000015', 1, -2n],
    ['123.45', 100, 1_234_500_000n],
    ['0.000001', 100, 10n],
    ['0.00000005', 100, 1n],
    ['0.00000004', 100, 0n],
  ] as const)('reads the billed amount %p (1/%p USD) as %p nano-USD, without a float', (text, unitsPerUsd, nanos) => {
    expect(billedAmountToNanos(text, unitsPerUsd)).toBe(nanos);
  });

  it('reads a billed amount a double would round, digit for digit', () => {
    // 9007199254.740993 is not a double: Number() would read it as 9007199254.740992.
    expect(billedAmountToNanos('9007199254.740993')).toBe(9_007_199_254_740_993_000n);
  });

  it.each(['', '1,5', '$2', 'NaN', '1e', '0x10'])('refuses %p as a billed amount', (text) => {
    expect(() => billedAmountToNanos(text)).toThrow(TypeError);
  });
});
