import { setCallGate } from '@tokenledger/instrumentation-common';
import { AnthropicInstrumentation, isSupportedVersion } from '../src';
import { finishedSpans, type Harness, harness, MODEL, PROMPT } from './setup';

const BODY = { model: MODEL, max_tokens: 100, messages: PROMPT };
const CACHE = { headers: { 'x-mock-cache-read-tokens': '12', 'x-mock-cache-creation-tokens': '5' } };

describe('supported versions', () => {
  it.each([
    ['1.14.0', true],
    ['1.0.0', true],
    ['0.137.0', true],
    ['0.50.4', true],
    ['0.49.9', false],
    ['2.0.0', false],
    ['not-a-version', false],
  ])('%s is supported: %s', (version, supported) => {
    expect(isSupportedVersion(version)).toBe(supported);
  });

  it('leaves an out-of-range release alone with one clear warning', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    // The exports as the instrumentation reads them: the prototype's methods are values to compare, not to call.
    const sdk = require('@anthropic-ai/sdk') as { Anthropic: { Messages: { prototype: Record<string, unknown> } } };
    const create = sdk.Anthropic.Messages.prototype.create;
    const instrumentation = new AnthropicInstrumentation({ enabled: false });
    try {
      instrumentation.patch(sdk, '2.0.0');
      instrumentation.patch(sdk, '2.0.0');
      expect(sdk.Anthropic.Messages.prototype.create).toBe(create);
      const warnings = warn.mock.calls.map((c) => String(c[0]));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('@anthropic-ai/sdk 2.0.0 is outside the supported range >=0.50.0 <2');
    } finally {
      warn.mockRestore();
    }
  });
});

describe('the previous major (0.x, oldest supported release 0.50.4)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({}, {}, 'anthropic-sdk-0-50');
  });
  afterEach(async () => {
    setCallGate(null);
    await h.close();
  });

  it('records plain, streamed and helper calls with cache tokens folded in', async () => {
    await h.client.messages.create(BODY, CACHE);
    const stream = await h.client.messages.create({ ...BODY, stream: true }, CACHE);
    for await (const _ of stream) {
      /* drain */
    }
    const final = await h.client.messages.stream(BODY, CACHE).finalMessage();
    expect(final.usage.output_tokens).toBe(3);
    await h.client.beta.messages.create(BODY, CACHE);
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(4);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.usage.input_tokens': 20,
        'gen_ai.usage.cache_read.input_tokens': 12,
        'gen_ai.usage.cache_creation.input_tokens': 5,
        'gen_ai.usage.output_tokens': 3,
      });
    }
  });

  it('lets the gate refuse before anything is sent', async () => {
    setCallGate(() => new Error('budget exceeded'));
    await expect(h.client.messages.create(BODY)).rejects.toThrow('budget exceeded');
    await expect(h.client.messages.stream(BODY).finalMessage()).rejects.toThrow('budget exceeded');
    expect(h.server.requests).toHaveLength(0);
  });
});
