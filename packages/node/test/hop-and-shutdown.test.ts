import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';
import { REQUIRE_HOOK, runApp, startApp } from './support/run-app';

jest.setTimeout(120_000);

describe('across an HTTP hop, and at shutdown', () => {
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
  // Nothing is exported on a timer during the test: what arrives was flushed at shutdown.
  const env = (service: string, extra: Record<string, string> = {}) => ({
    MOCK_LLM_URL: llm.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_SERVICE_NAME: service,
    OTEL_BSP_SCHEDULE_DELAY: '600000',
    OTEL_METRIC_EXPORT_INTERVAL: '600000',
    ...extra,
  });
  const port = (stdout: string) => /listening (\d+)/.exec(stdout)![1];

  it("attributes a downstream service's AI calls to the caller's user through W3C baggage", async () => {
    const downstream = startApp(REQUIRE_HOOK, 'server-app.cjs', env('inventory'));
    await downstream.waitFor('listening');
    const caller = await runApp(REQUIRE_HOOK, 'upstream-app.cjs', env('storefront', { DOWNSTREAM_URL: `http://127.0.0.1:${port(downstream.stdout())}/` }));
    expect(caller.code).toBe(0);
    expect((JSON.parse(caller.stdout) as { baggage: string }).baggage.split(',').sort()).toEqual([
      'tokenledger.feature=checkout',
      'tokenledger.tag.plan=team',
      'user.id=carol',
    ]);
    downstream.kill('SIGTERM');
    await downstream.done;
    const chat = otlp.spans.find((s) => s.name === 'chat gpt-4o-mini')!;
    expect(chat.resource['service.name']).toBe('inventory');
    expect(chat.attributes).toMatchObject({ 'user.id': 'carol', 'tokenledger.feature': 'checkout', 'tokenledger.tag.plan': 'team' });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('flushes spans and metrics on %s, then ends by the signal when the app has no handler', async (signal) => {
    const app = startApp(REQUIRE_HOOK, 'server-app.cjs', env('svc'));
    await app.waitFor('listening');
    await fetch(`http://127.0.0.1:${port(app.stdout())}/`).then((r) => r.json());
    app.kill(signal);
    const run = await app.done;
    expect(run.signal).toBe(signal);
    expect(otlp.spans.map((s) => s.name)).toContain('chat gpt-4o-mini');
    expect(otlp.points.some((p) => p.metric === 'gen_ai.client.token.usage')).toBe(true);
  });

  it("flushes on SIGTERM before the app's own handler runs, and leaves its exit to it", async () => {
    const app = startApp(REQUIRE_HOOK, 'server-app.cjs', env('svc', { APP_SIGNAL_HANDLER: '1' }));
    await app.waitFor('listening');
    await fetch(`http://127.0.0.1:${port(app.stdout())}/`).then((r) => r.json());
    app.kill('SIGTERM');
    const run = await app.done;
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.stdout).toContain('app handler ran');
    // The handler calls process.exit(0) at once: the span got out only because the flush came first.
    expect(otlp.spans.map((s) => s.name)).toContain('chat gpt-4o-mini');
  });
});
