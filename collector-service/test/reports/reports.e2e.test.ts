import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { TrendsService } from '../../src/reports/trends.service';
import type { UsageRecord } from '../../src/usage/usage-record';
import { type RunningCollector, startCollector } from '../support/app';
import { record } from '../support/records';
import { json, type ReportAnswer } from '../support/json';
import type { ErrorBodyDto } from '../../src/http/error-body.dto';
import type { RecordView } from '../../src/reports/record-view';

const H = 3_600_000;
const D = 24 * H;

/** A GET, its JSON answer read as T. */
async function get<T>(c: RunningCollector, path: string) {
  const res = await fetch(`${c.url}${path}`);
  return { status: res.status, body: await json<T>(res) };
}

const sum = (rs: UsageRecord[]) => rs.reduce((s, r) => s + (r.costNanos ?? 0n), 0n).toString();

describe('cost reports', () => {
  let c: RunningCollector;
  let records: UsageRecord[];
  beforeAll(async () => {
    c = await startCollector({ TOKENLEDGER_JAEGER_URL: 'http://jaeger.example:16686' });
    let seed = 5;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', null];
    records = Array.from({ length: 600 }, (_, i) =>
      record({
        timeMs: Date.UTC(2026, 2, 20) + next(20 * D),
        user: users[i % users.length],
        model: i % 4 === 0 ? 'claude-3-5-sonnet' : 'gpt-4o',
        provider: i % 4 === 0 ? 'anthropic' : 'openai',
        costType: i % 10 === 0 ? 'embedding' : 'llm',
        agent: i % 3 === 0 ? 'support-bot' : null,
        status: i % 17 === 0 ? 'error' : 'ok',
        costNanos: i % 23 === 0 ? null : BigInt(next(50_000_000)),
        durationMs: 100 + next(900),
        tags: i === 0 ? { note: 'has, a comma and a "quote"' } : {},
      }),
    );
    await c.app.get<StoragePort>(STORAGE).ingest(records);
  });
  afterAll(() => c.close());

  const inRange = (from: number, to: number) => records.filter((r) => r.timeMs >= from && r.timeMs < to);

  it('sums the range exactly, with calls, failures, unpriced calls, tokens and latency', async () => {
    const { body } = await get<ReportAnswer<'summary'>>(c, '/v1/reports/summary?from=2026-03-01&to=2026-05-01');
    const all = inRange(Date.UTC(2026, 2, 1), Date.UTC(2026, 4, 1));
    expect(body).toMatchObject({
      totalCostNanos: sum(all),
      calls: all.length,
      failedCalls: all.filter((r) => r.status === 'error').length,
      successfulCalls: all.filter((r) => r.status === 'ok').length,
      unpricedCalls: all.filter((r) => r.costNanos === null).length,
      tokens: { input: all.reduce((s, r) => s + r.tokens.input, 0) },
      averageLatencyMs: Math.round((all.reduce((s, r) => s + r.durationMs, 0) / all.length) * 1000) / 1000,
    });
    expect(body.totalCostUsd).toBe(
      `${BigInt(body.totalCostNanos) / 1_000_000_000n}.${(BigInt(body.totalCostNanos) % 1_000_000_000n).toString().padStart(9, '0')}`,
    );
  });

  it('filters by every dimension, provider spellings included', async () => {
    const anthropic = records.filter((r) => r.provider === 'anthropic');
    expect((await get<ReportAnswer<'summary'>>(c, '/v1/reports/summary?period=all&provider=anthropic')).body.totalCostNanos).toBe(sum(anthropic));
    expect((await get<ReportAnswer<'summary'>>(c, '/v1/reports/summary?period=all&provider=Anthropic')).body.totalCostNanos).toBe(sum(anthropic));
    expect((await get<ReportAnswer<'summary'>>(c, '/v1/reports/summary?period=all&user=bob&type=llm')).body.calls).toBe(
      records.filter((r) => r.user === 'bob' && r.costType === 'llm').length,
    );
    expect((await get<ReportAnswer<'summary'>>(c, '/v1/reports/summary?period=all&agent=support-bot&model=gpt-4o')).body.calls).toBe(
      records.filter((r) => r.agent === 'support-bot' && r.model === 'gpt-4o').length,
    );
    expect((await get<ReportAnswer<'summary'>>(c, '/v1/reports/summary?period=all&service=nope')).body.calls).toBe(0);
  });

  it('breaks cost down by user, top N with the rest summed as other', async () => {
    const { body } = await get<ReportAnswer<'breakdown'>>(c, '/v1/reports/breakdown?period=all&by=user&limit=2');
    const byUser = new Map<string | null, bigint>();
    for (const r of records) byUser.set(r.user, (byUser.get(r.user) ?? 0n) + (r.costNanos ?? 0n));
    const ranked = [...byUser.entries()].sort((a, b) => (a[1] < b[1] ? 1 : -1));
    expect(body.items.map((i) => [i.key, i.costNanos])).toEqual(ranked.slice(0, 2).map(([k, v]) => [k, v.toString()]));
    expect(body.other!.costNanos).toBe(
      ranked
        .slice(2)
        .reduce((s, [, v]) => s + v, 0n)
        .toString(),
    );
    expect(body.totalCostNanos).toBe(sum(records));
  });

  it('folds costs into local days across a DST change (Europe/Madrid, 2026-03-29 has 23 hours)', async () => {
    const { body } = await get<ReportAnswer<'timeseries'>>(c, '/v1/reports/timeseries?from=2026-03-28&to=2026-03-31&interval=day&tz=Europe/Madrid');
    // Madrid: UTC+1 until 2026-03-29 01:00 UTC, then UTC+2.
    const days: [string, number, number][] = [
      ['2026-03-28', Date.UTC(2026, 2, 27, 23), Date.UTC(2026, 2, 28, 23)],
      ['2026-03-29', Date.UTC(2026, 2, 28, 23), Date.UTC(2026, 2, 29, 22)],
      ['2026-03-30', Date.UTC(2026, 2, 29, 22), Date.UTC(2026, 2, 30, 22)],
    ];
    expect(body.points.map((p) => [p.date, p.costNanos, p.calls])).toEqual(days.map(([d, from, to]) => [d, sum(inRange(from, to)), inRange(from, to).length]));
  });

  it('folds costs into local days at a +05:45 offset (Asia/Kathmandu)', async () => {
    const { body } = await get<ReportAnswer<'timeseries'>>(c, '/v1/reports/timeseries?from=2026-04-01&to=2026-04-03&interval=day&tz=Asia/Kathmandu');
    const start = Date.UTC(2026, 2, 31, 18, 15);
    expect(body.points.map((p) => p.calls)).toEqual([inRange(start, start + D).length, inRange(start + D, start + 2 * D).length]);
  });

  it('zero-fills hours with no calls', async () => {
    const { body } = await get<ReportAnswer<'timeseries'>>(c, '/v1/reports/timeseries?from=2026-01-01&to=2026-01-02&interval=hour');
    expect(body.points).toHaveLength(24);
    expect(body.points.every((p) => p.costNanos === '0')).toBe(true);
  });

  it('projects the month end from month to date and the last 7 days, in the time zone', async () => {
    const now = Date.UTC(2026, 3, 5, 12); // 5 April 2026, 12:00 UTC
    const p = await c.app.get(TrendsService).projection('default', {}, 'UTC', now);
    const mtd = inRange(Date.UTC(2026, 3, 1), now + 1);
    const last7 = inRange(now + 15 * 60_000 - (now % (15 * 60_000)) - 7 * D, now + 1);
    const avg7 = (BigInt(sum(last7)) * 2n + 7n) / 14n;
    expect(p).toMatchObject({ daysInMonth: 30, daysPassed: 5, daysRemaining: 25, monthToDate: { costNanos: sum(mtd) } });
    expect(p.projectedMonthEnd.costNanos).toBe((BigInt(sum(mtd)) + avg7 * 25n).toString());
    expect(p.dailyAverageSoFar.costNanos).toBe(((BigInt(sum(mtd)) * 2n + 5n) / 10n).toString());
  });

  it('compares the last 7 days with the 7 before', async () => {
    const now = Date.UTC(2026, 3, 5, 12);
    const t = await c.app.get(TrendsService).trends('default', {}, 'UTC', now);
    const end = now + 15 * 60_000 - (now % (15 * 60_000));
    const last = BigInt(sum(inRange(end - 7 * D, end)));
    const before = BigInt(sum(inRange(end - 14 * D, end - 7 * D)));
    expect(t.last7Days.costNanos).toBe(last.toString());
    expect(t.previous7Days.costNanos).toBe(before.toString());
    expect(t.percentChange).toBe(Number(((last - before) * 1_000_000n) / before) / 10_000);
    expect(t.trend).toBe(t.percentChange! > 5 ? 'increasing' : t.percentChange! < -5 ? 'decreasing' : 'stable');
    const http = await get<ReportAnswer<'trends'>>(c, '/v1/reports/trends?tz=Europe/Madrid');
    expect(http.body).toHaveProperty('last30Days.costUsd');
  });

  it('pages raw usage newest first with every field and a trace link', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { body }: { body: ReportAnswer<'usage'> } = await get(c, `/v1/reports/usage?period=all&limit=250${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.records.map((r) => r.id));
      if (!cursor)
        expect(body.records[0]).toMatchObject({
          traceUrl: `http://jaeger.example:16686/trace/${body.records[0].traceId}`,
          costUsd: expect.any(String),
          tokens: expect.any(Object),
        });
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(records.length);
    expect(new Set(seen).size).toBe(records.length);
  });

  it('exports every record as CSV, quoted, and as JSON lines', async () => {
    const csv = await (await fetch(`${c.url}/v1/reports/export?period=all&format=csv`)).text();
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0].split(',')).toContain('cost_nanos');
    expect(lines).toHaveLength(records.length + 1);
    expect(csv).toContain('"{""note"":""has, a comma and a \\""quote\\""""}"');
    const res = await fetch(`${c.url}/v1/reports/export?period=all&format=jsonl&user=alice`);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="tokenledger-usage-default.jsonl"');
    const rows = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RecordView);
    expect(rows).toHaveLength(records.filter((r) => r.user === 'alice').length);
    expect(rows.reduce((s, r) => s + BigInt(r.costNanos ?? 0), 0n).toString()).toBe(sum(records.filter((r) => r.user === 'alice')));
  });

  it.each([
    ['/v1/reports/summary?tz=Mars/Olympus', 'tz'],
    ['/v1/reports/summary?period=year', 'period'],
    ['/v1/reports/summary?from=yesterday', 'from'],
    ['/v1/reports/summary?from=2026-02-01&to=2026-01-01', 'to'],
    ['/v1/reports/summary?period=all&from=2026-01-01', 'period'],
    ['/v1/reports/summary?from=2026-01-01T10:00:00', 'from'],
    ['/v1/reports/breakdown?by=color', 'by'],
    ['/v1/reports/breakdown?limit=0', 'limit'],
    ['/v1/reports/timeseries?interval=minute', 'interval'],
    ['/v1/reports/export?format=xml', 'format'],
    ['/v1/reports/usage?cursor=garbage', 'cursor'],
    ['/v1/reports/summary?user=a&user=b', 'user'],
  ])('answers 400 naming the parameter for %s', async (path, parameter) => {
    const { status, body } = await get<ErrorBodyDto>(c, path);
    expect(status).toBe(400);
    expect(body.parameter).toBe(parameter);
  });
});
