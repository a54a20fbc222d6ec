import { status } from '@grpc/grpc-js';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type GrpcBehaviour, type GrpcCollector, METRICS_EXPORT, startGrpcCollector, TRACES_EXPORT } from './support/grpc-collector';
import { closedPort } from './support/otlp-receiver';
import { REQUIRE_HOOK, runApp, startApp } from './support/run-app';

jest.setTimeout(120_000);

/**
 * The guarantees of collector-outage.test.ts over OTLP/gRPC, against a real gRPC server on loopback.
 * grpc-js keeps a process alive while a call is in flight, so these apps only end because the hook's
 * gRPC calls run where the app does not wait for them; the assertions are on what happened, never on
 * durations. The apps wait 3 s at exit, not 1: the gRPC sender's thread starts with the first span,
 * and on a busy machine it may take a second or more before its first call goes out.
 */
describe('an app exporting over OTLP/gRPC to a collector that is down, hanging or slow', () => {
  let llm: MockLlmServer;
  let collector: GrpcCollector | undefined;
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
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_TIMEOUT: '600000',
    OTEL_METRIC_EXPORT_INTERVAL: '600000',
    TOKENLEDGER_SHUTDOWN_TIMEOUT_MS: '3000',
    ...extra,
  });
  const failing = async (behaviour: GrpcBehaviour) => (collector = await startGrpcCollector(behaviour));
  const reports = (stderr: string, signal: 'spans' | 'metrics', address: string) =>
    stderr.split('\n').filter((line) => line.includes(`could not send ${signal} to ${address} (OTLP/gRPC)`));
  const count = (calls: string[], method: string) => calls.filter((m) => m === method).length;

  it('ends a finished script while the collector holds its calls unanswered, and says so once per signal', async () => {
    const hanging = await failing('hang');
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(hanging.url, { CALLS: '3' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    expect(hanging.methods()).toEqual(expect.arrayContaining([TRACES_EXPORT, METRICS_EXPORT]));
    expect(hanging.answered()).toBe(0);
    expect(reports(run.stderr, 'spans', hanging.address)).toEqual([expect.stringContaining('no answer within 3000 ms')]);
    expect(reports(run.stderr, 'metrics', hanging.address)).toHaveLength(1);
  });

  it('ends a finished script before a slow collector answers', async () => {
    const slow = await failing('slow');
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(slow.url));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    expect(slow.methods()).toContain(TRACES_EXPORT);
    expect(slow.answered()).toBe(0);
  });

  it('ends by SIGTERM while the collector holds the export unanswered', async () => {
    const hanging = await failing('hang');
    const app = startApp(REQUIRE_HOOK, 'server-app.cjs', env(hanging.url, { OTEL_BSP_SCHEDULE_DELAY: '100' }));
    await app.waitFor('listening');
    await fetch(`http://127.0.0.1:${/listening (\d+)/.exec(app.stdout())![1]}/`).then((r) => r.json());
    // The span's export is in flight, unanswered, when the signal comes.
    while (!hanging.calls.length) await new Promise((resolve) => setTimeout(resolve, 50));
    app.kill('SIGTERM');
    const run = await app.done;
    expect(run.signal).toBe('SIGTERM');
    expect(hanging.methods()).toContain(TRACES_EXPORT);
    expect(hanging.answered()).toBe(0);
  });

  it('reports a refused connection once per signal, naming the endpoint and what to do, and the app still exits 0', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(`http://${address}`, { CALLS: '2' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    expect(reports(run.stderr, 'spans', address)).toEqual([
      `@tokenledger/node: could not send spans to ${address} (OTLP/gRPC): nothing accepts connections there (ECONNREFUSED). Start the collector, or set OTEL_EXPORTER_OTLP_ENDPOINT to the address it listens on. The app is not affected; these spans are dropped, and further failures of this kind are not reported.`,
    ]);
    expect(reports(run.stderr, 'metrics', address)).toHaveLength(1);
  });

  it('reports a refused key (UNAUTHENTICATED) once and stays quiet however many calls fail after it', async () => {
    const locked = await failing(status.UNAUTHENTICATED);
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(locked.url, { CALLS: '6', CALL_GAP_MS: '100', OTEL_BSP_SCHEDULE_DELAY: '20' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    expect(count(locked.methods(), TRACES_EXPORT)).toBeGreaterThan(1);
    expect(reports(run.stderr, 'spans', locked.address)).toEqual([
      expect.stringContaining('the collector refused the credentials (gRPC UNAUTHENTICATED). Set OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer <key>'),
    ]);
  });

  it('stops waiting for a collector that answers UNAVAILABLE before its retries are spent, and reports it', async () => {
    const unavailable = await failing(status.UNAVAILABLE);
    // The span is exported while the app still runs (2 s after its call), so the collector's first
    // answer is in before the app ends even when the sender's thread is slow to start on a busy machine.
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(unavailable.url, { OTEL_BSP_SCHEDULE_DELAY: '20', CALL_GAP_MS: '2000' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    // Five attempts with backoff take 6.5 s and more; the app ran 2 s after the export began and waited 3 at exit.
    expect(count(unavailable.methods(), TRACES_EXPORT)).toBeLessThan(5);
    expect(reports(run.stderr, 'spans', unavailable.address)).toEqual([expect.stringContaining('the collector answered gRPC UNAVAILABLE')]);
  });

  it('sends nothing, and starts no gRPC sender, when the app made no AI call', async () => {
    const hanging = await failing('hang');
    const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env(hanging.url, { CALLS: '0' }));
    expect(run).toMatchObject({ code: 0, stdout: 'done\n', stderr: '' });
    expect(hanging.calls).toEqual([]);
  });

  it("never holds the app's calls, nor its exit: every call completes while each export hangs unanswered", async () => {
    const hanging = await failing('hang');
    const run = await runApp(
      REQUIRE_HOOK,
      'outage-app.cjs',
      env(hanging.url, { CALLS: '5', CALL_GAP_MS: '50', OTEL_BSP_SCHEDULE_DELAY: '1', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1' }),
    );
    expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
    // Calls were in flight while the app worked (several batches reached the collector), none answered.
    expect(count(hanging.methods(), TRACES_EXPORT)).toBeGreaterThan(1);
    expect(llm.requests).toHaveLength(5);
    expect(hanging.answered()).toBe(0);
  });
});
