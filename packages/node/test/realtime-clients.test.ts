import type { ReportAnswer, StoredCall } from './support/collector-api';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loopbackCertificate, type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type CollectorProcess, startCollectorProcess } from './support/collector';
import { modelTable, onDashboard } from './support/dashboard';
import { FIXTURES, REQUIRE_HOOK, runApp } from './support/run-app';

jest.setTimeout(300_000);

const REPO = join(__dirname, '..', '..', '..');

/**
 * One voice session of the same shape (1 s of audio transcribed, a spoken answer to it, then a typed
 * turn and a second spoken answer) through each of the openai SDK's Realtime clients on each
 * supported major, each on its own realtime and transcription model. Expected costs are worked out
 * from the published rates cited beside them (USD per 1M tokens, https://openai.com/api/pricing/)
 * and the mock's documented usage rules (test/mock-llm-server/src/sockets/openai-realtime.ts):
 * - the transcription reads the 10 audio tokens of the second of audio and writes its 3 words;
 * - response 1 reads those 10 audio tokens and answers in 3 text + 30 audio tokens;
 * - response 2 reads 23 text (the answer's 3, the typed turn's 10 + 40 / 4) and 40 audio tokens,
 *   the 10 that response 1 read cached, and answers in 3 text + 30 audio tokens.
 */
const SESSIONS = [
  {
    // gpt-realtime: text $4 in / $16 out, audio $32 in / $0.40 cached / $64 out; gpt-4o-transcribe audio $6 in, text $10 out.
    sdk: '7',
    client: 'ws',
    user: 'ada',
    model: 'gpt-realtime-2025-08-28',
    transcriber: 'gpt-4o-transcribe',
    // 10 × 6 + 3 × 10 = 90 µ$; 10 × 32 + 3 × 16 + 30 × 64 = 2,288 µ$; 23 × 4 + 30 × 32 + 10 × 0.40 + 3 × 16 + 30 × 64 = 3,024 µ$
    nanos: { transcription: '90000', responses: ['2288000', '3024000'] },
  },
  {
    // gpt-4o-realtime-preview: text $5 in / $20 out, audio $40 in / $2.50 cached / $80 out; gpt-4o-mini-transcribe audio $3 in, text $5 out.
    sdk: '7',
    client: 'websocket',
    user: 'bea',
    model: 'gpt-4o-realtime-preview',
    transcriber: 'gpt-4o-mini-transcribe',
    // 10 × 3 + 3 × 5 = 45 µ$; 10 × 40 + 3 × 20 + 30 × 80 = 2,860 µ$; 23 × 5 + 30 × 40 + 10 × 2.50 + 3 × 20 + 30 × 80 = 3,800 µ$
    nanos: { transcription: '45000', responses: ['2860000', '3800000'] },
  },
  {
    // gpt-realtime-mini: text $0.60 in / $2.40 out, audio $10 in / $0.30 cached / $20 out; whisper-1 $0.006 a minute, by the second.
    sdk: '6',
    client: 'ws',
    user: 'cal',
    model: 'gpt-realtime-mini',
    transcriber: 'whisper-1',
    // 1 s × $0.0001 = 100 µ$; 10 × 10 + 3 × 2.40 + 30 × 20 = 707.2 µ$; 23 × 0.60 + 30 × 10 + 10 × 0.30 + 3 × 2.40 + 30 × 20 = 924 µ$
    nanos: { transcription: '100000', responses: ['707200', '924000'] },
  },
  {
    // gpt-4o-mini-realtime-preview: text $0.60 in / $2.40 out, audio $10 in / $0.30 cached / $20 out.
    sdk: '6',
    client: 'websocket',
    user: 'dan',
    model: 'gpt-4o-mini-realtime-preview',
    transcriber: 'gpt-4o-transcribe',
    // 90 µ$ as above; 707.2 µ$ and 924 µ$ as for gpt-realtime-mini
    nanos: { transcription: '90000', responses: ['707200', '924000'] },
  },
];

