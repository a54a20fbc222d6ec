import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import type { UsageRecord } from '../../src/usage/usage-record';
import { type RunningCollector, startCollector, storeEnvironments } from '../support/app';
import { parseCsv } from '../support/csv';
import { record } from '../support/records';

jest.setTimeout(120_000);

const H = 3_600_000;

interface Item {
  key: string | null;
  costNanos: string;
  calls: number;
  failedCalls: number;
  tokens: { input: number };
}
interface Answer {
  by: string;
  totalCostNanos: string;
  calls: number;
  items: Item[];
  other: Item | null;
  keys: { key: string; calls: number; costNanos: string }[];
  more: boolean;
  parameter: string;
  message: string;
}

async function get(c: RunningCollector, path: string) {
  const res = await fetch(`${c.url}${path}`);
  return { status: res.status, body: (await res.json()) as Answer };
}

const sum = (rs: UsageRecord[]) => rs.reduce((s, r) => s + (r.costNanos ?? 0n), 0n);

/** Each value's exact cost over the records, the records without one under null. */
function costsBy(records: UsageRecord[], valueOf: (r: UsageRecord) => string | null): Map<string | null, bigint> {
  const costs = new Map<string | null, bigint>();
  for (const r of records) costs.set(valueOf(r), (costs.get(valueOf(r)) ?? 0n) + (r.costNanos ?? 0n));
  return costs;
}

