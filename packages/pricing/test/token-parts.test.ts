import { PriceBook } from '../src';

describe('token details that cannot be parts of their totals', () => {
  const book = PriceBook.load({ pricesFile: null });
  it.each([
    [
      { inputTokens: 100, inputAudioTokens: 10, cacheReadTokens: 50, details: { cacheAudioReadTokens: 20 } },
      /details\.cacheAudioReadTokens \(20\) exceed audio input tokens \(10\)/,
    ],
    [
      { inputTokens: 100, cacheReadTokens: 50, details: { inputImageTokens: 10, cacheImageReadTokens: 11 } },
      /details\.cacheImageReadTokens \(11\) exceed image input tokens \(10\)/,
    ],
    [{ inputTokens: 100, cacheWriteTokens: 10, details: { cacheWrite1hTokens: 11 } }, /details\.cacheWrite1hTokens \(11\) exceed cache write tokens \(10\)/],
    [
      { inputTokens: 100, inputAudioTokens: 40, cacheReadTokens: 10, details: { cacheAudioReadTokens: 20 } },
      /cached audio \+ image tokens \(20\) exceed cache read tokens \(10\)/,
    ],
    [
      { inputTokens: 100, inputAudioTokens: 60, details: { inputVideoTokens: 50 } },
      /cached, audio, image and video input tokens \(110\) exceed input tokens \(100\)/,
    ],
    [
      { inputTokens: 1, outputTokens: 10, outputAudioTokens: 6, details: { outputImageTokens: 5 } },
      /audio \+ image output tokens \(11\) exceed output tokens \(10\)/,
    ],
    [{ inputTokens: 1, details: { inputVideoTokens: -1 } }, /details\.inputVideoTokens must be a non-negative integer, got -1/],
  ])('%j is unpriced with reason invalid_usage and says why', (bad, message) => {
    const result = book.price({ provider: 'openai', model: 'gpt-realtime', ...bad });
    expect(result).toMatchObject({ status: 'unpriced', reason: 'invalid_usage' });
    expect(result.status === 'unpriced' && result.detail).toMatch(message);
  });

  it('prices audio a model has no audio rate for as text, cached audio as cached text', () => {
    // gpt-4o: $2.50 in, $1.25 cached, $10 out; 600 text + 400 audio of which 100 cached → 900 × 2.5 + 100 × 1.25 µ$ + 10 × 10 µ$
    const result = book.price({
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: 1000,
      cacheReadTokens: 100,
      inputAudioTokens: 400,
      outputTokens: 10,
      details: { cacheAudioReadTokens: 100 },
    });
    expect(result).toMatchObject({ status: 'priced', costUsd: '0.002475000' });
    expect(result.status === 'priced' && Object.keys(result.unitPrices)).toEqual(['input_tokens', 'cache_read_tokens', 'output_tokens']);
  });
});