describe('a Realtime voice session through either client of openai 6 and 7, through the register hook alone', () => {
  const tls = loopbackCertificate();
  let llm: MockLlmServer;
  let collector: CollectorProcess;
  let openai6: string;
  let records: StoredCall[];
  const outputs: Record<string, unknown> = {};
  beforeAll(async () => {
    llm = await startMockLlmServer({ tls });
    collector = await startCollectorProcess();
    // An app whose `openai` is major 6: the hook knows the SDK by its package name, so the previous
    // major (installed here as `openai-v6`) is copied in as `openai` beside a copy of the app.
    mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
    openai6 = mkdtempSync(join(REPO, 'test-artifacts', 'openai-6-app-'));
    cpSync(join(REPO, 'node_modules', 'openai-v6'), join(openai6, 'node_modules', 'openai'), { recursive: true });
    cpSync(join(FIXTURES, 'realtime-voice-app.cjs'), join(openai6, 'realtime-voice-app.cjs'));
    const env = {
      MOCK_LLM_URL: llm.url,
      NODE_EXTRA_CA_CERTS: tls.certPath,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_METRICS_EXPORTER: 'none',
    };
    for (const s of SESSIONS) {
      const app = s.sdk === '6' ? join(openai6, 'realtime-voice-app.cjs') : 'realtime-voice-app.cjs';
      const run = await runApp(REQUIRE_HOOK, app, {
        ...env,
        REALTIME_CLIENT: s.client,
        REALTIME_MODEL: s.model,
        TRANSCRIPTION_MODEL: s.transcriber,
        APP_USER: s.user,
      });
      if (run.code !== 0) throw new Error(`${s.user}'s session (openai ${s.sdk}, ${s.client}) failed: ${run.stderr}`);
      outputs[s.user] = JSON.parse(run.stdout);
    }
    const drop = await runApp(REQUIRE_HOOK, 'realtime-drop-app.cjs', env);
    if (drop.code !== 0) throw new Error(`the dropped session failed: ${drop.stderr}`);
    outputs.eve = JSON.parse(drop.stdout);
    records = (await collector.api<ReportAnswer<'usage'>>('/v1/reports/usage?period=all&limit=100')).body.records;
  });
  afterAll(async () => {
    await collector?.stop();
    await llm?.close();
    if (openai6) rmSync(openai6, { recursive: true, force: true });
  });
  const ofUser = (user: string) => records.filter((r) => r.user === user);

  it('ran each session on the major and client it names', () => {
    for (const s of SESSIONS) expect(outputs[s.user]).toEqual({ sdk: s.sdk, transcript: `Hello from ${s.transcriber}!`, statuses: ['completed', 'completed'] });
    expect(outputs.eve).toEqual({ first: 'completed', dropped: true });
  });

  it.each(SESSIONS.map((s) => [s.sdk, s.client, s.model, s]))(
    'prices the session of openai %s over %s (%s) to the nano: one transcription and two responses, never the session',
    (_sdk, _client, _model, s) => {
      const mine = ofUser(s.user);
      expect(mine.filter((r) => r.operation === 'audio_transcription').map((r) => [r.model, r.costType, r.costNanos, r.feature])).toEqual([
        [s.transcriber, 'audio', s.nanos.transcription, 'voice'],
      ]);
      const responses = mine.filter((r) => r.operation === 'chat').sort((a, b) => a.tokens.input - b.tokens.input);
      expect(responses.map((r) => [r.model, r.costType, r.costNanos])).toEqual(s.nanos.responses.map((nanos) => [s.model, 'llm', nanos]));
      expect(responses.map((r) => [r.tokens, r.audioTokens])).toEqual([
        [
          { input: 10, output: 33, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
          { input: 10, output: 30 },
        ],
        [
          { input: 63, output: 33, cacheRead: 10, cacheWrite: 0, reasoning: 0 },
          { input: 40, output: 30 },
        ],
      ]);
      expect(mine).toHaveLength(3);
    },
  );

  it('keeps the response billed before a session dropped, and records the one cut off as failed at $0', () => {
    // gpt-realtime: the typed turn is 10 + 40 / 4 = 20 text tokens in, the answer 3 text + 30 audio: 20 × 4 + 3 × 16 + 30 × 64 = 2,048 µ$.
    expect(
      ofUser('eve')
        .map((r) => [r.model, r.status, r.errorType, r.costNanos])
        .sort(),
    ).toEqual([
      ['gpt-realtime', 'error', 'RealtimeSessionClosedError', '0'],
      ['gpt-realtime', 'ok', null, '2048000'],
    ]);
  });

  const llmNanos = 2_288_000 + 3_024_000 + 2_860_000 + 3_800_000 + 2 * (707_200 + 924_000) + 2_048_000;
  const audioNanos = 90_000 + 45_000 + 100_000 + 90_000;

  it('shows them by type and by model in the reports', async () => {
    const byType = (await collector.api<ReportAnswer<'breakdown'>>('/v1/reports/breakdown?period=all&by=type')).body.items;
    expect(Object.fromEntries(byType.map((i) => [i.key, [i.costNanos, i.calls]]))).toEqual({ llm: [String(llmNanos), 10], audio: [String(audioNanos), 4] });
    const byModel = (await collector.api<ReportAnswer<'breakdown'>>('/v1/reports/breakdown?period=all&by=model')).body.items;
    expect(Object.fromEntries(byModel.map((i) => [i.key, [i.costNanos, i.calls]]))).toEqual({
      'gpt-realtime-2025-08-28': ['5312000', 2],
      'gpt-4o-realtime-preview': ['6660000', 2],
      'gpt-realtime-mini': ['1631200', 2],
      'gpt-4o-mini-realtime-preview': ['1631200', 2],
      'gpt-realtime': ['2048000', 2],
      'gpt-4o-transcribe': ['180000', 2],
      'gpt-4o-mini-transcribe': ['45000', 1],
      'whisper-1': ['100000', 1],
    });
  });

  it('draws them by type and by model on the dashboard', async () => {
    await onDashboard(collector.url, async (page) => {
      const rows = await (await modelTable(page, 'whisper-1')).locator('tbody tr td:first-child').allTextContents();
      expect(rows.sort()).toEqual([
        'gpt-4o-mini-realtime-preview',
        'gpt-4o-mini-transcribe',
        'gpt-4o-realtime-preview',
        'gpt-4o-transcribe',
        'gpt-realtime',
        'gpt-realtime-2025-08-28',
        'gpt-realtime-mini',
        'whisper-1',
      ]);
      // The type chart's figure carries its numbers in a table for screen readers, in the dashboard's
      // rounding: cents from a cent up, every significant digit below.
      const types = page.getByTestId('chart-type').locator('tbody tr');
      await types.first().waitFor({ state: 'attached' });
      const drawn = await types.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]));
      expect(drawn.sort()).toEqual([
        ['audio', '$0.000325'],
        ['llm', '$0.02'],
      ]);
    });
  });
});
