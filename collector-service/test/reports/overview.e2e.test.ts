import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { type RunningCollector, startCollector } from '../support/app';
import { record } from '../support/records';
import { json, type ReportAnswer } from '../support/json';

/** The overview's sections: each the answer of its own endpoint. */
interface Overview {
  summary: ReportAnswer<'summary'>;
  previousSummary: ReportAnswer<'summary'>;
  projection: ReportAnswer<'projection'>;
  timeseries: ReportAnswer<'timeseries'>;
  breakdowns: Record<string, ReportAnswer<'breakdown'>>;
}

const H = 3_600_000;

/** A GET, its JSON answer read as T. */
async function get<T>(c: RunningCollector, path: string) {
  const res = await fetch(`${c.url}${path}`);
  return { status: res.status, body: await json<T>(res) };
}

describe('the overview report', () => {
  let c: RunningCollector;
  const from = new Date(Date.now() - 40 * 24 * H).toISOString().slice(0, 10);
  beforeAll(async () => {
    c = await startCollector();
    const now = Date.now();
    const users = ['alice', 'bob', 'carol', null];
    // Every 7 hours back over 45 days, half an interval off each step so no record sits on the edge of a
    // trend window (7, 14 or 30 days back) while the requests below run.
    const records = Array.from({ length: 150 }, (_, i) =>
      record({
        tenant: i % 5 === 0 ? 'acme' : 'default',
        timeMs: now - (i * 7 + 3.5) * H,
        user: users[i % users.length],
        agent: i % 3 === 0 ? 'support-bot' : null,
        provider: i % 4 === 0 ? 'anthropic' : 'openai',
        model: i % 4 === 0 ? 'claude-3-5-sonnet' : i % 7 === 0 ? 'acme-unknown' : 'gpt-4o',
        costType: i % 10 === 0 ? 'embedding' : 'llm',
        status: i % 11 === 0 ? 'error' : 'ok',
        costNanos: i % 7 === 0 && i % 4 !== 0 ? null : BigInt(1_000_003 * (i + 1)),
        durationMs: 100 + i,
      }),
    );
    await c.app.get<StoragePort>(STORAGE).ingest(records);
  });
  afterAll(() => c.close());

  it.each([
    ['every tenant default', ''],
    ['a filter and a time zone', '&provider=openai&tz=America/New_York'],
    ['another tenant', '&tenant=acme'],
  ])('answers each part exactly as its own endpoint does (%s)', async (_name, extra) => {
    const q = `from=${from}${extra}`;
    const { status, body } = await get<Overview>(c, `/v1/reports/overview?${q}`);
    expect(status).toBe(200);
    expect(body.summary.calls).toBeGreaterThan(0);
    expect(body.summary).toEqual((await get<ReportAnswer<'summary'>>(c, `/v1/reports/summary?${q}`)).body);
    expect(body.timeseries).toEqual((await get<ReportAnswer<'timeseries'>>(c, `/v1/reports/timeseries?${q}&interval=day`)).body);
    const filtersOnly = extra.replace(/&?from=[^&]*/, '');
    expect(body.projection).toEqual((await get<ReportAnswer<'projection'>>(c, `/v1/reports/projection?${filtersOnly}`)).body);
    // The period before: same length, ending where this one starts.
    const length = Date.parse(body.summary.to) - Date.parse(body.summary.from);
    const before = new Date(Date.parse(body.summary.from) - length).toISOString();
    expect(body.previousSummary).toEqual(
      (
        await get<ReportAnswer<'summary'>>(
          c,
          `/v1/reports/summary?${extra.slice(1)}&from=${encodeURIComponent(before)}&to=${encodeURIComponent(body.summary.from)}`,
        )
      ).body,
    );
    for (const [by, limit] of [
      ['type', 1000],
      ['provider', 1000],
      ['model', 1000],
      ['user', 10],
      ['agent', 10],
    ] as const) {
      expect(body.breakdowns[by]).toEqual((await get<ReportAnswer<'breakdown'>>(c, `/v1/reports/breakdown?${q}&by=${by}&limit=${limit}`)).body);
    }
  });

  it('steps by the hour when asked', async () => {
    const { body } = await get<Overview>(c, '/v1/reports/overview?period=today&interval=hour&tz=Asia/Kolkata');
    expect(body.timeseries).toEqual((await get<ReportAnswer<'timeseries'>>(c, '/v1/reports/timeseries?period=today&interval=hour&tz=Asia/Kolkata')).body);
  });

  it('answers only the sections asked for, each as in the whole answer', async () => {
    const q = `from=${from}&provider=openai`;
    const { body: whole } = await get<Overview>(c, `/v1/reports/overview?${q}`);
    const { body: first } = await get<Overview>(c, `/v1/reports/overview?${q}&sections=totals,timeseries`);
    const { body: rest } = await get<Overview>(c, `/v1/reports/overview?${q}&sections=breakdowns`);
    expect(first).toEqual({ summary: whole.summary, previousSummary: whole.previousSummary, projection: whole.projection, timeseries: whole.timeseries });
    expect(rest).toEqual({ breakdowns: whole.breakdowns });
  });

  it('refuses a bad parameter naming it', async () => {
    expect(await get<Overview>(c, '/v1/reports/overview?sections=totals,users')).toMatchObject({ status: 400, body: { parameter: 'sections' } });
    expect(await get<Overview>(c, '/v1/reports/overview?interval=week')).toMatchObject({ status: 400, body: { parameter: 'interval' } });
    expect(await get<Overview>(c, '/v1/reports/overview?from=yesterday')).toMatchObject({ status: 400, body: { parameter: 'from' } });
  });
});
