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
  });
  afterEach(async () => {
    setCallGate(null);
    await h.close();
  });

  it('a refused call rejects with the gate error and sends no request', async () => {
    setCallGate((call) => {
      seen.push(call);
      return call.attributes[ATTR_USER_ID] === 'over-budget' ? new Refused('budget exceeded') : null;
    });
    await expect(
      asUser('over-budget', () => h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })),
    ).rejects.toBeInstanceOf(Refused);
    expect(h.server.requests).toHaveLength(0);
    expect(seen[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', operation: 'chat' });

    const ok = await asUser('within-budget', () => h.client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }));
    expect(ok.data).toHaveLength(1);
    expect(h.server.requests).toHaveLength(1);
    expect(seen[1]).toMatchObject({ operation: 'embeddings', attributes: { [ATTR_USER_ID]: 'within-budget' } });
  });

  it("a synchronous allow returns the SDK's own APIPromise (withResponse keeps working)", async () => {
    setCallGate(() => null);
    const { data, response } = await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.status).toBe(200);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it("a cold (asynchronous) decision delays the call until it is known, in the caller's context", async () => {
    setCallGate(async (call) => {
      await new Promise((r) => setTimeout(r, 20));
      return call.attributes[ATTR_USER_ID] === 'blocked' ? new Refused('no') : null;
    });
    const res = await asUser('alice', () => h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.choices).toHaveLength(1);
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes[ATTR_USER_ID]).toBe('alice');
    await expect(asUser('blocked', () => h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }))).rejects.toBeInstanceOf(Refused);
    expect(h.server.requests).toHaveLength(1);
  });

  it('while a cold decision is pending, the SDK helpers that build on create keep working', async () => {
    setCallGate(async (call) => {
      await new Promise((r) => setTimeout(r, 10));
      return call.attributes[ATTR_USER_ID] === 'blocked' ? new Refused('no') : null;
    });
    const { data, response } = await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.status).toBe(200);
    expect(data.choices).toHaveLength(1);
    const parsed = await h.client.chat.completions.parse({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(parsed.choices[0].message).toBeDefined();
    // A refusal fails the helper the way an API error would, and sends nothing.
    const before = h.server.requests.length;
    await expect(asUser('blocked', () => h.client.chat.completions.parse({ model: 'gpt-4o-mini', messages: [] }))).rejects.toBeInstanceOf(Refused);
    expect(h.server.requests).toHaveLength(before);
    expect((await finishedSpans(h)).filter((s) => s.name === 'chat gpt-4o-mini')).toHaveLength(2);
  });

  it('a gate that throws lets the call through', async () => {
    setCallGate(() => {
      throw new Error('gate bug');
    });
    const res = await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.choices).toHaveLength(1);
    expect(h.server.requests).toHaveLength(1);
  });
});
