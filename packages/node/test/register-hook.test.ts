import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { closedPort, type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';
import { IMPORT_HOOK, REQUIRE_HOOK, runApp } from './support/run-app';

// Each test starts Node processes that load the whole OpenTelemetry SDK: slow on a busy machine.
jest.setTimeout(120_000);

describe('the register hook, in a real process', () => {
  let llm: MockLlmServer;
  let otlp: OtlpReceiver;
  beforeEach(async () => {
    llm = await startMockLlmServer();
    otlp = await startOtlpReceiver();
  });
  afterEach(async () => {
    await llm.close();
    await otlp.close();
  });
  const env = (extra: Record<string, string> = {}) => ({ MOCK_LLM_URL: llm.url, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, ...extra });
  const genAi = () => otlp.spans.filter((s) => s.scope.startsWith('@tokenledger/'));

  it("turns a CommonJS app's openai calls into GenAI spans and token metrics over OTLP, with --require alone", async () => {
    const run = await runApp(
      REQUIRE_HOOK,
      'cjs-app.cjs',
      env({
        OTEL_SERVICE_NAME: 'billing-api',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer ingest-key',
      }),
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual({ reply: 'Hello from gpt-4o-mini!', text: 'Hello from gpt-4o-mini!', patched: true });

    const spans = genAi();
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gpt-4.1',
      'chat gpt-4o',
      'chat gpt-4o-mini',
      'chat gpt-4o-mini',
      'embeddings text-embedding-3-small',
    ]);
    const attributed = spans.find((s) => s.attributes['user.id'] === 'alice')!;
    expect(attributed.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.agent.id': 'support-bot',
      'tokenledger.feature': 'chat-ui',
      'tokenledger.tag.plan': 'pro',
    });
    // Outside withAttribution nothing is attributed; the streamed call has its final usage chunk.
    const streamed = spans.find((s) => s.name === 'chat gpt-4o-mini' && s !== attributed)!;
    expect(streamed.attributes['user.id']).toBeUndefined();
    expect(streamed.attributes['gen_ai.usage.output_tokens']).toBe(3);
    // The stream the app broke out of still ended its span.
    expect(spans.find((s) => s.name === 'chat gpt-4o')!.attributes['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    // The stream the app aborted with controller.abort() ended its span too (only ended spans are exported).
    expect(spans.find((s) => s.name === 'chat gpt-4.1')!.attributes['gen_ai.request.model']).toBe('gpt-4.1');

    expect(spans[0].resource).toMatchObject({ 'service.name': 'billing-api', 'deployment.environment.name': 'staging' });
    expect(otlp.headers.every((h) => h.authorization === 'Bearer ingest-key')).toBe(true);

    const tokens = otlp.points.filter((p) => p.metric === 'gen_ai.client.token.usage');
    expect(tokens.find((p) => p.attributes['gen_ai.token.type'] === 'input' && p.attributes['gen_ai.operation.name'] === 'embeddings')).toMatchObject({
      unit: '{token}',
      count: 1,
      sum: 4,
    });
    expect(otlp.points.some((p) => p.metric === 'gen_ai.client.operation.duration' && p.unit === 's')).toBe(true);
  });

  it("patches an ESM app's `import OpenAI from 'openai'` with --import", async () => {
    const run = await runApp(IMPORT_HOOK, 'esm-app.mjs', env());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(run.stdout) as { sdk: string }).sdk).toMatch(/openai\/index\.mjs/); // the ESM build, not the CommonJS one
    expect(genAi().map((s) => [s.name, s.attributes['user.id'] ?? null, s.attributes['gen_ai.conversation.id'] ?? null])).toEqual(
      expect.arrayContaining([
        ['chat gpt-4o-mini', 'erin', 'conv-7'],
        ['embeddings text-embedding-3-small', null, null],
      ]),
    );
    expect(otlp.points.filter((p) => p.metric === 'gen_ai.client.token.usage').length).toBeGreaterThan(0);
  });

  it('works from NODE_OPTIONS, the way a deployment adds it without touching the start command', async () => {
    const run = await runApp([], 'esm-app.mjs', env({ NODE_OPTIONS: '--import @tokenledger/node/register' }));
    expect(run.code).toBe(0);
    expect(genAi().map((s) => s.name)).toContain('chat gpt-4o-mini');
  });

  it('exports nothing and patches nothing with OTEL_SDK_DISABLED=true, and the app still works', async () => {
    const run = await runApp(REQUIRE_HOOK, 'cjs-app.cjs', env({ OTEL_SDK_DISABLED: 'true' }));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ reply: 'Hello from gpt-4o-mini!', patched: false });
    expect(otlp.spans).toHaveLength(0);
    expect(otlp.points).toHaveLength(0);
  });

  it('honours the sampler variables: always_off drops spans but keeps the metrics', async () => {
    const run = await runApp(REQUIRE_HOOK, 'cjs-app.cjs', env({ OTEL_TRACES_SAMPLER: 'always_off' }));
    expect(run.code).toBe(0);
    expect(otlp.spans).toHaveLength(0);
    expect(otlp.points.some((p) => p.metric === 'gen_ai.client.token.usage')).toBe(true);
  });

  it('refuses to start with the budget guard on but no collector URL, naming the variable', async () => {
    const run = await runApp(REQUIRE_HOOK, 'cjs-app.cjs', env({ TOKENLEDGER_BUDGET_GUARD: 'on' }));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('TOKENLEDGER_URL is required when TOKENLEDGER_BUDGET_GUARD=on');
    expect(llm.requests).toHaveLength(0);
  });

  it('leaves the app unaffected when the OTLP endpoint is down', async () => {
    const run = await runApp(
      REQUIRE_HOOK,
      'cjs-app.cjs',
      env({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, OTEL_LOG_LEVEL: 'none' }),
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ reply: 'Hello from gpt-4o-mini!', text: 'Hello from gpt-4o-mini!', patched: true });
    expect(llm.requests.map((r) => r.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/embeddings',
    ]);
  });
});

describe('the register hook with all three SDKs', () => {
  it('patches openai, @anthropic-ai/sdk and @google/genai imported by an ESM app, each span attributed', async () => {
    const llm = await startMockLlmServer();
    const otlp = await startOtlpReceiver();
    try {
      const run = await runApp(IMPORT_HOOK, 'three-sdks-app.mjs', { MOCK_LLM_URL: llm.url, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url });
      expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
      const byScope = Object.fromEntries(
        otlp.spans
          .filter((s) => s.scope.startsWith('@tokenledger/'))
          .map((s) => [s.scope, [s.attributes['gen_ai.provider.name'], s.attributes['user.id'], s.attributes['tokenledger.feature']]]),
      );
      expect(byScope).toEqual({
        '@tokenledger/instrumentation-openai': ['openai', 'gina', 'compare-models'],
        '@tokenledger/instrumentation-anthropic': ['anthropic', 'gina', 'compare-models'],
        '@tokenledger/instrumentation-google-genai': ['gcp.gemini', 'gina', 'compare-models'],
      });
    } finally {
      await llm.close();
      await otlp.close();
    }
  });
});
