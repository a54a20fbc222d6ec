import { estimateTextTokens } from '@tokenledger/instrumentation-common';
import { finishedSpans, type Harness, harness, headers } from './setup';

const PROMPT = 'Summarise the quarterly report in three bullet points, please.';
const REPLY = 'Hello from gemini-2.5-flash!';
const NO_USAGE = { 'x-mock-scenario': 'noUsage' };
const tokens = (text: string) => estimateTextTokens('gemini-2.5-flash', text);

describe('responses that report no usage', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('estimates a generation from the prompt, system instruction and reply, and says so', async () => {
    const res = await h.ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: PROMPT,
      config: { systemInstruction: 'Be brief.', ...headers(NO_USAGE) },
    });
    expect(res.usageMetadata).toBeUndefined();
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': tokens(`${PROMPT}Be brief.`),
      'gen_ai.usage.output_tokens': tokens(REPLY),
      'tokenledger.usage.estimated': true,
    });
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(5);
  });

  it('estimates a stream from the text that streamed', async () => {
    for await (const _ of await h.ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: PROMPT,
      config: headers({ ...NO_USAGE, 'x-mock-repeat': '2' }),
    })) {
      /* drain */
    }
    const [span] = await finishedSpans(h);
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': tokens(PROMPT),
      'gen_ai.usage.output_tokens': tokens(`${REPLY} ${REPLY}`),
      'tokenledger.usage.estimated': true,
    });
  });

  it('does not mark reported usage as estimated', async () => {
    await h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT });
    const [span] = await finishedSpans(h);
    expect(span.attributes['tokenledger.usage.estimated']).toBeUndefined();
  });

  it('estimates legacy embeddings from the texts embedded', async () => {
    const model = h.legacy('text-embedding-004');
    await model.embedContent('abcdefgh', { customHeaders: NO_USAGE });
    await model.batchEmbedContents({ requests: [{ content: { role: 'user', parts: [{ text: PROMPT }] } }] }, { customHeaders: NO_USAGE });
    const spans = await finishedSpans(h);
    expect(spans.map((s) => [s.attributes['gen_ai.usage.input_tokens'], s.attributes['tokenledger.usage.estimated']])).toEqual([
      [estimateTextTokens('text-embedding-004', 'abcdefgh'), true],
      [estimateTextTokens('text-embedding-004', PROMPT), true],
    ]);
  });
});
