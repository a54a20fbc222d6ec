import type { StoredCall } from './support/collector-api';
import { runAppPricedByCollector } from './support/priced-app';
import { REQUIRE_HOOK } from './support/run-app';

jest.setTimeout(180_000);

/**
 * Token details priced at their own rates, through the register hook alone: the real SDKs against
 * the mock server, exported to the real collector. Expected costs are worked out from the published
 * rates cited beside them (USD per 1M tokens) and the mock's documented usage rules.
 */
describe('cache writes by TTL and prompts by modality, priced by the real collector', () => {
  let records: StoredCall[];
  let output: Record<string, unknown>;
  let stop = async () => {};
  beforeAll(async () => {
    ({ output, records, stop } = await runAppPricedByCollector(REQUIRE_HOOK, 'token-details-app.cjs'));
  });
  afterAll(() => stop());
  const ofModel = (model: string) => records.filter((r) => r.model === model);

  it('ran the calls as the SDKs report them', () => {
    expect(output).toEqual({
      anthropic: [
        { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 40 },
        { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 40 },
      ],
      gemini: [
        ['TEXT 20', 'AUDIO 32', 'IMAGE 258'],
        ['TEXT 20', 'AUDIO 32', 'IMAGE 258'],
      ],
    });
  });

  it('prices Anthropic 1-hour cache writes apart from 5-minute ones, plain and streamed', () => {
    // https://www.anthropic.com/pricing#api Claude Sonnet 4.5: $3 in, $0.30 cache reads, $3.75 5-minute and $6 1-hour cache writes, $15 out.
    // The prompt is 10 + 400 / 4 = 110 tokens: 20 read, 20 written for 5 minutes, 40 for an hour, 30 uncached; 3 out:
    //   30 × 3 + 20 × 0.30 + 20 × 3.75 + 40 × 6 + 3 × 15 = 90 + 6 + 75 + 240 + 45 = 456 µ$ (at the 5-minute rate alone: 336 µ$).
    const calls = ofModel('claude-sonnet-4-5-20250929');
    expect(calls.map((r) => r.costNanos)).toEqual(['456000', '456000']);
    for (const r of calls)
      expect(r).toMatchObject({
        tokens: { input: 110, cacheRead: 20, cacheWrite: 60, output: 3 },
        tokenDetails: expect.objectContaining({ cacheWrite1h: 40 }),
      });
  });

  it('prices a Gemini prompt per modality, audio at its own rate, plain and streamed', () => {
    // https://ai.google.dev/gemini-api/docs/pricing Gemini 2.5 Flash: input $0.30 text, image and video, $1.00 audio; output $2.50.
    // The prompt is 10 + 40 / 4 = 20 text tokens, 1 s of audio at 32 tokens a second and an image of 258 tokens; 3 out:
    //   (20 + 258) × 0.30 + 32 × 1.00 + 3 × 2.50 = 83.4 + 32 + 7.5 = 122.9 µ$ (all at the text rate: 100.5 µ$).
    const calls = ofModel('gemini-2.5-flash');
    expect(calls.map((r) => r.costNanos)).toEqual(['122900', '122900']);
    for (const r of calls)
      expect(r).toMatchObject({
        tokens: { input: 310, output: 3 },
        audioTokens: { input: 32, output: 0 },
        tokenDetails: expect.objectContaining({ imageInput: 258 }),
      });
  });
});
