import * as semconv from '../src';

describe('semantic convention names', () => {
  const names = Object.entries(semconv).filter(([key, value]) => (key.startsWith('ATTR_') || key.startsWith('METRIC_')) && typeof value === 'string') as [
    string,
    string,
  ][];

  it('defines each name once, so two constants never disagree about one attribute', () => {
    const seen = new Map<string, string>();
    for (const [key, value] of names) {
      expect(seen.has(value) ? `${key} duplicates ${seen.get(value)}` : undefined).toBeUndefined();
      seen.set(value, key);
    }
  });

  it('uses the spec names for the fields cost depends on', () => {
    expect(semconv.ATTR_GEN_AI_PROVIDER_NAME).toBe('gen_ai.provider.name');
    expect(semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS).toBe('gen_ai.usage.input_tokens');
    expect(semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS).toBe('gen_ai.usage.cache_read.input_tokens');
    expect(semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS).toBe('gen_ai.usage.cache_creation.input_tokens');
    expect(semconv.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS).toBe('gen_ai.usage.reasoning.output_tokens');
    expect(semconv.ATTR_TOKENLEDGER_USAGE_AUDIO_INPUT_TOKENS).toBe('tokenledger.usage.audio.input_tokens');
    expect(semconv.ATTR_TOKENLEDGER_USAGE_AUDIO_OUTPUT_TOKENS).toBe('tokenledger.usage.audio.output_tokens');
  });

  it('keeps every tokenledger name under the tokenledger namespace', () => {
    for (const [key, value] of names) {
      if (key.startsWith('ATTR_TOKENLEDGER_') || key.startsWith('METRIC_TOKENLEDGER_')) {
        expect(value.startsWith('tokenledger.')).toBe(true);
      }
    }
  });

  it('gives bucket boundaries in increasing order', () => {
    for (const buckets of [semconv.TOKEN_USAGE_BUCKETS, semconv.OPERATION_DURATION_BUCKETS, semconv.TIME_TO_FIRST_CHUNK_BUCKETS]) {
      expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    }
  });
});
