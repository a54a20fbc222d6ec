import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { type RunningCollector, startCollector } from '../support/app';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { record } from '../support/records';
import { GPT_4O_CHAT } from '../support/spans';
import type { ReportAnswer } from '../support/json';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';

/** A GET, its JSON answer read as T, and the answer's length. */
async function get<T>(c: RunningCollector, path: string) {
  const res = await fetch(`${c.url}${path}`);
  const text = await res.text();
  return { status: res.status, bytes: text.length, body: JSON.parse(text) as T };
}

describe('every report is bounded', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startCollector();
    await c.app.get<StoragePort>(STORAGE).ingest([record({ timeMs: Date.UTC(2026, 10, 2, 10) }), record({ timeMs: Date.UTC(2026, 10, 4, 23) })]);
  });
  afterAll(() => c.close());

  it.each([
    ['/v1/reports/timeseries?interval=hour&from=2000-01-01&to=2026-01-01', 'from'],
    ['/v1/reports/overview?interval=hour&from=2000-01-01&to=2026-01-01&sections=timeseries', 'from'],
    ['/v1/reports/timeseries?interval=day&from=0001-01-01&to=9999-12-31', 'from'],
  ])('answers %s with 400 naming the limit of points', async (path, parameter) => {
    const { status, body } = await get<ErrorBodyDto>(c, path);
    expect(status).toBe(400);
    expect(body).toMatchObject({ parameter, message: expect.stringMatching(/points; a time series has at most 10,000/) });
  });

  it('starts a timeseries over all time at the first day with calls, zero-filled from there', async () => {
    const { status, bytes, body } = await get<ReportAnswer<'timeseries'>>(c, '/v1/reports/timeseries?interval=hour&period=all');
    expect(status).toBe(200);
    expect(body.points[0]).toMatchObject({ start: '2026-11-02T10:00:00.000Z', calls: 1 });
    expect(body.points.length).toBeLessThanOrEqual(10_000);
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
    const byDay = (await get<ReportAnswer<'timeseries'>>(c, '/v1/reports/timeseries?interval=day&period=all')).body;
    expect(byDay.points.slice(0, 3).map((p) => [p.date, p.calls])).toEqual([
      ['2026-11-02', 1],
      ['2026-11-03', 0],
      ['2026-11-04', 1],
    ]);
  });
});

describe('the text one call may carry', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startCollector();
  });
  afterAll(() => c.close());

  it.each([
    ['gen_ai.request.model', 'm'.repeat(257)],
    ['user.id', 'u'.repeat(100_000)],
    ['tokenledger.feature', 'f'.repeat(300)],
    ['tokenledger.tag.team', 't'.repeat(257)],
  ])('rejects a span whose %s is longer than 256 characters, naming it', async (attribute, value) => {
    const res = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      body: jsonTraces([jsonSpan({ attributes: { ...GPT_4O_CHAT, [attribute]: value } })]),
      headers: { 'content-type': 'application/json' },
    });
    const body = (await res.json()) as { partialSuccess?: { errorMessage: string } };
    expect(body.partialSuccess?.errorMessage).toMatch(new RegExp(`${attribute.replace(/\./g, '\\.')} is \\d+ characters long; at most 256`));
  });

  it('rejects a span with more than 50 tags, and keeps a long error message to its first 1,000 characters', async () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`tokenledger.tag.k${i}`, 'v']));
    const tagged = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      body: jsonTraces([jsonSpan({ attributes: { ...GPT_4O_CHAT, ...tags } })]),
      headers: { 'content-type': 'application/json' },
    });
    expect(((await tagged.json()) as { partialSuccess?: { errorMessage: string } }).partialSuccess?.errorMessage).toMatch(/51 tags; at most 50/);
    const failed = { ...jsonSpan({ attributes: GPT_4O_CHAT }), status: { code: 2, message: 'x'.repeat(50_000) } };
    expect((await fetch(`${c.url}/v1/traces`, { method: 'POST', body: jsonTraces([failed]), headers: { 'content-type': 'application/json' } })).status).toBe(
      200,
    );
    const { body } = await get<ReportAnswer<'usage'>>(c, '/v1/reports/usage?period=all');
    expect(body.records).toHaveLength(1);
    expect(body.records[0].errorType).toHaveLength(1_001);
    expect(body.records[0].errorType!.endsWith('…')).toBe(true);
  });
});
