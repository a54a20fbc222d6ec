import { type CallDescription, setCallGate } from '@tokenledger/instrumentation-common';
import { AzureOpenAI } from 'openai';
import { finishedSpans, type Harness, harness } from './setup';

describe('AzureOpenAI client', () => {
  let h: Harness;
  let azure: AzureOpenAI;
  beforeEach(async () => {
    h = await harness();
    azure = new AzureOpenAI({ endpoint: h.server.url, apiKey: 'k', apiVersion: '2024-10-21', deployment: 'gpt-4o', maxRetries: 0 });
  });
  afterEach(async () => {
    setCallGate(null);
    await h.close();
  });

  it('records azure.ai.openai as the provider, for chat and embeddings, whatever its host', async () => {
    await azure.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    await azure.embeddings.create({ model: 'text-embedding-3-small', input: 'abcd' });
    expect(h.server.requests.map((r) => r.path)).toEqual(['/openai/deployments/gpt-4o/chat/completions', '/openai/deployments/gpt-4o/embeddings']);
    const spans = await finishedSpans(h);
    expect(spans.map((s) => s.attributes['gen_ai.provider.name'])).toEqual(['azure.ai.openai', 'azure.ai.openai']);
    expect(spans[0].attributes['gen_ai.usage.input_tokens']).toBe(10);
  });

  it('tells the budget guard the call goes to azure.ai.openai', async () => {
    const seen: CallDescription[] = [];
    setCallGate((call) => {
      seen.push(call);
      return null;
    });
    await azure.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(seen).toEqual([expect.objectContaining({ provider: 'azure.ai.openai', model: 'gpt-4o', operation: 'chat' })]);
  });

  it('a plain OpenAI client on the same host stays openai', async () => {
    await h.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const [span] = await finishedSpans(h);
    expect(span.attributes['gen_ai.provider.name']).toBe('openai');
  });
});
