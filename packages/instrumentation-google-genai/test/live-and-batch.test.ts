import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation } from '@opentelemetry/api';
import { JobState, type LiveServerMessage, Modality } from '@google/genai';
import { finishedSpans, type Harness, harness } from './setup';

const MODEL = 'gemini-live-2.5-flash-preview';
const as = <T>(user: string, fn: () => Promise<T>) =>
  context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ 'user.id': { value: user } })), fn);
const until = (test: () => boolean) =>
  new Promise<void>((resolve) => {
    const check = () => (test() ? resolve() : setTimeout(check, 5));
    check();
  });

describe('Gemini Live sessions', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  async function session(messages: LiveServerMessage[], closed: { done: boolean }) {
    return as('ana', () =>
      h.ai.live.connect({
        model: MODEL,
        config: { responseModalities: [Modality.AUDIO] },
        callbacks: { onmessage: (m) => messages.push(m), onclose: () => (closed.done = true) },
      }),
    );
  }
  const turns = (messages: LiveServerMessage[], n: number) => until(() => messages.filter((m) => m.serverContent?.turnComplete).length >= n);

  it('records a session span and one generate_content call per turn with its usage by modality; the app gets every message', async () => {
    const messages: LiveServerMessage[] = [];
    const closed = { done: false };
    const live = await session(messages, closed);
    live.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'x'.repeat(40) }] }], turnComplete: true });
    await turns(messages, 1);
    live.sendRealtimeInput({ audio: { data: Buffer.alloc(32_000).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
    live.sendRealtimeInput({ audioStreamEnd: true });
    await turns(messages, 2);
    live.close();
    await until(() => closed.done);
    expect(messages[0].setupComplete).toBeDefined();
    expect(messages.filter((m) => m.usageMetadata)).toHaveLength(2);

    const spans = await finishedSpans(h);
    const [sessionSpan] = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'session');
    expect(sessionSpan).toMatchObject({ name: `session ${MODEL}`, ended: true });
    expect(sessionSpan.attributes).toMatchObject({ 'gen_ai.provider.name': 'gcp.gemini', 'user.id': 'ana' });
    expect(sessionSpan.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    const turnSpans = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'generate_content');
    expect(turnSpans.map((s) => s.name)).toEqual([`generate_content ${MODEL}`, `generate_content ${MODEL}`]);
    // mock: turn 1 reads 20 text tokens, speaks 30 audio tokens; turn 2 reads those and 32 more audio tokens
    expect(
      turnSpans.map((s) => [
        s.attributes['gen_ai.usage.input_tokens'],
        s.attributes['tokenledger.usage.audio.input_tokens'],
        s.attributes['gen_ai.usage.output_tokens'],
        s.attributes['tokenledger.usage.audio.output_tokens'],
      ]),
    ).toEqual([
      [20, undefined, 30, 30],
      [82, 62, 30, 30],
    ]);
    for (const t of turnSpans) {
      expect(t.parentSpanContext?.spanId).toBe(sessionSpan.spanContext().spanId);
      expect(t.attributes['user.id']).toBe('ana');
    }
  });

  it('ends a turn the connection drops before its usage without usage, with the error, and the session with it', async () => {
    const messages: LiveServerMessage[] = [];
    const closed = { done: false };
    const live = await session(messages, closed);
    live.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'scenario:cutAfter=2' }] }], turnComplete: true });
    await until(() => closed.done);
    const spans = await finishedSpans(h);
    const [turn] = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'generate_content');
    expect(turn.attributes).toMatchObject({ 'error.type': 'LiveSessionClosedError' });
    expect(turn.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'session')).toMatchObject([{ ended: true }]);
  });
});

