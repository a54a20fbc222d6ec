import type { ReportAnswer } from './support/collector-api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type CollectorProcess, startCollectorProcess } from './support/collector';
import { type GrpcCollector, METRICS_EXPORT, startGrpcCollector, TRACES_EXPORT } from './support/grpc-collector';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';
import { FIXTURES, IMPORT_HOOK, REQUIRE_HOOK, runApp } from './support/run-app';

jest.setTimeout(180_000);

/**
 * The register hook with OTEL_EXPORTER_OTLP_PROTOCOL=grpc, in real processes, against real gRPC
 * servers. The apps may wait up to 10 s for their exports at exit (they end as soon as the exports
 * are through): on a busy machine the gRPC sender's thread can take seconds to start.
 */
const WAIT_AT_EXIT = { TOKENLEDGER_SHUTDOWN_TIMEOUT_MS: '10000' };

describe('the register hook exporting over OTLP/gRPC', () => {
  let llm: MockLlmServer;
  beforeAll(async () => {
    llm = await startMockLlmServer();
  });
  afterAll(() => llm.close());

  describe('to the collector service', () => {
    let collector: CollectorProcess;
    beforeAll(async () => {
      collector = await startCollectorProcess();
    });
    afterAll(() => collector?.stop());
    const grpcEnv = (extra: Record<string, string> = {}) => ({
      MOCK_LLM_URL: llm.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.grpcUrl,
      ...WAIT_AT_EXIT,
      ...extra,
    });
    const records = async (user: string) => (await collector.api<ReportAnswer<'usage'>>(`/v1/reports/usage?period=all&user=${user}`)).body.records;

    it("gets a CommonJS app's openai calls priced by its OTLP/gRPC receiver, with --require and nothing else", async () => {
      const run = await runApp(REQUIRE_HOOK, 'cjs-app.cjs', grpcEnv({ OTEL_SERVICE_NAME: 'billing-api' }));
      // Nothing on stderr: the spans and the metrics were both accepted over gRPC.
      expect(run).toMatchObject({ code: 0, stderr: '' });
      // 12 input and 3 output tokens of gpt-4o-mini at $0.15 and $0.60 per million: $0.0000036.
      expect(await records('alice')).toEqual([
        expect.objectContaining({
          user: 'alice',
          provider: 'openai',
          requestModel: 'gpt-4o-mini',
          tokens: expect.objectContaining({ input: 12, output: 3 }),
          costNanos: '3600',
          agent: 'support-bot',
          feature: 'chat-ui',
          service: 'billing-api',
        }),
      ]);
      const { body } = await collector.api<ReportAnswer<'summary'>>('/v1/reports/summary?period=all&service=billing-api');
      expect(body.calls).toBe(5);
    });

    it('does the same for an ESM app started with --import from NODE_OPTIONS', async () => {
      const run = await runApp([], 'esm-app.mjs', grpcEnv({ NODE_OPTIONS: '--import @tokenledger/node/register', OTEL_SERVICE_NAME: 'esm-api' }));
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(await records('erin')).toEqual([
        expect.objectContaining({ user: 'erin', requestModel: 'gpt-4o-mini', conversation: 'conv-7', service: 'esm-api' }),
      ]);
    });
  });

  describe('configured by the OTEL_EXPORTER_OTLP_* variables', () => {
    const servers: GrpcCollector[] = [];
    let http: OtlpReceiver | undefined;
    const grpcServer = async (options?: Parameters<typeof startGrpcCollector>[1]) => {
      const server = await startGrpcCollector('ok', options);
      servers.push(server);
      return server;
    };
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => s.close()));
      await http?.close();
      http = undefined;
    });
    const env = (extra: Record<string, string>) => ({ MOCK_LLM_URL: llm.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', ...WAIT_AT_EXIT, ...extra });

    it('sends the headers as metadata, and each signal to the endpoint named for it', async () => {
      const traces = await grpcServer();
      const metrics = await grpcServer();
      const run = await runApp(
        REQUIRE_HOOK,
        'outage-app.cjs',
        env({
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: traces.url,
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: metrics.url,
          OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer ingest-key,x-team=ml',
          OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-team=ops',
        }),
      );
      expect(run).toMatchObject({ code: 0, stdout: 'done\n', stderr: '' });
      expect(traces.methods()).toEqual([TRACES_EXPORT]);
      expect(metrics.methods()).toEqual([METRICS_EXPORT]);
      expect(traces.calls[0].metadata).toMatchObject({ authorization: 'Bearer ingest-key', 'x-team': 'ml' });
      // The signal's own variable wins over the general one, key by key.
      expect(metrics.calls[0].metadata).toMatchObject({ authorization: 'Bearer ingest-key', 'x-team': 'ops' });
    });

    it('sends spans over gRPC and metrics over OTLP/HTTP when only OTEL_EXPORTER_OTLP_TRACES_PROTOCOL says grpc', async () => {
      const traces = await grpcServer();
      http = await startOtlpReceiver();
      const run = await runApp(
        REQUIRE_HOOK,
        'outage-app.cjs',
        env({
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: traces.url,
          OTEL_EXPORTER_OTLP_ENDPOINT: http.url,
        }),
      );
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(traces.methods()).toEqual([TRACES_EXPORT]);
      expect(http.spans).toEqual([]);
      expect(http.points.some((p) => p.metric === 'gen_ai.client.token.usage')).toBe(true);
    });

    it('sends over TLS to a collector whose certificate OTEL_EXPORTER_OTLP_CERTIFICATE trusts, and says why not without it', async () => {
      const tls = join(FIXTURES, 'tls');
      const secure = await grpcServer({ tls: { key: readFileSync(join(tls, 'collector.key')), cert: readFileSync(join(tls, 'collector.crt')) } });
      const trusted = await runApp(
        REQUIRE_HOOK,
        'outage-app.cjs',
        env({ OTEL_EXPORTER_OTLP_ENDPOINT: secure.url, OTEL_EXPORTER_OTLP_CERTIFICATE: join(tls, 'ca.crt') }),
      );
      expect(trusted).toMatchObject({ code: 0, stderr: '' });
      expect(secure.methods()).toEqual(expect.arrayContaining([TRACES_EXPORT, METRICS_EXPORT]));

      const untrusted = await runApp(
        REQUIRE_HOOK,
        'outage-app.cjs',
        env({ OTEL_EXPORTER_OTLP_ENDPOINT: secure.url, OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_TIMEOUT: '3000' }),
      );
      expect(untrusted.code).toBe(0);
      expect(untrusted.stderr).toContain(`could not send spans to ${secure.address} (OTLP/gRPC): no TLS connection (`);
      expect(untrusted.stderr).toContain('OTEL_EXPORTER_OTLP_CERTIFICATE');
    });

    it('sends plaintext to an endpoint without a scheme when OTEL_EXPORTER_OTLP_INSECURE=true', async () => {
      const plain = await grpcServer();
      const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', env({ OTEL_EXPORTER_OTLP_ENDPOINT: plain.address, OTEL_EXPORTER_OTLP_INSECURE: 'true' }));
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(plain.methods()).toEqual(expect.arrayContaining([TRACES_EXPORT, METRICS_EXPORT]));
    });
  });

  it('tells an app that sends OTLP/HTTP to a gRPC endpoint to set OTEL_EXPORTER_OTLP_PROTOCOL=grpc', async () => {
    const grpcOnly = await startGrpcCollector('ok');
    try {
      const run = await runApp(REQUIRE_HOOK, 'outage-app.cjs', {
        MOCK_LLM_URL: llm.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_ENDPOINT: grpcOnly.url,
        OTEL_METRICS_EXPORTER: 'none',
      });
      expect(run).toMatchObject({ code: 0, stdout: 'done\n' });
      expect(run.stderr).toContain(`could not send spans to ${grpcOnly.url}/v1/traces: the collector rejected the request (not HTTP/1.1: `);
      expect(run.stderr).toContain('or set OTEL_EXPORTER_OTLP_PROTOCOL=grpc for an OTLP/gRPC one');
      expect(grpcOnly.calls).toEqual([]);
    } finally {
      await grpcOnly.close();
    }
  });

  describe('loaded only when configured', () => {
    const loaded = async (extra: Record<string, string>, args = REQUIRE_HOOK) => {
      const run = await runApp(args, 'modules-app.cjs', {
        MOCK_LLM_URL: llm.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
        OTEL_LOG_LEVEL: 'none',
        ...extra,
      });
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout) as { grpcJs: boolean; grpcTransport: boolean };
    };

    it('loads no gRPC code into an app that sends OTLP/HTTP', async () => {
      expect(await loaded({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' })).toEqual({ grpcJs: false, grpcTransport: false });
    });

    it("sends over gRPC from a thread of its own: grpc-js never loads on the app's thread", async () => {
      expect(await loaded({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual({ grpcJs: false, grpcTransport: true });
      expect(await loaded({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, IMPORT_HOOK)).toEqual({ grpcJs: false, grpcTransport: true });
    });

    it('starts nothing for gRPC in an app that made no AI call', async () => {
      expect(await loaded({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', CALLS: '0' })).toEqual({ grpcJs: false, grpcTransport: false });
    });
  });
});
