import { type CallDescription, setCallGate } from '@tokenledger/instrumentation-common';
import { ATTR_USER_ID } from '@tokenledger/semconv';
import { asUser, Refused } from '@tokenledger/otel-harness';
import { finishedSpans, type Harness, harness } from './setup';

describe('call gate (what the budget guard plugs into)', () => {
  let h: Harness;
  const seen: CallDescription[] = [];
  beforeEach(async () => {
    h = await harness();
    seen.length = 0;
    setCallGate((call) => {
      seen.push(call);
      return call.attributes[ATTR_USER_ID] === 'over-budget' ? new Refused('budget exceeded') : null;
    });
  });
  afterEach(async () => {
    setCallGate(null);
    await h.close();
  });

  it('a refused generateContent, stream, chat turn or embedding rejects with the gate error and sends no request', async () => {
    await asUser('over-budget', async () => {
      await expect(h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })).rejects.toBeInstanceOf(Refused);
      await expect(h.ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })).rejects.toBeInstanceOf(Refused);
      await expect(h.ai.chats.create({ model: 'gemini-2.5-flash' }).sendMessage({ message: 'hi' })).rejects.toBeInstanceOf(Refused);
      await expect(h.vertex.models.embedContent({ model: 'text-embedding-005', contents: 'hi' })).rejects.toBeInstanceOf(Refused);
      await expect(h.legacy('gemini-1.5-flash').generateContent('hi')).rejects.toBeInstanceOf(Refused);
    });
    expect(h.server.requests).toHaveLength(0);
    expect(await finishedSpans(h)).toHaveLength(0);
    expect(seen.map((c) => [c.provider, c.model, c.operation])).toEqual([
      ['gcp.gemini', 'gemini-2.5-flash', 'generate_content'],
      ['gcp.gemini', 'gemini-2.5-flash', 'generate_content'],
      ['gcp.gemini', 'gemini-2.5-flash', 'generate_content'],
      ['gcp.vertex_ai', 'text-embedding-005', 'embeddings'],
      ['gcp.gemini', 'gemini-1.5-flash', 'generate_content'],
    ]);
  });

  it('an allowed call goes through with its attribution', async () => {
    const res = await asUser('within-budget', () => h.ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }));
    expect(res.text).toBe('Hello from gemini-2.5-flash!');
    expect(h.server.requests).toHaveLength(1);
    expect(seen[0].attributes).toEqual({ [ATTR_USER_ID]: 'within-budget' });
    const [span] = await finishedSpans(h);
    expect(span.attributes[ATTR_USER_ID]).toBe('within-budget');
  });

  it('a cold (asynchronous) refusal also stops the request', async () => {
    setCallGate(async () => {
      await new Promise((r) => setTimeout(r, 10));
      return new Refused('no');
    });
    await expect(h.legacy('gemini-1.5-flash').generateContentStream('hi')).rejects.toBeInstanceOf(Refused);
    expect(h.server.requests).toHaveLength(0);
  });
});
