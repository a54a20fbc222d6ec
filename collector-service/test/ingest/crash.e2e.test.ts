import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService } from '../support/service-process';

/**
 * Kills the service with SIGKILL while a sender streams batches at it, restarts it on the same
 * store, lets the sender retry what was not acknowledged, and checks the totals to the nano.
 */
const BATCHES = 40;
const SPANS_PER_BATCH = 50;

function batch(i: number): { body: string; nanos: bigint } {
  const spans = [];
  let nanos = 0n;
  for (let s = 0; s < SPANS_PER_BATCH; s++) {
    const input = 100 + ((i * 7 + s * 13) % 4000);
    const output = 50 + ((i * 11 + s * 3) % 2000);
    nanos += BigInt(input) * 2500n + BigInt(output) * 10_000n; // gpt-4o: $2.50 / $10 per 1M
    spans.push({
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
      endTimeUnixNano: String(BigInt(Date.now() + 200) * 1_000_000n),
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: String(input) } },
        { key: 'gen_ai.usage.output_tokens', value: { intValue: String(output) } },
      ],
    });
  }
  return { body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'load' }, spans }] }] }), nanos };
}

async function crashAndRecover(env: Record<string, string>): Promise<void> {
  const batches = Array.from({ length: BATCHES }, (_, i) => batch(i));
  let service = await startService(env);
  let killed = false;
  for (let i = 0; i < batches.length; i++) {
    for (let attempt = 0; ; attempt++) {
      if (!killed && i === 15) {
        // Kill while this batch is in flight: it may or may not be stored; it is not acknowledged.
        const inFlight = fetch(`${service.url}/v1/traces`, { method: 'POST', body: batches[i].body, headers: { 'content-type': 'application/json' } }).catch(
          () => null,
        );
        service.child.kill('SIGKILL');
        killed = true;
        await inFlight;
        await new Promise((r) => service.child.once('exit', r));
        service = await startService(env);
        continue; // the sender retries the batch it got no acknowledgement for
      }
      const res = await fetch(`${service.url}/v1/traces`, { method: 'POST', body: batches[i].body, headers: { 'content-type': 'application/json' } }).catch(
        () => null,
      );
      if (res?.status === 200) break;
      if (attempt > 20) throw new Error(`batch ${i} never acknowledged`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const summary = (await (await fetch(`${service.url}/v1/reports/summary?period=all`)).json()) as { totalCostNanos: string; calls: number };
  service.child.kill('SIGTERM');
  expect(summary.calls).toBe(BATCHES * SPANS_PER_BATCH);
  expect(summary.totalCostNanos).toBe(batches.reduce((s, b) => s + b.nanos, 0n).toString());
}

describe('a service killed mid-load', () => {
  jest.setTimeout(120_000);

  it('loses nothing acknowledged and counts nothing twice (sqlite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-crash-'));
    try {
      await crashAndRecover({ TOKENLEDGER_SQLITE_PATH: join(dir, 'db.sqlite') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const uri = process.env.MONGODB_URI;
  (uri ? it : it.skip)('loses nothing acknowledged and counts nothing twice (mongo; runs when MONGODB_URI is set)', async () => {
    const url = new URL(uri!);
    url.pathname = `/tokenledger_crash_${randomBytes(4).toString('hex')}`;
    await crashAndRecover({ TOKENLEDGER_STORE: 'mongo', MONGODB_URI: url.toString() });
  });
});
