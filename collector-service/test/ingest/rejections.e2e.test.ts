import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { grpcExport } from '../support/otlp-grpc';
import { type ServiceProcess, startService } from '../support/service-process';
import { GPT_4O_CHAT, otlpProtobufBody } from '../support/spans';
import { parsePrometheusText, sumOf } from '../telemetry/prometheus-text';

const ADMIN_KEY = 'rejections-test-admin-key-0123456789';
// Shaped like a key of ours whose id is not in the store: the log may name its id, never its secret.
const UNKNOWN_KEY = 'tl_ingest_0a1b2c3d4e5f_SECRETpartNEVERlogged0123456789abcdefghijk';

/** A sender without a valid key is seen: in /metrics and in the log, once a minute per key and reason. */
describe('refused ingest requests, against the built service', () => {
  let dir: string;
  let service: ServiceProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-rejections-'));
    service = await startService({ TOKENLEDGER_SQLITE_PATH: join(dir, 'store.sqlite'), TOKENLEDGER_ADMIN_KEY: ADMIN_KEY });
  });
  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every 401 in the metric and logs one line per key and reason saying what to do', async () => {
    const body = new Uint8Array(await otlpProtobufBody([{ name: 'chat gpt-4o', attributes: GPT_4O_CHAT }]));
    const send = (headers: Record<string, string>) =>
      fetch(`${service.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', ...headers } });
    for (let i = 0; i < 5; i++) expect((await send({ authorization: `Bearer ${UNKNOWN_KEY}` })).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await send({})).status).toBe(401);
    expect((await grpcExport(service.grpcAddress!, body, { metadata: { authorization: `Bearer ${UNKNOWN_KEY}` } })).code).toBe(status.UNAUTHENTICATED);

    await service.waitForOutput(/refused an OTLP request with no API key \(unauthenticated\)/);
    const lines = service.output().split('\n');
    const fromKey = lines.filter((l) => l.includes('refused an OTLP request from key tl_ingest_0a1b2c3d4e5f (unauthenticated)'));
    expect(fromKey).toHaveLength(1);
    expect(fromKey[0]).toMatch(/tokenledger keys create --role ingest/);
    expect(lines.filter((l) => l.includes('refused an OTLP request with no API key (unauthenticated)'))).toHaveLength(1);
    expect(service.output()).not.toContain('SECRETpart');

    const scrape = async () => parsePrometheusText(await (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text());
    await scrape(); // the series' 0, then what they count
    expect(sumOf(await scrape(), 'tokenledger_ingest_rejected_requests_total', { reason: 'unauthenticated' })).toBe(9);
  });
});
