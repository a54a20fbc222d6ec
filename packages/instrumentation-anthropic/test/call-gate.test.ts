import { type CallDescription, type GateAnswer, setCallGate } from '@tokenledger/instrumentation-common';
import { ATTR_USER_ID } from '@tokenledger/semconv';
import { asUser, Refused } from '@tokenledger/otel-harness';
import { finishedSpans, type Harness, harness, MODEL, PROMPT } from './setup';

const BODY = { model: MODEL, max_tokens: 50, messages: PROMPT };
const REFUSED_IN_HELPER = { message: 'budget exceeded', cause: expect.any(Refused) };
const refuseOverBudget = (call: CallDescription): GateAnswer => (call.attributes[ATTR_USER_ID] === 'over-budget' ? new Refused('budget exceeded') : null);
const cold = (decide: (call: CallDescription) => GateAnswer) => async (call: CallDescription) => {
  await new Promise((r) => setTimeout(r, 20));
  return decide(call);
};

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

  it('a refused call rejects with the gate error and sends no request, on every surface', async () => {
    setCallGate((call) => {
      seen.push(call);
      return refuseOverBudget(call);
    });
    await asUser('over-budget', async () => {
      await expect(h.client.messages.create(BODY)).rejects.toBeInstanceOf(Refused);
      await expect(h.client.messages.create({ ...BODY, stream: true })).rejects.toBeInstanceOf(Refused);
      await expect(h.client.beta.messages.create(BODY)).rejects.toBeInstanceOf(Refused);
      // The MessageStream helpers wrap any error that is not the SDK's own in an AnthropicError, keeping it as the cause.
      await expect(h.client.messages.stream(BODY).finalMessage()).rejects.toMatchObject(REFUSED_IN_HELPER);
      await expect(h.client.beta.messages.stream(BODY).finalMessage()).rejects.toMatchObject(REFUSED_IN_HELPER);
    });
    expect(h.server.requests).toHaveLength(0);
    expect(await finishedSpans(h)).toHaveLength(0);
    expect(seen).toHaveLength(5);
    expect(seen[0]).toEqual({ provider: 'anthropic', model: MODEL, operation: 'chat', attributes: { [ATTR_USER_ID]: 'over-budget' } });

    const ok = await asUser('within-budget', () => h.client.messages.create(BODY));
    expect(ok.id).toBe('msg_mock0001');
    expect(h.server.requests).toHaveLength(1);
  });

  it("a synchronous allow returns the SDK's own APIPromise", async () => {
    setCallGate(() => null);
    const promise = h.client.messages.create(BODY);
    expect(promise.constructor.name).toBe('APIPromise');
    const { data, response } = await promise.withResponse();
    expect(response.status).toBe(200);
    expect(data.usage.input_tokens).toBe(20);
  });

  it("a cold (asynchronous) decision delays the call until it is known, in the caller's context", async () => {
    setCallGate(cold(refuseOverBudget));
    const res = await asUser('alice', () => h.client.messages.create(BODY));
    expect(res.content).toHaveLength(1);
    const spans = await finishedSpans(h);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes).toMatchObject({ [ATTR_USER_ID]: 'alice', 'gen_ai.usage.input_tokens': 20 });
    await expect(asUser('over-budget', () => h.client.messages.create(BODY))).rejects.toBeInstanceOf(Refused);
    expect(h.server.requests).toHaveLength(1);
  });

  it('a cold decision keeps withResponse(), asResponse() and the messages.stream() helper working', async () => {
    setCallGate(cold(refuseOverBudget));
    const { data, request_id } = await h.client.messages.create(BODY).withResponse();
    expect(data.id).toBe('msg_mock0001');
    expect(request_id).toBe('req_mock_0001');
    const raw = await h.client.messages.create(BODY).asResponse();
    expect(raw.status).toBe(200);
    const texts: string[] = [];
    const final = await asUser('alice', () =>
      h.client.messages
        .stream(BODY)
        .on('text', (t) => texts.push(t))
        .finalMessage(),
    );
    expect(final.usage.output_tokens).toBe(3);
    expect(texts.join('')).toBe(`Hello from ${MODEL}!`);
    await expect(asUser('over-budget', () => h.client.messages.stream(BODY).finalMessage())).rejects.toMatchObject(REFUSED_IN_HELPER);
    expect(h.server.requests).toHaveLength(3);
    const spans = await finishedSpans(h);
    expect(spans.map((s) => s.attributes['gen_ai.usage.output_tokens'])).toEqual([3, undefined, 3]);
  });

  it("a cold decision keeps _thenUnwrap() working, which the SDK's beta stream helpers build on", async () => {
    setCallGate(cold(refuseOverBudget));
    type Unwrappable = { _thenUnwrap(transform: (data: { id: string }) => string): Promise<string> & { withResponse(): Promise<{ data: string }> } };
    const unwrapped = (h.client.messages.create(BODY) as unknown as Unwrappable)._thenUnwrap((message) => `seen ${message.id}`);
    expect((await unwrapped.withResponse()).data).toBe('seen msg_mock0001');
    expect(await unwrapped).toBe('seen msg_mock0001');
    expect(h.server.requests).toHaveLength(1);
  });

  it('an unawaited refused call raises no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      setCallGate(cold(() => new Refused('budget exceeded')));
      // Fire and forget, as an app may do with a call whose answer it does not need.
      void h.client.messages.create(BODY);
      await new Promise((r) => setTimeout(r, 80));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a gate that throws lets the call through', async () => {
    setCallGate(() => {
      throw new Error('gate bug');
    });
    const res = await h.client.messages.create(BODY);
    expect(res.content).toHaveLength(1);
    expect(h.server.requests).toHaveLength(1);
  });
});
