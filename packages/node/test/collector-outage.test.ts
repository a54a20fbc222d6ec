import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type FailingCollector, type Failure, startFailingCollector } from './support/failing-collector';
import { closedPort } from './support/otlp-receiver';
import { REQUIRE_HOOK, runApp, startApp } from './support/run-app';

jest.setTimeout(120_000);

/**
 * An app never pays for the collector's outage. The exporter may wait ten minutes for an answer
 * (OTEL_EXPORTER_OTLP_TIMEOUT), so only the hook's shutdown timeout can end these apps while the
 * collector hangs, stalls or refuses; the assertions are on what happened, never on durations.
 */
describe('an app whose collector is down, hanging or slow', () => {
  let llm: MockLlmServer;
  let collector: FailingCollector | undefined;
  beforeEach(async () => {
    llm = await startMockLlmServer();
  });
  afterEach(async () => {
    await llm.close();
    await collector?.close();
    collector = undefined;
  });
  const env = (endpoint: string, extra: Record<string, string> = {}) => ({
    MOCK_LLM_URL: llm.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_TIMEOUT: '600000',
    OTEL_METRIC_EXPORT_INTERVAL: '600000',
    TOKENLEDGER_SHUTDOWN_TIMEOUT_MS: '1000',
    ...extra,
  });
  const failing = async (failure: Failure) => (collector = await startFailingCollector(failure));
  const reports = (stderr: string, path: string) => stderr.split('\n').filter((line) => line.includes(`could not send`) && line.includes(path));

  it('ends a finished script while the collector holds its exports unanswered, and says so once per endpoint', async () => {
    const hanging = await failing('hang');
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(hanging.url, { CALLS: '3' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    expect(hanging.requests).toEqual(expect.arrayContaining(['/v1/traces', '/v1/metrics']));
    expect(hanging.answered()).toBe(0);
    expect(reports(run.stderr, `${hanging.url}/v1/traces`)).toEqual([expect.stringContaining('no answer within 1000 ms')]);
    expect(reports(run.stderr, `${hanging.url}/v1/metrics`)).toHaveLength(1);
  });

  it('ends a finished script before a slow collector answers', async () => {
    const slow = await failing('slow');
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(slow.url));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    expect(slow.requests).toContain('/v1/traces');
    expect(slow.answered()).toBe(0);
  });

  it("lets the app's own beforeExit work finish, and still ends while the collector hangs", async () => {
    const hanging = await failing('hang');
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(hanging.url, { APP_BEFORE_EXIT: '1' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\napp beforeExit work done\n' });
    expect(hanging.answered()).toBe(0);
  });

  it('ends by SIGTERM while the collector holds the flush unanswered', async () => {
    const hanging = await failing('hang');
    const app = startApp(REQUIRE_HOOK, 'server-app.cjs', env(hanging.url));
    await app.waitFor('listening');
    await fetch(`http://127.0.0.1:${/listening (\d+)/.exec(app.stdout())![1]}/`).then((r) => r.json());
    app.kill('SIGTERM');
    const run = await app.done;
    expect(run.signal).toBe('SIGTERM');
    expect(hanging.requests).toContain('/v1/traces');
    expect(hanging.answered()).toBe(0);
  });

  it('reports a refused connection once per endpoint, naming it and what to do, and the app still exits 0', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(url, { CALLS: '2' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    expect(reports(run.stderr, `${url}/v1/traces`)).toEqual([
      `@tokenledger/node: could not send spans to ${url}/v1/traces: nothing accepts connections there (ECONNREFUSED). Start the collector, or set OTEL_EXPORTER_OTLP_ENDPOINT to the address it listens on. The app is not affected; these spans are dropped, and further failures of this kind are not reported.`,
    ]);
    expect(reports(run.stderr, `${url}/v1/metrics`)).toHaveLength(1);
  });

  it('reports a refused key (401) once and stays quiet however many exports fail after it', async () => {
    const locked = await failing(401);
    // An export every 20 ms while the app works: many exports, each refused.
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(locked.url, { CALLS: '6', CALL_GAP_MS: '100', OTEL_BSP_SCHEDULE_DELAY: '20' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    expect(locked.requests.filter((p) => p === '/v1/traces').length).toBeGreaterThan(1);
    expect(reports(run.stderr, `${locked.url}/v1/traces`)).toEqual([
      expect.stringContaining('the collector refused the credentials (HTTP 401). Set OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer <key>'),
    ]);
  });

  it('stops waiting for a collector that answers 503 before its retries are spent, and reports it', async () => {
    const unavailable = await failing(503);
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(unavailable.url));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    // Five attempts with backoff take seconds; the app waited one.
    expect(unavailable.requests.filter((p) => p === '/v1/traces').length).toBeLessThan(5);
    expect(reports(run.stderr, `${unavailable.url}/v1/traces`)).toEqual([expect.stringContaining('the collector answered HTTP 503')]);
  });

  it('sends nothing, and so waits for nothing, when the app made no AI call', async () => {
    const hanging = await failing('hang');
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(hanging.url, { CALLS: '0' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n', stderr: '' });
    expect(hanging.requests).toEqual([]);
  });

  it("never holds the app's calls: every call completes while each export hangs unanswered", async () => {
    const hanging = await failing('hang');
    const run = await runApp(
      REQUIRE_HOOK,
      'outage-app.cjs',
      env(hanging.url, { CALLS: '5', CALL_GAP_MS: '50', OTEL_BSP_SCHEDULE_DELAY: '1', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1' }),
    );
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    // Exports were in flight during the calls (several batches reached the collector), none answered.
    expect(hanging.requests.filter((p) => p === '/v1/traces').length).toBeGreaterThan(1);
    expect(llm.requests).toHaveLength(5);
    expect(hanging.answered()).toBe(0);
  });
});
