import { formatUsd, parseUsdToNanos, PriceBook } from '../src';

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
