import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, constants } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ConfigError, loadConfig } from '../../src/config/config';
import { OtlpGrpcReceiver } from '../../src/ingest/otlp-grpc.receiver';
import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { type RunningCollector, startCollector } from '../support/app';
import { grpcExport, METRICS_EXPORT, relayFrom, TRACE_EXPORT } from '../support/otlp-grpc';
import { startService } from '../support/service-process';
import { CLAUDE_CACHED_CHAT, GPT_4O_CHAT, HTTP_SPAN, makeSpans, otlpProtobufBody, type SpanSpec } from '../support/spans';

const execFileAsync = promisify(execFile);

// $0.02375 and $0.03195 (see packages/pricing's hand-computed table)
const EXPECTED_NANOS = 23_750_000n + 31_950_000n;
const SPECS: SpanSpec[] = [{ name: 'chat gpt-4o', attributes: GPT_4O_CHAT }, { name: 'chat claude-3-5-sonnet', attributes: CLAUDE_CACHED_CHAT }, HTTP_SPAN];
const ADMIN_KEY = 'grpc-test-admin-key-0123456789abcdef';

async function summary(collector: RunningCollector, headers: Record<string, string> = {}) {
  const res = await fetch(`${collector.url}/v1/reports/summary?period=all`, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as { totalCostNanos: string; calls: number };
}

/** Sends SPECS with the real @opentelemetry/exporter-trace-otlp-grpc from its own process. */
async function exportWithRealExporter(address: string, env: Record<string, string> = {}): Promise<void> {
  const app = join(__dirname, '..', 'support', 'otlp-exporter-app.cjs');
  const { stdout } = await execFileAsync(process.execPath, [app, `http://${address}`, JSON.stringify(SPECS), 'grpc'], { env: { ...process.env, ...env } });
  expect(stdout.trim()).toBe('exported');
}

describe('OTLP/gRPC trace ingest', () => {
  let collector: RunningCollector;
  afterEach(() => collector.close());

  describe('in open mode', () => {
    beforeEach(async () => {
      collector = await startCollector({ TOKENLEDGER_MAX_BODY_BYTES: String(64 * 1024) }, { grpc: true });
    });

    it('prices and stores the spans a real OTLP/gRPC exporter sends, ignoring non-GenAI spans', async () => {
      await exportWithRealExporter(collector.grpcAddress!);
      expect(await summary(collector)).toMatchObject({ totalCostNanos: EXPECTED_NANOS.toString(), calls: 2 });
    });

    it('counts a retried export once', async () => {
      const message = await otlpProtobufBody(SPECS);
      for (let attempt = 0; attempt < 3; attempt++) expect((await grpcExport(collector.grpcAddress!, message)).code).toBe(status.OK);
      expect(await summary(collector)).toMatchObject({ totalCostNanos: EXPECTED_NANOS.toString(), calls: 2 });
    });

    it('stores the valid spans of an export and reports the invalid ones as a partial success', async () => {
      const spans = await makeSpans([...SPECS, { name: 'chat gpt-4o', attributes: { ...GPT_4O_CHAT, 'gen_ai.usage.input_tokens': -5 } }]);
      const answer = await grpcExport(collector.grpcAddress!, ProtobufTraceSerializer.serializeRequest(spans)!);
      expect(answer.code).toBe(status.OK);
      expect(answer.response!.partialSuccess).toMatchObject({
        rejectedSpans: 1,
        errorMessage: expect.stringMatching(/gen_ai\.usage\.input_tokens must be a non-negative integer/),
      });
      expect(await summary(collector)).toMatchObject({ totalCostNanos: EXPECTED_NANOS.toString(), calls: 2 });
    });

    it('answers INVALID_ARGUMENT for a message that is not an ExportTraceServiceRequest, and stays up', async () => {
      const answer = await grpcExport(collector.grpcAddress!, Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]));
      expect(answer).toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: expect.stringMatching(/not an OTLP ExportTraceServiceRequest/),
        retryAfterSeconds: undefined,
      });
      expect((await grpcExport(collector.grpcAddress!, await otlpProtobufBody(SPECS))).code).toBe(status.OK);
    });

    it('answers RESOURCE_EXHAUSTED, not to be retried, for a message over the size limit, compressed or not', async () => {
      const big = await grpcExport(collector.grpcAddress!, Buffer.alloc(64 * 1024 + 1));
      expect(big).toMatchObject({ code: status.RESOURCE_EXHAUSTED, retryAfterSeconds: undefined });
      // 1 MiB of zeros gzips to about 1 KiB: the limit holds for what it inflates to.
      const bomb = await grpcExport(collector.grpcAddress!, Buffer.alloc(1024 * 1024), { gzip: true });
      expect(bomb).toMatchObject({ code: status.RESOURCE_EXHAUSTED, retryAfterSeconds: undefined });
      expect((await grpcExport(collector.grpcAddress!, await otlpProtobufBody(SPECS), { gzip: true })).code).toBe(status.OK);
      expect((await summary(collector)).calls).toBe(2);
    });

    it('acknowledges OTLP metrics without counting them as cost', async () => {
      expect((await grpcExport(collector.grpcAddress!, Buffer.alloc(0), { path: METRICS_EXPORT })).code).toBe(status.OK);
      expect((await summary(collector)).calls).toBe(0);
    });

    it('closes though a client holds a call open, cutting that call once the grace is over', async () => {
      const session = connect(`http://${collector.grpcAddress!}`);
      session.on('error', () => undefined);
      await once(session, 'connect');
      const call = session.request({ ':method': 'POST', ':path': TRACE_EXPORT, 'content-type': 'application/grpc', te: 'trailers' });
      call.on('error', () => undefined);
      // A message announced as 100 bytes of which 10 come: its handler never runs, and the call stays open.
      const prefix = Buffer.alloc(5);
      prefix.writeUInt32BE(100, 1);
      call.write(Buffer.concat([prefix, Buffer.alloc(10)]));
      // The server answers the ping after the frames before it: by then it holds the call.
      await new Promise((resolve, reject) => session.ping((err) => (err ? reject(err) : resolve(undefined))));
      const cut = new Promise((resolve) => call.once('close', resolve));
      try {
        await collector.app.get(OtlpGrpcReceiver).close(200);
        await cut;
        expect(call.rstCode).toBe(constants.NGHTTP2_CANCEL);
        expect((await grpcExport(collector.grpcAddress!, await otlpProtobufBody(SPECS))).code).toBe(status.UNAVAILABLE);
      } finally {
        session.destroy();
      }
    });

    it('answers UNAVAILABLE with a RetryInfo when the store fails, so the sender retries', async () => {
      await collector.app.get<StoragePort>(STORAGE).close();
      const answer = await grpcExport(collector.grpcAddress!, await otlpProtobufBody(SPECS));
      expect(answer).toMatchObject({ code: status.UNAVAILABLE, retryAfterSeconds: 5, details: expect.stringMatching(/store is unavailable.*retry later/) });
    });
  });

  describe('with API keys', () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const createKey = async (role: string): Promise<string> => {
      const res = await fetch(`${collector.url}/v1/keys`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ role }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { key: string }).key;
    };
    beforeEach(async () => {
      collector = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN_KEY }, { grpc: true });
    });

    it('takes an ingest key as authorization or x-api-key metadata, from a real exporter too', async () => {
      const ingest = await createKey('ingest');
      const message = await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O_CHAT }]);
      expect((await grpcExport(collector.grpcAddress!, message, { metadata: { authorization: `Bearer ${ingest}` } })).code).toBe(status.OK);
      const other = await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O_CHAT }]);
      expect((await grpcExport(collector.grpcAddress!, other, { metadata: { 'x-api-key': ingest } })).code).toBe(status.OK);
      await exportWithRealExporter(collector.grpcAddress!, { OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${ingest}` });
      expect(await summary(collector, admin)).toMatchObject({ totalCostNanos: (2n * 23_750_000n + EXPECTED_NANOS).toString(), calls: 4 });
    });

    it('answers UNAUTHENTICATED without a live key and PERMISSION_DENIED for a viewer key, storing nothing', async () => {
      const message = await otlpProtobufBody(SPECS);
      const none = await grpcExport(collector.grpcAddress!, message);
      expect(none).toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringMatching(/Authorization: Bearer <key>/), retryAfterSeconds: undefined });
      const unknown = await grpcExport(collector.grpcAddress!, message, { metadata: { authorization: 'Bearer tl_ingest_nope_nope' } });
      expect(unknown).toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringMatching(/unknown or revoked/) });
      const viewer = await grpcExport(collector.grpcAddress!, message, { metadata: { authorization: `Bearer ${await createKey('viewer')}` } });
      expect(viewer).toMatchObject({ code: status.PERMISSION_DENIED, details: expect.stringMatching(/role "viewer"; this endpoint needs ingest or admin/) });
      expect((await summary(collector, admin)).calls).toBe(0);
    });

    it('answers UNAVAILABLE with a RetryInfo when the store cannot check the key or keep the spans', async () => {
      const ingest = await createKey('ingest');
      await collector.app.get<StoragePort>(STORAGE).close();
      const message = await otlpProtobufBody(SPECS);
      const keyCheck = await grpcExport(collector.grpcAddress!, message, { metadata: { authorization: `Bearer ${ingest}` } });
      expect(keyCheck).toMatchObject({ code: status.UNAVAILABLE, retryAfterSeconds: 5, details: expect.stringMatching(/API key cannot be checked/) });
      // The admin key is checked without the store: the write is what fails.
      const write = await grpcExport(collector.grpcAddress!, message, { metadata: admin });
      expect(write).toMatchObject({ code: status.UNAVAILABLE, retryAfterSeconds: 5, details: expect.stringMatching(/store is unavailable; retry later/) });
    });
  });

  describe('open mode over gRPC', () => {
    it('answers only loopback peers that address it as localhost', async () => {
      collector = await startCollector({ TOKENLEDGER_HOST: '0.0.0.0' }, { grpc: true });
      const message = await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O_CHAT }]);
      const relay = await relayFrom('127.0.0.2', collector.grpcAddress!);
      try {
        const remote = await grpcExport(relay.address, message);
        expect(remote).toMatchObject({
          code: status.UNAUTHENTICATED,
          details: expect.stringMatching(/open mode .*only answers requests from 127\.0\.0\.1 or ::1/),
        });
      } finally {
        await relay.close();
      }
      const rebound = await grpcExport(collector.grpcAddress!, message, { authority: 'attacker.example:4317' });
      expect(rebound).toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringMatching(/addressed to localhost/) });
      expect((await summary(collector)).calls).toBe(0);
      expect((await grpcExport(collector.grpcAddress!, message, { authority: 'localhost:4317' })).code).toBe(status.OK);
      expect((await summary(collector)).calls).toBe(1);
    });
  });
});

describe('TOKENLEDGER_GRPC_PORT', () => {
  it('listens for OTLP/gRPC beside HTTP, and not at all when set to off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-grpc-port-'));
    try {
      const on = await startService({ TOKENLEDGER_SQLITE_PATH: join(dir, 'on.sqlite') });
      await on.stop();
      expect(on.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ and OTLP\/gRPC 127\.0\.0\.1:\d+/);
      const off = await startService({ TOKENLEDGER_SQLITE_PATH: join(dir, 'off.sqlite'), TOKENLEDGER_GRPC_PORT: 'off' });
      await off.stop();
      expect(off.grpcAddress).toBeNull();
      expect(off.output()).not.toMatch(/gRPC/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defaults to 4317 and names itself in the error for anything but a port or off', () => {
    expect(loadConfig({}).grpcPort).toBe(4317);
    expect(() => loadConfig({ TOKENLEDGER_GRPC_PORT: 'no' })).toThrow(ConfigError);
    expect(() => loadConfig({ TOKENLEDGER_GRPC_PORT: '70000' })).toThrow(/TOKENLEDGER_GRPC_PORT must be a port from 0 to 65535, or "off"/);
  });

  it('says which port is taken and how to choose another when it cannot listen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-grpc-busy-'));
    const first = await startService({ TOKENLEDGER_SQLITE_PATH: join(dir, 'a.sqlite') });
    try {
      const port = first.grpcAddress!.split(':')[1];
      await expect(startService({ TOKENLEDGER_SQLITE_PATH: join(dir, 'b.sqlite'), TOKENLEDGER_GRPC_PORT: port })).rejects.toThrow(
        new RegExp(`cannot listen for OTLP/gRPC on 127\\.0\\.0\\.1:${port} \\(TOKENLEDGER_GRPC_PORT\\).*set TOKENLEDGER_GRPC_PORT=off`),
      );
    } finally {
      await first.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