describe('Gemini batch jobs', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('records each inlined response of a succeeded job once, attributed as when the job was created', async () => {
    const job = await as('ana', () =>
      h.ai.batches.create({
        model: 'gemini-2.5-flash',
        src: [
          { contents: [{ role: 'user', parts: [{ text: 'x'.repeat(40) }] }], metadata: { key: 'r-1' } },
          { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], metadata: { key: 'r-2' } },
        ],
        config: { displayName: 'nightly' },
      }),
    );
    for (let i = 0; i < 3; i++) await as('bob', () => h.ai.batches.get({ name: job.name! }));
    const spans = await finishedSpans(h);
    const [created] = spans.filter(
      (s) => s.attributes['gen_ai.operation.name'] === 'batch' && s.attributes['user.id'] === 'ana' && s.attributes['tokenledger.batch'] === undefined,
    );
    expect(created).toMatchObject({ name: 'batch gemini-2.5-flash' });
    const results = spans.filter((s) => s.attributes['tokenledger.batch'] === true);
    // mock: 10 + 40 / 4 = 20 and 10 + 2 / 4 = 10 prompt tokens, 3 words out
    expect(
      results.map((s) => [
        s.name,
        s.attributes['tokenledger.batch.request_id'],
        s.attributes['gen_ai.usage.input_tokens'],
        s.attributes['gen_ai.usage.output_tokens'],
        s.attributes['user.id'],
        s.attributes['tokenledger.tag.batch'],
      ]),
    ).toEqual([
      ['generate_content gemini-2.5-flash', 'r-1', 20, 3, 'ana', 'nightly'],
      ['generate_content gemini-2.5-flash', 'r-2', 10, 3, 'ana', 'nightly'],
    ]);
    for (const r of results) expect(r.attributes['tokenledger.batch.id']).toBe(job.name);
  });

  describe('whose requests and results are files', () => {
    const requestLine = (key: string, text: string) => JSON.stringify({ key, request: { contents: [{ role: 'user', parts: [{ text }] }] } });
    const download = async (name: string) => {
      const downloadPath = join(mkdtempSync(join(tmpdir(), 'genai-batch-')), 'results.jsonl');
      await h.ai.files.download({ file: name, downloadPath });
      return readFileSync(downloadPath, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { key: string });
    };
    /** The results are read beside the app once a download ends: the spans once `n` results are in and no more come. */
    const settled = async (n: number) => {
      const results = async () => (await finishedSpans(h)).filter((s) => s.attributes['tokenledger.batch'] === true).length;
      while ((await results()) < n) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 200));
      return finishedSpans(h);
    };
    const upload = () =>
      h.ai.files.upload({
        file: new Blob([[requestLine('r-1', 'x'.repeat(40)), requestLine('r-2', 'hi'), requestLine('r-3', 'y'.repeat(80))].join('\n')], {
          type: 'application/jsonl',
        }),
      });

    it('records each line of the results file once though it is downloaded twice, attributed as when the job was created; uploading, polling and downloading are no calls', async () => {
      const file = await as('ana', upload);
      const job = await as('ana', () => h.ai.batches.create({ model: 'gemini-2.5-flash', src: file.name!, config: { displayName: 'nightly' } }));
      let done = job;
      while (done.state !== JobState.JOB_STATE_SUCCEEDED) done = await as('bob', () => h.ai.batches.get({ name: job.name! }));
      for (let i = 0; i < 2; i++) expect((await as('bob', () => download(done.dest!.fileName!))).map((l) => l.key)).toEqual(['r-1', 'r-2', 'r-3']);
      const spans = await settled(3);
      const results = spans.filter((s) => s.attributes['tokenledger.batch'] === true);
      // mock: 10 + 40 / 4 = 20, 10 + 2 / 4 = 10 and 10 + 80 / 4 = 30 prompt tokens, 3 words out
      expect(
        results.map((s) => [
          s.name,
          s.attributes['tokenledger.batch.request_id'],
          s.attributes['gen_ai.usage.input_tokens'],
          s.attributes['gen_ai.usage.output_tokens'],
          s.attributes['user.id'],
          s.attributes['tokenledger.tag.batch'],
        ]),
      ).toEqual([
        ['generate_content gemini-2.5-flash', 'r-1', 20, 3, 'ana', 'nightly'],
        ['generate_content gemini-2.5-flash', 'r-2', 10, 3, 'ana', 'nightly'],
        ['generate_content gemini-2.5-flash', 'r-3', 30, 3, 'ana', 'nightly'],
      ]);
      for (const r of results) expect(r.attributes['tokenledger.batch.id']).toBe(job.name);
      // The only calls with usage are the results; the job's creation and the one reading that found them carry none.
      expect(spans.filter((s) => s.attributes['gen_ai.usage.input_tokens'] !== undefined)).toHaveLength(3);
      expect(
        spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'batch').map((s) => [s.attributes['user.id'], s.attributes['tokenledger.batch.id']]),
      ).toEqual([
        ['ana', job.name],
        ['ana', job.name],
      ]);
    });

    it('records the results file of a job this process never saw, known by its lines and scoped by the file', async () => {
      const file = await upload();
      // Another process created and polled the job: its requests reach the API without this SDK.
      const api = <T>(path: string, init?: RequestInit) =>
        fetch(`${h.server.url}/v1beta/${path}`, { ...init, headers: { 'x-goog-api-key': 'test-key', 'content-type': 'application/json' } }).then(
          (r) => r.json() as Promise<T>,
        );
      const created = await api<{ name: string }>('models/gemini-2.5-flash:batchGenerateContent', {
        method: 'POST',
        body: JSON.stringify({ batch: { displayName: 'elsewhere', inputConfig: { fileName: file.name } } }),
      });
      const resultsFile = (await api<{ metadata: { output: { responsesFile: string } } }>(created.name)).metadata.output.responsesFile;
      await as('cy', () => download(resultsFile));
      const results = (await settled(3)).filter((s) => s.attributes['tokenledger.batch'] === true);
      expect(
        results.map((s) => [
          s.attributes['tokenledger.batch.request_id'],
          s.attributes['gen_ai.usage.input_tokens'],
          s.attributes['user.id'],
          s.attributes['tokenledger.batch.id'],
        ]),
      ).toEqual([
        [`${resultsFile}/r-1`, 20, 'cy', undefined],
        [`${resultsFile}/r-2`, 10, 'cy', undefined],
        [`${resultsFile}/r-3`, 30, 'cy', undefined],
      ]);
    });
  });
});
