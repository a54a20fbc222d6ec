import { context, propagation } from '@opentelemetry/api';
import { toFile } from 'openai';
import { finishedSpans, type Harness, harness } from './setup';

const REQUESTS = [
  { custom_id: 'q-1', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(40) }] } },
  { custom_id: 'q-2', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } },
  { custom_id: 'e-1', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'abcdefgh' } },
];
const as = <T>(user: string, fn: () => Promise<T>) =>
  context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: user } })), fn);

describe('OpenAI batch jobs', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  async function completedBatch() {
    const file = await h.client.files.create({
      file: await toFile(Buffer.from(REQUESTS.map((r) => JSON.stringify(r)).join('\n')), 'requests.jsonl'),
      purpose: 'batch',
    });
    const batch = await as('ana', () =>
      h.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'nightly' } }),
    );
    await h.client.batches.retrieve(batch.id);
    return { file, batch: await h.client.batches.retrieve(batch.id) };
  }
  /** Reads a file the way apps do, and waits for the instrumentation's reading beside it. */
  const download = async (id: string) => {
    const text = await (await h.client.files.content(id)).text();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return text;
  };

  it('records each result of the downloaded output as a call at the batch rate, attributed as when the batch was created', async () => {
    const { batch } = await completedBatch();
    await as('bob', () => download(batch.output_file_id!));
    const spans = await finishedSpans(h);
    const created = spans.find((s) => s.name === 'batch unknown' && s.attributes['user.id'] === 'ana')!;
    expect(created.attributes).toMatchObject({ 'gen_ai.operation.name': 'batch', 'tokenledger.batch.id': batch.id });
    expect(created.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    const reading = spans.find((s) => s.attributes['gen_ai.operation.name'] === 'batch' && s !== created)!;
    expect(reading.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    const results = spans.filter((s) => s.attributes['tokenledger.batch'] === true);
    expect(
      results.map((s) => [
        s.name,
        s.attributes['tokenledger.batch.request_id'],
        s.attributes['gen_ai.usage.input_tokens'],
        s.attributes['gen_ai.usage.output_tokens'],
      ]),
    ).toEqual([
      // mock: 10 + 40 / 4 = 20 and 10 + 2 / 4 = 10 prompt tokens, 3 words out; 8 / 4 = 2 embedding tokens
      ['chat gpt-4o-mini-2024-07-18', 'q-1', 20, 3],
      ['chat gpt-4o-mini-2024-07-18', 'q-2', 10, 3],
      ['embeddings text-embedding-3-small', 'e-1', 2, undefined],
    ]);
    for (const r of results) {
      expect(r.attributes).toMatchObject({
        'tokenledger.batch.id': batch.id,
        'user.id': 'ana',
        'tokenledger.tag.job': 'nightly',
        'gen_ai.response.model': expect.any(String),
      });
      expect(r.parentSpanContext?.spanId).toBe(reading.spanContext().spanId);
    }
  });

  it('records each result once when the output is downloaded again, and leaves other files alone', async () => {
    const { file, batch } = await completedBatch();
    await download(batch.output_file_id!);
    await download(batch.output_file_id!);
    const input = await download(file.id);
    expect(input.split('\n')).toHaveLength(3);
    const spans = await finishedSpans(h);
    expect(spans.filter((s) => s.attributes['tokenledger.batch'] === true)).toHaveLength(3);
  });

  it('recognises the output of a batch it never saw by its first line, and records each result once by file and custom id', async () => {
    const { file } = await completedBatch();
    // Created and polled past this process's SDK (another process, a list): only the download is seen.
    const api = (path: string, body?: object) =>
      fetch(`${h.server.url}/v1${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ id: string; output_file_id: string }>);
    const other = await api('/batches', { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await api(`/batches/${other.id}`);
    const { output_file_id: outputFile } = await api(`/batches/${other.id}`);
    await download(outputFile);
    await download(outputFile);
    const unseen = (await finishedSpans(h)).filter((s) => s.attributes['tokenledger.batch'] === true);
    expect(unseen.map((s) => s.attributes['tokenledger.batch.request_id'])).toEqual([`${outputFile}/q-1`, `${outputFile}/q-2`, `${outputFile}/e-1`]);
    for (const s of unseen) expect(s.attributes['tokenledger.batch.id']).toBeUndefined();
  });

  it('creating and polling make no call: without a download there is only the creation span', async () => {
    await completedBatch();
    const spans = await finishedSpans(h);
    expect(spans.map((s) => s.attributes['gen_ai.operation.name'])).toEqual(['batch']);
  });
});
