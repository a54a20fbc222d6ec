import type { ModelsAnswer, ReportAnswer, StoredCall } from './support/collector-api';
import { loopbackCertificate, type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type CollectorProcess, startCollectorProcess } from './support/collector';
import { modelTable, onDashboard } from './support/dashboard';
import { IMPORT_HOOK, REQUIRE_HOOK, runApp } from './support/run-app';

jest.setTimeout(300_000);

/**
 * Every way an app spends, through the register hook alone: the real SDKs against the loopback mock
 * server (over TLS: the Realtime clients only speak wss), exported to the real collector, which
 * prices each call. Every expected cost is worked out here from the published rates cited beside it
 * (USD per 1M tokens) and the mock's documented usage rules, never by the code under test.
 */
describe('Realtime, batch, Live and fine-tuned spend, priced by the real collector', () => {
  const tls = loopbackCertificate();
  let llm: MockLlmServer;
  let collector: CollectorProcess;
  let records: StoredCall[];
  const outputs: Record<string, unknown> = {};
  beforeAll(async () => {
    llm = await startMockLlmServer({ tls });
    collector = await startCollectorProcess();
    const env = {
      MOCK_LLM_URL: llm.url,
      NODE_EXTRA_CA_CERTS: tls.certPath,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_METRICS_EXPORTER: 'none',
    };
    for (const app of ['realtime-app.cjs', 'realtime-esm-app.mjs', 'batch-app.cjs', 'live-app.cjs', 'fine-tuned-app.cjs']) {
      const run = await runApp(app.endsWith('.mjs') ? IMPORT_HOOK : REQUIRE_HOOK, app, env);
      if (run.code !== 0) throw new Error(`${app} failed: ${run.stderr}`);
      outputs[app.replace(/-app\..*$/, '')] = JSON.parse(run.stdout);
    }
    records = (await collector.api<ReportAnswer<'usage'>>('/v1/reports/usage?period=all&limit=100')).body.records;
  });
  afterAll(async () => {
    await collector?.stop();
    await llm?.close();
  });
  const ofModel = (model: string) => records.filter((r) => r.model === model).sort((a, b) => a.timeMs - b.timeMs || a.costNanos!.localeCompare(b.costNanos!));

  it('ran every app against the mock as the SDKs promise', () => {
    expect(outputs).toEqual({
      realtime: { transcript: 'Hello from gpt-4o-transcribe!', status: 'completed', typed: 'completed' },
      'realtime-esm': { status: 'completed' },
      batch: { openai: [20, 10, 30], anthropic: [20, 10], gemini: [20, 10] },
      live: { turns: [20, 82] },
      'fine-tuned': { replies: ['Hello from ft:gpt-4o-mini:acme:custom:abc123!', 'Hello from ft:gpt-4.1-2025-04-14:acme:support:def456!'] },
    });
  });

  it('prices a Realtime session of two responses and one transcription to the nano, and never the session itself', () => {
    // https://openai.com/api/pricing/ gpt-realtime per 1M: text $4 in / $0.40 cached / $16 out, audio $32 / $0.40 cached / $64 out, image $5.
    // Response 1 reads the 1 s of committed audio (10 audio tokens) and says "Hello from gpt-realtime!" (3 text + 30 audio):
    //   10 × 32 + 3 × 16 + 30 × 64 = 2,288 µ$.
    // Response 2 reads the conversation: 23 text (its reply + 10 + 40 / 4), 40 audio (10 of them cached: response 1 read them), one image (85):
    //   23 × 4 + 30 × 32 + 10 × 0.40 + 85 × 5 + 3 × 16 + 30 × 64 = 92 + 960 + 4 + 425 + 48 + 1,920 = 3,449 µ$.
    const responses = ofModel('gpt-realtime');
    expect(responses.map((r) => [r.operation, r.costType, r.costNanos])).toEqual([
      ['chat', 'llm', '2288000'],
      ['chat', 'llm', '3449000'],
    ]);
    expect(responses[1]).toMatchObject({
      tokens: { input: 148, output: 33, cacheRead: 10 },
      audioTokens: { input: 40, output: 30 },
      tokenDetails: expect.objectContaining({ audioCacheRead: 10, imageInput: 85 }),
      user: 'ana',
      feature: 'voice',
    });
    // The transcription at gpt-4o-transcribe's own rates (https://openai.com/api/pricing/ audio $6 in, $10 out): 10 × 6 + 3 × 10 = 90 µ$.
    expect(ofModel('gpt-4o-transcribe').map((r) => [r.operation, r.costType, r.costNanos, r.user])).toEqual([['audio_transcription', 'audio', '90000', 'ana']]);
    // Over the WebSocket client, gpt-4o-mini-realtime-preview (https://openai.com/api/pricing/ text $0.60 in / $2.40 out, audio $20 out):
    //   20 × 0.60 + 3 × 2.40 + 30 × 20 = 619.2 µ$.
    expect(ofModel('gpt-4o-mini-realtime-preview').map((r) => [r.costNanos, r.feature])).toEqual([['619200', 'chat']]);
    // From an ESM app (--import), gpt-realtime-mini (https://openai.com/api/pricing/ the same rates): 20 × 0.60 + 3 × 2.40 + 30 × 20 = 619.2 µ$.
    expect(ofModel('gpt-realtime-mini').map((r) => [r.costNanos, r.user])).toEqual([['619200', 'dee']]);
    expect(records.filter((r) => r.operation === 'session' || r.operation === 'batch')).toEqual([]);
  });

  it('prices an OpenAI batch of three at the batch rate, once though its output was downloaded twice, attributed as when it was created', () => {
    // https://platform.openai.com/docs/guides/batch: half of gpt-4o-mini's $0.15 in / $0.60 out (https://openai.com/api/pricing/).
    // 20 in + 3 out: (3 + 1.8) / 2 = 2.4 µ$; 10 + 3: (1.5 + 1.8) / 2 = 1.65 µ$; 30 + 3: (4.5 + 1.8) / 2 = 3.15 µ$.
    const results = ofModel('gpt-4o-mini-2024-07-18');
    expect(results.map((r) => r.costNanos).sort()).toEqual(['1650', '2400', '3150']);
    for (const r of results)
      expect(r).toMatchObject({ batch: true, batchId: expect.stringMatching(/^batch_/), user: 'bob', feature: 'nightly', tags: { job: 'summaries' } });
  });

  it('prices an Anthropic batch of two at the batch rate, once', () => {
    // https://docs.anthropic.com/en/docs/build-with-claude/batch-processing: half of Sonnet 4.5's $3 in / $15 out (https://www.anthropic.com/pricing#api).
    // 20 in + 3 out: (60 + 45) / 2 = 52.5 µ$; 10 + 3: (30 + 45) / 2 = 37.5 µ$.
    const results = ofModel('claude-sonnet-4-5-20250929');
    expect(results.map((r) => r.costNanos).sort()).toEqual(['37500', '52500']);
    for (const r of results) expect(r).toMatchObject({ batch: true, batchId: expect.stringMatching(/^msgbatch_/), user: 'bob' });
  });

  it('prices a Gemini batch of two at the batch rate, once though it was read back three times', () => {
    // https://ai.google.dev/gemini-api/docs/batch-mode: half of Gemini 2.5 Flash's $0.30 in / $2.50 out (https://ai.google.dev/gemini-api/docs/pricing).
    // 20 in + 3 out: (6 + 7.5) / 2 = 6.75 µ$; 10 + 3: (3 + 7.5) / 2 = 5.25 µ$.
    const results = ofModel('gemini-2.5-flash');
    expect(results.map((r) => r.costNanos).sort()).toEqual(['5250', '6750']);
    for (const r of results) expect(r).toMatchObject({ batch: true, batchId: expect.stringMatching(/^batches\//), user: 'bob' });
  });

  it('prices a Gemini Live session of two turns per modality', () => {
    // https://ai.google.dev/gemini-api/docs/pricing Gemini 2.5 Flash Native Audio (Live API) per 1M: in $0.50 text, $3 audio; out $12 audio.
    // Turn 1 reads 20 text tokens and speaks 30 audio tokens: 20 × 0.50 + 30 × 12 = 370 µ$.
    // Turn 2 reads those and 1 s of audio (20 text, 62 audio) and speaks 30: 20 × 0.50 + 62 × 3 + 30 × 12 = 556 µ$.
    expect(ofModel('gemini-live-2.5-flash-preview').map((r) => [r.operation, r.costNanos, r.user])).toEqual([
      ['generate_content', '370000', 'cy'],
      ['generate_content', '556000', 'cy'],
    ]);
  });

  it('prices a fine-tuned model at its base’s fine-tuned rates, and leaves one without rates unpriced with the reason', async () => {
    // https://openai.com/api/pricing/ fine-tuned GPT-4o mini $0.30 in / $1.20 out: 20 × 0.30 + 3 × 1.20 = 9.6 µ$.
    expect(ofModel('ft:gpt-4o-mini:acme:custom:abc123').map((r) => r.costNanos)).toEqual(['9600']);
    expect(ofModel('ft:gpt-4.1-2025-04-14:acme:support:def456')).toEqual([expect.objectContaining({ costNanos: null, unpricedReason: 'fine_tuned_unpriced' })]);
    const models = (await collector.api<ModelsAnswer>('/v1/ui/models?period=month')).body.models;
    expect(models.find((m) => m.model === 'ft:gpt-4.1-2025-04-14:acme:support:def456')?.priceFileEntry).toContain('starts_with: "ft:gpt-4.1-2025-04-14:acme:"');
  });

  it('shows the calls by type and by model in the reports and in what the dashboard draws', async () => {
    const expected = {
      llm: 2_288_000 + 3_449_000 + 619_200 + 619_200 + 7_200 + 90_000 + 12_000 + 370_000 + 556_000 + 9_600,
      audio: 90_000,
    };
    const byType = (await collector.api<ReportAnswer<'breakdown'>>('/v1/reports/breakdown?period=all&by=type')).body;
    expect(Object.fromEntries(byType.items.map((i) => [i.key, [i.costNanos, i.calls]]))).toEqual({
      llm: [String(expected.llm), 15],
      audio: [String(expected.audio), 1],
    });
    const overview = (await collector.api<{ breakdowns: Record<string, ReportAnswer<'breakdown'>> }>('/v1/reports/overview?period=month&sections=breakdowns'))
      .body.breakdowns;
    expect(overview.type.items).toEqual(byType.items);
    const byModel = Object.fromEntries(overview.model.items.map((i) => [String(i.key), i.costNanos]));
    expect(byModel).toEqual({
      'gpt-realtime': '5737000',
      'gemini-live-2.5-flash-preview': '926000',
      'gpt-4o-mini-realtime-preview': '619200',
      'gpt-realtime-mini': '619200',
      'gpt-4o-transcribe': '90000',
      'claude-sonnet-4-5-20250929': '90000',
      'gemini-2.5-flash': '12000',
      'ft:gpt-4o-mini:acme:custom:abc123': '9600',
      'gpt-4o-mini-2024-07-18': '7200',
      'ft:gpt-4.1-2025-04-14:acme:support:def456': '0',
    });
  });

  it('draws them by type and by model on the dashboard', async () => {
    await onDashboard(collector.url, async (page) => {
      const models = await modelTable(page, 'gpt-realtime-mini');
      const rows = await models.locator('tbody tr td:first-child').allTextContents();
      expect(rows.sort()).toEqual([
        'claude-sonnet-4-5-20250929',
        'ft:gpt-4.1-2025-04-14:acme:support:def456',
        'ft:gpt-4o-mini:acme:custom:abc123',
        'gemini-2.5-flash',
        'gemini-live-2.5-flash-preview',
        'gpt-4o-mini-2024-07-18',
        'gpt-4o-mini-realtime-preview',
        'gpt-4o-transcribe',
        'gpt-realtime',
        'gpt-realtime-mini',
      ]);
      await expect(models.locator('tr', { hasText: 'gpt-realtime' }).first().textContent()).resolves.toContain('$0.0057');
      await page.getByTestId('chart-type').waitFor();
      expect(await page.getByTestId('chart-type').getAttribute('data-points')).toBe('2');
    });
  });
});
