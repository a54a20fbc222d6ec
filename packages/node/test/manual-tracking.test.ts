import { trackAudio, trackEmbedding, trackImageGeneration, trackLLMCall, trackPaymentFee, withAttribution } from '../src';
import { type InProcess, inProcess } from './support/in-process';

describe('manual tracking', () => {
  let h: InProcess;
  beforeEach(async () => {
    h = await inProcess();
  });
  afterEach(() => h.close());
  const only = async () => {
    const spans = await h.spans();
    expect(spans).toHaveLength(1);
    return spans[0];
  };

  it('records an LLM call as the same GenAI span and token metrics a patch emits', async () => {
    withAttribution({ userId: 'from-context', feature: 'summaries' }, () =>
      trackLLMCall({
        userId: 'dana',
        agentId: 'writer',
        provider: 'qwen-local',
        model: 'qwen2.5-7b',
        inputTokens: 1200,
        outputTokens: 300,
        cacheReadTokens: 200,
        reasoningTokens: 50,
        metadata: { gpu: 'a10' },
      }),
    );
    const span = await only();
    expect(span.name).toBe('chat qwen2.5-7b');
    expect(span.instrumentationScope.name).toBe('@tokenledger/node');
    expect(span.attributes).toEqual(
      expect.objectContaining({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'qwen-local',
        'gen_ai.request.model': 'qwen2.5-7b',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.usage.cache_read.input_tokens': 200,
        'gen_ai.usage.reasoning.output_tokens': 50,
        'user.id': 'dana', // the explicit user wins over the context's
        'gen_ai.agent.id': 'writer',
        'tokenledger.feature': 'summaries', // what is not given comes from the context
        'tokenledger.cost.type': 'llm',
        'tokenledger.metadata': '{"gpu":"a10"}',
      }),
    );
    const points = (await h.metrics()).scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'gen_ai.client.token.usage')!.dataPoints;
    expect(points.map((p) => [p.attributes['gen_ai.token.type'], (p.value as { sum: number }).sum]).sort()).toEqual([
      ['input', 1200],
      ['output', 300],
    ]);
  });

  it('keeps an explicit cost as the provided cost, exact decimal text', async () => {
    trackEmbedding({ provider: 'local', model: 'bge-small', tokens: 512, cost: '0.0000512' });
    expect((await only()).attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.usage.input_tokens': 512,
      'tokenledger.cost.provided_usd': '0.0000512',
      'tokenledger.cost.type': 'embedding',
    });
  });

  it('records generated images with count, size and quality', async () => {
    trackImageGeneration({ provider: 'aihorde', model: 'stable_diffusion', resolution: '512x768', count: 2, quality: 'standard' });
    const span = await only();
    expect(span.name).toBe('image_generation stable_diffusion');
    expect(span.attributes).toMatchObject({
      'tokenledger.image.count': 2,
      'tokenledger.image.size': '512x768',
      'tokenledger.image.quality': 'standard',
      'tokenledger.cost.type': 'image',
    });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('records speech to text by seconds and text to speech by characters', async () => {
    trackAudio({ provider: 'openai', model: 'whisper-1', seconds: 61.5 });
    trackAudio({ provider: 'openai', model: 'tts-1', characters: 1400 });
    const [stt, tts] = await h.spans();
    expect(stt.attributes).toMatchObject({
      'gen_ai.operation.name': 'audio_transcription',
      'tokenledger.audio.seconds': 61.5,
      'tokenledger.cost.type': 'audio',
    });
    expect(tts.attributes).toMatchObject({ 'gen_ai.operation.name': 'speech', 'tokenledger.speech.characters': 1400, 'tokenledger.cost.type': 'speech' });
  });

  it('records a payment gateway fee on the amount charged', async () => {
    trackPaymentFee({ userId: 'erin', gateway: 'Stripe', amount: '10.00', metadata: { invoice: 'in_1' } });
    const span = await only();
    expect(span.name).toBe('payment stripe');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'payment',
      'tokenledger.payment.gateway': 'stripe',
      'tokenledger.payment.amount': '10.00',
      'user.id': 'erin',
      'tokenledger.cost.type': 'payment',
    });
  });

  it('records a failed call with its error type', async () => {
    trackLLMCall({ provider: 'local', model: 'llama', inputTokens: 10, outputTokens: 0, error: Object.assign(new Error('overloaded'), { status: 503 }) });
    const span = await only();
    expect(span.attributes['error.type']).toBe('503');
    expect(span.status.code).toBe(2);
  });

  it.each([
    ['trackLLMCall: model is required', () => trackLLMCall({ provider: 'p', inputTokens: 1, outputTokens: 1 } as never)],
    [
      'trackLLMCall: inputTokens must be a whole number of 0 or more, got -1',
      () => trackLLMCall({ provider: 'p', model: 'm', inputTokens: -1, outputTokens: 1 }),
    ],
    [
      'trackLLMCall: outputTokens must be a whole number of 0 or more, got NaN',
      () => trackLLMCall({ provider: 'p', model: 'm', inputTokens: 1, outputTokens: NaN }),
    ],
    ['trackLLMCall: inputTokens must be a whole number', () => trackLLMCall({ provider: 'p', model: 'm', inputTokens: 1.5, outputTokens: 1 })],
    [
      'cacheReadTokens + cacheWriteTokens must not exceed inputTokens',
      () => trackLLMCall({ provider: 'p', model: 'm', inputTokens: 10, outputTokens: 1, cacheReadTokens: 11 }),
    ],
    ['trackLLMCall: provider is required', () => trackLLMCall({ model: 'm', inputTokens: 1, outputTokens: 1 } as never)],
    ['trackLLMCall: operation must be one of', () => trackLLMCall({ provider: 'p', model: 'm', inputTokens: 1, outputTokens: 1, operation: 'dance' })],
    ['trackLLMCall: expected an options object', () => trackLLMCall(undefined as never)],
    ['trackEmbedding: cost must be an amount in USD', () => trackEmbedding({ provider: 'p', model: 'm', tokens: 3, cost: '-1' })],
    ['trackEmbedding: cost must be an amount in USD', () => trackEmbedding({ provider: 'p', model: 'm', tokens: 3, cost: 1e-7 })],
    ['trackEmbedding: tokens must be a whole number', () => trackEmbedding({ provider: 'p', model: 'm' } as never)],
    ['trackImageGeneration: resolution must be WIDTHxHEIGHT', () => trackImageGeneration({ provider: 'p', model: 'm', resolution: 'big' })],
    ['trackAudio: seconds (speech to text) or characters (text to speech) is required', () => trackAudio({ provider: 'p', model: 'm' })],
    ['trackAudio: seconds must be a finite number', () => trackAudio({ provider: 'p', model: 'm', seconds: Infinity })],
    ['trackPaymentFee: amount must be an amount in USD', () => trackPaymentFee({ gateway: 'stripe', amount: 'ten' })],
    ['trackPaymentFee: gateway is required', () => trackPaymentFee({ amount: '1.00' } as never)],
    ['trackLLMCall: userId must be a non-empty string', () => trackLLMCall({ provider: 'p', model: 'm', inputTokens: 1, outputTokens: 1, userId: '' })],
    [
      'trackLLMCall: metadata must be a plain object',
      () => trackLLMCall({ provider: 'p', model: 'm', inputTokens: 1, outputTokens: 1, metadata: 'x' as never }),
    ],
  ])('throws a TypeError at the call, naming the field: %s', async (message, call) => {
    let thrown: unknown;
    try {
      call();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toContain(message);
    expect(await h.spans()).toHaveLength(0);
  });
});