describe.each(storeEnvironments('tokenledger_breakdowns'))('breakdowns by conversation and by tag key on %s', (_store, env) => {
  let c: RunningCollector;
  let records: UsageRecord[];
  beforeAll(async () => {
    c = await startCollector(env());
    let seed = 7;
    const next = (n: number) => Math.floor((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 12) % n;
    records = Array.from({ length: 500 }, () => {
      const tags: Record<string, string> = {};
      const team = [null, 'search', 'ads', 'ads'][next(4)];
      if (team) tags.team = team;
      if (next(3) === 0) tags['cost:center'] = `cc-${next(3)}`;
      return record({
        timeMs: Date.UTC(2026, 2, 20) + next(12 * 24) * H + next(H),
        user: ['alice', 'bob', null][next(3)],
        model: next(4) === 0 ? 'o3' : 'gpt-4o',
        conversation: next(5) === 0 ? null : `chat-${next(40)}`,
        status: next(15) === 0 ? 'error' : 'ok',
        costNanos: next(20) === 0 ? null : BigInt(next(40_000_000)) * 1_003n,
        tags,
      });
    });
    // The costliest conversation of the range: an id a spreadsheet would run as a formula.
    records.push(record({ timeMs: Date.UTC(2026, 2, 24), model: 'gpt-4o', conversation: '=SUM(A1:A9)', costNanos: 5_000_000_000_000n }));
    await c.app.get<StoragePort>(STORAGE).ingest(records);
  });
  afterAll(() => c.close());

  // A range in Madrid's time that starts and ends inside UTC days, with a filter: what every breakdown takes.
  const fromMs = Date.parse('2026-03-22T00:00:00+01:00');
  const toMs = Date.parse('2026-03-29T00:00:00+01:00');
  const scope = 'from=2026-03-22&to=2026-03-29&tz=Europe/Madrid&model=gpt-4o';
  const inScope = () => records.filter((r) => r.timeMs >= fromMs && r.timeMs < toMs && r.model === 'gpt-4o');

  it.each([
    ['conversation', (r: UsageRecord) => r.conversation],
    ['tag:team', (r: UsageRecord) => r.tags.team ?? null],
    ['tag:cost:center', (r: UsageRecord) => r.tags['cost:center'] ?? null],
  ])('breaks cost down by=%s exactly, the calls without a value as key null, summing to the summary', async (by, valueOf) => {
    const expected = costsBy(inScope(), valueOf);
    const { status, body } = await get(c, `/v1/reports/breakdown?${scope}&by=${by}&limit=1000`);
    expect(status).toBe(200);
    expect(body.by).toBe(by);
    expect(body.other).toBeNull();
    expect(new Map(body.items.map((i) => [i.key, BigInt(i.costNanos)]))).toEqual(expected);
    const costs = body.items.map((i) => BigInt(i.costNanos));
    expect(costs).toEqual([...costs].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    const none = body.items.find((i) => i.key === null);
    const without = inScope().filter((r) => valueOf(r) === null);
    expect(none).toMatchObject({ calls: without.length, failedCalls: without.filter((r) => r.status === 'error').length });
    expect(none!.tokens.input).toBe(without.reduce((n, r) => n + r.tokens.input, 0));
    const summary = (await get(c, `/v1/reports/summary?${scope}`)).body;
    expect(body.totalCostNanos).toBe(summary.totalCostNanos);
    expect(body.totalCostNanos).toBe(sum(inScope()).toString());
    expect(body.items.reduce((n, i) => n + i.calls, 0)).toBe(summary.calls);
  });

  it.each([
    ['conversation', (r: UsageRecord) => r.conversation],
    ['tag:team', (r: UsageRecord) => r.tags.team ?? null],
  ])('breaks cost down by=%s unfiltered over whole days and partial ones in a time zone, exactly, to the summary total', async (by, valueOf) => {
    // Kathmandu's days start at 18:15 UTC: both edges are partial UTC days.
    const range = 'from=2026-03-21&to=2026-03-27&tz=Asia/Kathmandu';
    const [fromMs, toMs] = [Date.parse('2026-03-21T00:00:00+05:45'), Date.parse('2026-03-27T00:00:00+05:45')];
    const within = records.filter((r) => r.timeMs >= fromMs && r.timeMs < toMs);
    const { status, body } = await get(c, `/v1/reports/breakdown?${range}&by=${by}&limit=1000`);
    expect(status).toBe(200);
    expect(new Map(body.items.map((i) => [i.key, BigInt(i.costNanos)]))).toEqual(costsBy(within, valueOf));
    expect(new Map(body.items.map((i) => [i.key, i.calls]))).toEqual(
      new Map([...costsBy(within, valueOf).keys()].map((k) => [k, within.filter((r) => valueOf(r) === k).length])),
    );
    expect(body.totalCostNanos).toBe((await get(c, `/v1/reports/summary?${range}`)).body.totalCostNanos);
  });

  it('refuses, naming by, a breakdown over more values than TOKENLEDGER_BREAKDOWN_MAX_VALUES allows', async () => {
    const small = await startCollector({ ...env(), TOKENLEDGER_BREAKDOWN_MAX_VALUES: '3' });
    try {
      const day = Date.UTC(2026, 2, 20, 12);
      await small.app
        .get<StoragePort>(STORAGE)
        .ingest(['a', 'b', 'c', 'd'].map((chat, i) => record({ timeMs: day + i * H, conversation: chat, tags: { team: chat } })));
      const three = await get(small, '/v1/reports/breakdown?from=2026-03-20&to=2026-03-21&by=conversation');
      expect(three.status).toBe(400);
      expect(three.body.parameter).toBe('by');
      expect(three.body.message).toContain('more than 3 values of conversation');
      expect((await get(small, '/v1/reports/breakdown?from=2026-03-20T12:00:00Z&to=2026-03-20T15:00:00Z&by=tag:team')).status).toBe(200);
      expect((await get(small, '/v1/reports/breakdown?from=2026-03-20&to=2026-03-21&by=tag:team')).status).toBe(400);
    } finally {
      await small.close();
    }
  });

  it.each(['conversation', 'tag:team'])('keeps the top N by=%s and sums the rest as other, to the summary total', async (by) => {
    const { body } = await get(c, `/v1/reports/breakdown?period=all&by=${by}&limit=2`);
    expect(body.items).toHaveLength(2);
    const total = body.items.reduce((s, i) => s + BigInt(i.costNanos), BigInt(body.other!.costNanos));
    expect(total.toString()).toBe(sum(records).toString());
    expect(body.other!.calls + body.items.reduce((n, i) => n + i.calls, 0)).toBe(records.length);
    expect(body.totalCostNanos).toBe((await get(c, '/v1/reports/summary?period=all')).body.totalCostNanos);
  });

  it('lists the tag keys the calls of a range carry, most calls first, with their calls and cost', async () => {
    const { status, body } = await get(c, `/v1/reports/tag-keys?${scope}`);
    expect(status).toBe(200);
    const keyed = (key: string) => inScope().filter((r) => r.tags[key] !== undefined);
    expect(body.keys.map(({ key, calls, costNanos }) => ({ key, calls, costNanos }))).toEqual(
      ['team', 'cost:center'].map((key) => ({ key, calls: keyed(key).length, costNanos: sum(keyed(key)).toString() })).sort((a, b) => b.calls - a.calls),
    );
    expect(body.more).toBe(false);
    const one = (await get(c, `/v1/reports/tag-keys?${scope}&limit=1`)).body;
    expect(one.keys).toHaveLength(1);
    expect(one.more).toBe(true);
  });

  it.each(['tag:', `tag:${'k'.repeat(257)}`, 'conversations', 'tags'])('answers 400 naming by, and what it may be, for by=%s', async (by) => {
    const { status, body } = await get(c, `/v1/reports/breakdown?by=${by}`);
    expect(status).toBe(400);
    expect(body.parameter).toBe('by');
    expect(body.message).toContain('conversation');
    expect(body.message).toContain('tag:<key>');
  });

  it('exports a breakdown as CSV: one row per value, the calls without one and the rest, formulas neutralised', async () => {
    const res = await fetch(`${c.url}/v1/reports/export?${scope}&by=tag:team&limit=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(await res.text());
    const { body } = await get(c, `/v1/reports/breakdown?${scope}&by=tag:team&limit=1`);
    const column = (name: string) => header.indexOf(name);
    expect(rows).toHaveLength(2);
    expect(rows[0][column('row')]).toBe(body.items[0].key === null ? 'none' : 'value');
    expect(rows[0][column('key')]).toBe(body.items[0].key ?? '');
    expect(rows[0][column('cost_nanos')]).toBe(body.items[0].costNanos);
    expect(rows[1][column('row')]).toBe('other');
    expect(rows[1][column('cost_nanos')]).toBe(body.other!.costNanos);
    expect(rows[1][column('calls')]).toBe(String(body.other!.calls));
    const conversations = parseCsv(await (await fetch(`${c.url}/v1/reports/export?${scope}&by=conversation&limit=1`)).text());
    expect(conversations[1].slice(0, 2)).toEqual(['value', "'=SUM(A1:A9)"]);
  });

  it('answers 400 naming by for a breakdown asked as JSON lines or FOCUS', async () => {
    for (const format of ['jsonl', 'focus']) {
      const { status, body } = await get(c, `/v1/reports/export?format=${format}&by=conversation`);
      expect(status).toBe(400);
      expect(body.parameter).toBe('by');
    }
  });
});
