import { gzipSync } from 'node:zlib';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ExportTraceServiceResponse, RpcStatus } from '../../src/ingest/otlp-schema';
import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { type RunningCollector, startCollector } from '../support/app';
import { CLAUDE_CACHED_CHAT, GPT_4O_CHAT, HTTP_SPAN, makeSpans, requestBytes } from '../support/spans';

const execFileAsync = promisify(execFile);

// $0.02375 and $0.03195 (see packages/pricing's hand-computed table)
const EXPECTED_NANOS = 23_750_000n + 31_950_000n;

async function summary(collector: RunningCollector, query = 'period=all') {
  const res = await fetch(`${collector.url}/v1/reports/summary?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { totalCostNanos: string; calls: number; unpricedCalls: number; failedCalls: number };
}

function post(collector: RunningCollector, body: Uint8Array<ArrayBuffer> | string, headers: Record<string, string>) {
  return fetch(`${collector.url}/v1/traces`, { method: 'POST', body, headers });
}

describe('OTLP/HTTP trace ingest', () => {
  let collector: RunningCollector;
  let spans: ReadableSpan[];
  beforeEach(async () => {
    collector = await startCollector({ TOKENLEDGER_MAX_BODY_BYTES: String(64 * 1024) });
    spans = await makeSpans([{ name: 'chat gpt-4o', attributes: GPT_4O_CHAT }, { name: 'chat claude-3-5-sonnet', attributes: CLAUDE_CACHED_CHAT }, HTTP_SPAN]);
  });
  afterEach(() => collector.close());

  it('prices and stores the spans a real OTLP protobuf exporter sends, ignoring non-GenAI spans', async () => {
    const specs = [{ name: 'chat gpt-4o', attributes: GPT_4O_CHAT }, { name: 'chat claude-3-5-sonnet', attributes: CLAUDE_CACHED_CHAT }, HTTP_SPAN];
    const { stdout } = await execFileAsync(process.execPath, [
      join(__dirname, '..', 'support', 'otlp-exporter-app.cjs'),
      `${collector.url}/v1/traces`,
      JSON.stringify(specs),
    ]);
    expect(stdout.trim()).toBe('exported');
    const totals = await summary(collector);
    expect(totals).toMatchObject({ totalCostNanos: EXPECTED_NANOS.toString(), calls: 2, unpricedCalls: 0 });
  });

  it('counts a retried batch once', async () => {
    const body = requestBytes(ProtobufTraceSerializer.serializeRequest(spans));
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await post(collector, body, { 'content-type': 'application/x-protobuf' });
      expect(res.status).toBe(200);
    }
    expect(await summary(collector)).toMatchObject({ totalCostNanos: EXPECTED_NANOS.toString(), calls: 2 });
  });

  it('accepts gzip-compressed OTLP JSON and answers in JSON', async () => {
    const body = gzipSync(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!));
    const res = await post(collector, body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect((await summary(collector)).calls).toBe(2);
  });

  it('stores the valid spans of a request and reports the invalid ones as a partial success', async () => {
    const bad = await makeSpans([{ name: 'chat gpt-4o', attributes: { ...GPT_4O_CHAT, 'gen_ai.usage.input_tokens': -5 } }]);
    const body = requestBytes(ProtobufTraceSerializer.serializeRequest([...spans, ...bad]));
    const res = await post(collector, body, { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    const response = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(new Uint8Array(await res.arrayBuffer())), { longs: Number });
    expect(response.partialSuccess).toMatchObject({
      rejectedSpans: 1,
      errorMessage: expect.stringMatching(/gen_ai\.usage\.input_tokens must be a non-negative integer/),
    });
    expect(await summary(collector)).toMatchObject({ totalCostNanos: EXPECTED_NANOS.toString(), calls: 2 });
  });

  it('answers 400 with a google.rpc.Status for a body that is not OTLP, and stays up', async () => {
    const res = await post(collector, Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    const status = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await res.arrayBuffer())));
    expect(status).toMatchObject({ code: 3, message: expect.stringMatching(/not an OTLP ExportTraceServiceRequest/) });
    const json = await post(collector, '{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ code: 3, message: expect.stringMatching(/not valid JSON/) });
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });

  it('answers 413 for a body over the limit, and 415 for another content type', async () => {
    const big = await post(collector, Buffer.alloc(64 * 1024 + 1), { 'content-type': 'application/x-protobuf' });
    expect(big.status).toBe(413);
    const bomb = await post(collector, gzipSync(Buffer.alloc(1024 * 1024)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    const text = await post(collector, 'hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });

  it('answers 503 with Retry-After when the store fails, so the sender retries', async () => {
    await collector.app.get<StoragePort>(STORAGE).close();
    const res = await post(collector, requestBytes(ProtobufTraceSerializer.serializeRequest(spans)), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await fetch(`${collector.url}/readyz`)).status).toBe(503);
  });

  it('acknowledges OTLP metrics without counting them as cost', async () => {
    const res = await fetch(`${collector.url}/v1/metrics`, {
      method: 'POST',
      body: '{"resourceMetrics": []}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect((await summary(collector)).calls).toBe(0);
  });
});
