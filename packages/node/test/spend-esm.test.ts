import type { StoredCall } from './support/collector-api';
import { runAppPricedByCollector } from './support/priced-app';
import { IMPORT_HOOK } from './support/run-app';

jest.setTimeout(180_000);

/**
 * Batch jobs and a Live session from an ESM app, through the ESM loader hook alone
 * (`--import @tokenledger/node/register`), priced by the real collector. Expected costs are worked
 * out from the published rates cited beside them (USD per 1M tokens) and the mock's usage rules: a
 * one-message prompt "hi" is 10 + 2 / 4 = 10 tokens, every reply 3 words.
 */
describe('batch jobs and a Live session of an ESM app, priced by the real collector', () => {
  let records: StoredCall[];
  let output: Record<string, unknown>;
  let stop = async () => {};
  beforeAll(async () => {
    ({ output, records, stop } = await runAppPricedByCollector(IMPORT_HOOK, 'spend-esm-app.mjs'));
  });
  afterAll(() => stop());

  it('ran each job and the session as the SDKs promise', () => {
    expect(output).toEqual({ openai: 1, anthropic: 1, gemini: 1, live: 10 });
  });

  it('prices each batch result once at the batch rate and the Live turn per modality, for the user the jobs were created for', () => {
    expect(records).toHaveLength(4);
    const byModel = Object.fromEntries(records.map((r) => [r.model, [r.operation, r.batch, r.costNanos, r.user]]));
    expect(byModel).toEqual({
      // https://platform.openai.com/docs/guides/batch: half of gpt-4o-mini's $0.15 in / $0.60 out: (10 × 0.15 + 3 × 0.60) / 2 = 1.65 µ$.
      'gpt-4o-mini-2024-07-18': ['chat', true, '1650', 'gus'],
      // https://docs.anthropic.com/en/docs/build-with-claude/batch-processing: half of Sonnet 4.5's $3 in / $15 out: (10 × 3 + 3 × 15) / 2 = 37.5 µ$.
      'claude-sonnet-4-5-20250929': ['chat', true, '37500', 'gus'],
      // https://ai.google.dev/gemini-api/docs/batch-mode: half of Gemini 2.5 Flash's $0.30 in / $2.50 out: (10 × 0.30 + 3 × 2.50) / 2 = 5.25 µ$.
      'gemini-2.5-flash': ['generate_content', true, '5250', 'gus'],
      // https://ai.google.dev/gemini-api/docs/pricing Gemini 2.5 Flash Native Audio: $0.50 text in, $12 audio out: 10 × 0.50 + 30 × 12 = 365 µ$.
      'gemini-live-2.5-flash-preview': ['generate_content', false, '365000', 'gus'],
    });
  });
});
