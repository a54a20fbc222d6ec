import { BudgetClock } from '../../src/budgets/budget-clock';
import { AlertClock } from '../../src/alerts/alert-clock';
import { DigestSchedule } from '../../src/digests/digest-schedule.service';
import { type DigestRunsRepository, digestRunId } from '../../src/storage/repositories/digest-runs.repository';
import { DIGEST_RUNS } from '../../src/storage/storage.tokens';
import type { UsageRecord } from '../../src/usage/usage-record';
import { type RunningCollector, startCollector } from '../support/app';
import { startHttpReceiver, startSmtpReceiver } from '../channels/receivers';
import { type AlertHarness, ADMIN_KEY, alertStores, api, DAY, HOUR, NOW, startAlertHarness } from '../alerts/harness';
import { type Breakdown, type SentDigests, type Subscription, type Summary, type WebhookDigest } from './answers';
import type { BudgetStatusDto } from '../../src/budgets/budget-answers.dto';
import type { Digest } from '../../src/channels/digest-message';

/** NOW is Tuesday 24 November 2026, 13:05 UTC: subscriptions are made then, and digests run later. */
const at = (iso: string) => Date.parse(iso);

/** Records across days, models, users and agents; amounts with odd nanos so a rounding shows. */
const RECORDS: Partial<UsageRecord>[] = [
  { timeMs: at('2026-11-23T10:00:00Z'), costNanos: 1_750_000_010n, model: 'gpt-4o', user: 'alice', agent: 'support' },
  { timeMs: at('2026-11-24T00:00:00Z'), costNanos: 2_500_000_003n, model: 'gpt-4o', user: 'alice', agent: 'support' },
  { timeMs: at('2026-11-24T09:30:00Z'), costNanos: 700_000_007n, model: 'claude-sonnet-4', provider: 'anthropic', user: 'bob', agent: null },
  { timeMs: at('2026-11-24T23:59:59Z'), costNanos: 300_000_010n, model: 'gemini-2.5-pro', provider: 'google', user: 'carol', agent: 'triage' },
  { timeMs: at('2026-11-24T12:00:00Z'), costNanos: null, unpricedReason: 'no price for model', model: 'mystery-1', user: 'dan' },
  { timeMs: at('2026-11-25T00:00:00Z'), costNanos: 9_000_000_000n, model: 'gpt-4o', user: 'alice' },
];
/** What 24 November (UTC) holds, summed here rather than by the service. */
const NOV_24_NANOS = 2_500_000_003n + 700_000_007n + 300_000_010n;
const NOV_23_NANOS = 1_750_000_010n;

const stores = alertStores();

describe.each(stores)('spend digests (%s)', (_name, storeEnv) => {
  let env: Record<string, string>;
  let h: AlertHarness;
  const run = (c: RunningCollector, nowMs: number) => c.app.get(DigestSchedule).runDue(nowMs);
  const digests = () => (h.received() as unknown as WebhookDigest[]).filter((b) => b.type === 'tokenledger.digest');
  const subscribe = async (body: Record<string, unknown>) => {
    const res = await api<Subscription>(h.c, 'POST', '/v1/digests', body);
    expect(res.status).toBe(201);
    return res.body.id;
  };
  /** Another instance on the same store (the schedule off, the same injected clock). */
  const another = async () => {
    const c = await startCollector({
      TOKENLEDGER_ADMIN_KEY: ADMIN_KEY,
      TOKENLEDGER_ALERT_INTERVAL_SECONDS: '0',
      TOKENLEDGER_ALERT_RETRY_BASE_MS: '0',
      ...env,
      ...(env.TOKENLEDGER_STORE ? {} : { TOKENLEDGER_SQLITE_PATH: h.c.config.sqlitePath }),
    });
    c.app.get(AlertClock).now = () => NOW;
    return c;
  };

  beforeEach(async () => {
    env = storeEnv();
    h = await startAlertHarness(env);
    // Only digests here: no alert rule sends anything to the receiver.
    for (const rule of (await api<{ rules: { id: string }[] }>(h.c, 'GET', '/v1/alert-rules')).body.rules)
      await api(h.c, 'PATCH', `/v1/alert-rules/${rule.id}`, { enabled: false });
    await h.spend(...RECORDS);
  });
  afterEach(() => h.close());

  it("sends a daily digest of the local day just closed once its hour comes, its totals equal to the reports' to the nano", async () => {
    const id = await subscribe({ name: 'morning spend', cadence: 'daily', hour: 8 });
    expect(await run(h.c, at('2026-11-25T07:59:00Z'))).toEqual({ sent: 0, redelivered: 0, failed: 0 });
    expect(await run(h.c, at('2026-11-25T08:00:00Z'))).toEqual({ sent: 1, redelivered: 0, failed: 0 });
    await run(h.c, at('2026-11-25T08:01:00Z'));
    await run(h.c, at('2026-11-25T23:59:00Z'));
    expect(digests()).toHaveLength(1);
    const [digest] = digests();
    const summary = (await api<Summary>(h.c, 'GET', '/v1/reports/summary?from=2026-11-24&to=2026-11-25&tz=UTC')).body;
    const before = (await api<Summary>(h.c, 'GET', '/v1/reports/summary?from=2026-11-23&to=2026-11-24&tz=UTC')).body;
    expect(BigInt(digest.totalCostNanos)).toBe(NOV_24_NANOS);
    expect(digest).toMatchObject({
      id: digestRunId(id, at('2026-11-24T00:00:00Z')),
      version: 1,
      tenant: 'default',
      subscriptionId: id,
      cadence: 'daily',
      periodStart: '2026-11-24T00:00:00Z',
      periodEnd: '2026-11-25T00:00:00Z',
      totalCostNanos: summary.totalCostNanos,
      totalCostUsd: summary.totalCostUsd,
      calls: summary.calls,
      unpricedCalls: 1,
      previous: { totalCostNanos: before.totalCostNanos, calls: before.calls },
      changeNanos: (NOV_24_NANOS - NOV_23_NANOS).toString(),
      changePercent: 100,
    });
    const byModel = (await api<Breakdown>(h.c, 'GET', '/v1/reports/breakdown?by=model&from=2026-11-24&to=2026-11-25&tz=UTC&limit=5')).body;
    expect(digest.topModels).toEqual({
      items: byModel.items.map((i) => ({ key: i.key, costNanos: i.costNanos, costUsd: i.costUsd, calls: i.calls })),
      rest: null,
    });
    expect(digest.topAgents.items.map((i) => i.key)).toEqual(['support', null, 'triage']);
    const sent = (await api<SentDigests>(h.c, 'GET', `/v1/digests/${id}/sent`)).body.digests;
    expect(sent).toEqual([
      expect.objectContaining({
        id: digest.id,
        sentAt: '2026-11-25T08:00:00.000Z',
        deliveries: [expect.objectContaining({ channelType: 'webhook', ok: true, attempts: 1 })],
      }),
    ]);
    // What the API shows is what was sent, without the webhook's type and version.
    const { type: _type, version: _version, ...content } = digest;
    expect(sent[0].digest).toEqual(content);
  });

  it('sends a weekly digest of the seven local days before its weekday, in its time zone', async () => {
    // 22 November 23:30 UTC is already Monday 23 November in Madrid: in the week; 22:30 UTC is not.
    await h.spend(
      { timeMs: at('2026-11-22T23:30:00Z'), costNanos: 40_000_000_000n, model: 'gpt-4o', user: 'erin' },
      { timeMs: at('2026-11-22T22:30:00Z'), costNanos: 5_000_000_000n, model: 'gpt-4o', user: 'erin' },
    );
    const id = await subscribe({ name: 'weekly', cadence: 'weekly', weekday: 'monday', hour: 9, timezone: 'Europe/Madrid' });
    // Monday 30 November, 08:30 in Madrid: not yet; 09:00 Madrid: the week of 23-29 November.
    expect((await run(h.c, at('2026-11-30T07:30:00Z'))).sent).toBe(0);
    expect((await run(h.c, at('2026-11-30T08:00:00Z'))).sent).toBe(1);
    expect((await run(h.c, at('2026-12-02T08:00:00Z'))).sent).toBe(0);
    const [digest] = digests();
    const week = (await api<Summary>(h.c, 'GET', '/v1/reports/summary?from=2026-11-23&to=2026-11-30&tz=Europe/Madrid')).body;
    const weekBefore = (await api<Summary>(h.c, 'GET', '/v1/reports/summary?from=2026-11-16&to=2026-11-23&tz=Europe/Madrid')).body;
    expect(digest).toMatchObject({
      subscriptionId: id,
      cadence: 'weekly',
      timezone: 'Europe/Madrid',
      periodStart: '2026-11-23T00:00:00+01:00',
      periodEnd: '2026-11-30T00:00:00+01:00',
      totalCostNanos: week.totalCostNanos,
      calls: week.calls,
      previous: { periodStart: '2026-11-16T00:00:00+01:00', totalCostNanos: weekBefore.totalCostNanos, calls: weekBefore.calls },
    });
    expect(BigInt(week.totalCostNanos)).toBe(40_000_000_000n + NOV_23_NANOS + NOV_24_NANOS + 9_000_000_000n);
    expect(digest.topUsers).toMatchObject({ items: [{ key: 'erin' }, { key: 'alice' }, { key: 'bob' }, { key: 'carol' }, { key: 'dan' }], rest: null });
  });

  it('is sent once when two instances on one store run at the same time, and both show it', async () => {
    const id = await subscribe({ name: 'morning spend', cadence: 'daily', hour: 8 });
    const second = await another();
    try {
      const both = (now: number) => Promise.all([run(h.c, now), run(second, now)]);
      const rounds = [await both(at('2026-11-25T08:00:00Z')), await both(at('2026-11-25T08:01:00Z')), await both(at('2026-11-25T09:00:00Z'))];
      expect(rounds.flat().reduce((n, s) => n + s.sent, 0)).toBe(1);
      expect(digests()).toHaveLength(1);
      expect(new Set(h.hook.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set([digests()[0].id]));
      expect((await api<SentDigests>(second, 'GET', `/v1/digests/${id}/sent`)).body.digests).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('sends nothing twice after a restart mid-period, and the next period on time', async () => {
    await subscribe({ name: 'morning spend', cadence: 'daily', hour: 8 });
    await run(h.c, at('2026-11-25T08:00:00Z'));
    // A fresh instance (nothing in memory) takes over the store.
    const restarted = await another();
    try {
      expect((await run(restarted, at('2026-11-25T08:00:30Z'))).sent).toBe(0);
      expect((await run(restarted, at('2026-11-25T20:00:00Z'))).sent).toBe(0);
      expect((await run(restarted, at('2026-11-26T08:00:00Z'))).sent).toBe(1);
      expect(digests().map((d) => d.periodStart)).toEqual(['2026-11-24T00:00:00Z', '2026-11-25T00:00:00Z']);
      expect(BigInt(digests()[1].totalCostNanos)).toBe(9_000_000_000n);
    } finally {
      await restarted.close();
    }
  });

  it('sends the latest period missed during downtime late, once; earlier missed periods are not sent', async () => {
    await subscribe({ name: 'morning spend', cadence: 'daily', hour: 8 });
    // Down from before 25 November 08:00 until 28 November noon: the days of the 24th to the 27th closed meanwhile.
    expect((await run(h.c, at('2026-11-28T12:00:00Z'))).sent).toBe(1);
    expect((await run(h.c, at('2026-11-28T12:01:00Z'))).sent).toBe(0);
    expect(digests().map((d) => [d.periodStart, d.generatedAt])).toEqual([['2026-11-27T00:00:00Z', '2026-11-28T12:00:00.000Z']]);
  });

  it('delivers once more, from one instance, a digest whose sending instance stopped before its deliveries ended', async () => {
    const id = await subscribe({ name: 'morning spend', cadence: 'daily', hour: 8 });
    const preview = (await api<Digest>(h.c, 'GET', `/v1/digests/${id}/preview`)).body;
    const channel = (await api<{ channels: { id: string }[] }>(h.c, 'GET', '/v1/channels')).body.channels[0].id;
    const claimedAtMs = at('2026-11-25T08:00:00Z');
    // What the stopped instance left: the run claimed, never marked sent.
    const runs = h.c.app.get<DigestRunsRepository>(DIGEST_RUNS);
    const period = { startMs: at('2026-11-24T00:00:00Z'), endMs: at('2026-11-25T00:00:00Z') };
    expect(preview.periodStart).toBe('2026-11-23T00:00:00Z'); // the preview is as of the clock: NOW, the 24th
    const runId = digestRunId(id, period.startMs);
    const left = { id: runId, subscriptionId: id, periodStartMs: period.startMs, periodEndMs: period.endMs, claimedAtMs, channels: [channel] };
    expect(await runs.claim('default', { ...left, digest: { ...preview, id: runId } })).toBe(true);
    const second = await another();
    try {
      // Within the redelivery wait, nobody touches it; after it, exactly one instance delivers it.
      expect((await run(h.c, claimedAtMs + 5 * 60_000)).redelivered).toBe(0);
      const later = claimedAtMs + 11 * 60_000;
      const rounds = await Promise.all([run(h.c, later), run(second, later)]);
      expect(rounds.reduce((n, s) => n + s.redelivered + s.sent, 0)).toBe(1);
      await run(h.c, later + HOUR);
      expect(digests().map((d) => d.id)).toEqual([runId]);
      expect((await api<SentDigests>(h.c, 'GET', `/v1/digests/${id}/sent`)).body.digests[0]).toMatchObject({ sentAt: new Date(later).toISOString() });
    } finally {
      await second.close();
    }
  });

  it("lists each budget's spend against its limit and its projected exhaustion, as the budget's status does", async () => {
    const budget = (await api<{ id: string }>(h.c, 'POST', '/v1/budgets', { name: 'November', period: 'month', limitUsd: '15' })).body;
    await subscribe({ name: 'morning spend', cadence: 'daily', hour: 8 });
    const when = at('2026-11-25T08:00:00Z');
    await run(h.c, when);
    h.c.app.get(BudgetClock).now = () => when;
    const status = (await api<BudgetStatusDto>(h.c, 'GET', `/v1/budgets/${budget.id}/status`)).body;
    expect(status.exhaustsAt).not.toBeNull();
    expect(digests()[0].budgets).toEqual([
      {
        id: budget.id,
        name: 'November',
        period: 'month',
        periodStart: status.periodStart,
        periodEnd: status.periodEnd,
        limitNanos: '15000000000',
        limitUsd: status.limitUsd,
        spentNanos: status.spentNanos,
        spentUsd: status.spentUsd,
        state: status.state,
        projectedNanos: status.projectedNanos,
        projectedUsd: status.projectedUsd,
        exhaustsAt: status.exhaustsAt,
      },
    ]);
  });

  it('renders for Slack as blocks and for e-mail as text', async () => {
    const slack = await startHttpReceiver();
    const smtp = await startSmtpReceiver();
    try {
      const slackChannel = (await api<{ id: string }>(h.c, 'POST', '/v1/channels', { type: 'slack', name: 'finance', url: `${slack.url}/services/T/B/X` })).body
        .id;
      const mailChannel = (await api<{ id: string }>(h.c, 'POST', '/v1/channels', { type: 'email', name: 'cfo', url: smtp.url, to: ['cfo@example.com'] })).body
        .id;
      await subscribe({ name: 'Daily AI spend', cadence: 'daily', hour: 8, channels: [slackChannel, mailChannel] });
      await run(h.c, at('2026-11-25T08:00:00Z'));
      expect(digests()).toEqual([]);
      const message = JSON.parse(slack.requests[0].body) as { text: string; blocks: { type: string; text: { text: string } }[] };
      expect(message.text).toBe('Daily AI spend: $3.50 over 4 calls on 2026-11-24 (+100 % on the day before)');
      expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section']);
      expect(message.blocks[2].text.text).toContain('Top models:\n  gpt-4o: $2.50, 1 call\n  claude-sonnet-4: $0.70, 1 call');
      expect(message.blocks[2].text.text).toContain('Unpriced calls: 1');
      expect(smtp.messages.map((m) => m.to)).toEqual([['cfo@example.com']]);
      const mail = smtp.messages[0].raw.replace(/=\r\n/g, '');
      expect(mail).toContain('Subject: [tokenledger] Daily AI spend: $3.50 over 4 calls on 2026-11-24');
      expect(mail).toContain('Top users:');
      expect(mail).toMatch(/X-Tokenledger-Digest-Id: dg_[0-9a-f]+\.\d+/i);
    } finally {
      await slack.close();
      await smtp.close();
    }
  });
});

describe('a digest that names no channel', () => {
  let h: AlertHarness;
  beforeEach(async () => {
    h = await startAlertHarness();
  });
  afterEach(() => h.close());

  it("goes to the tenant's default channels that take digests", async () => {
    await api(h.c, 'POST', '/v1/channels', { type: 'alertmanager', name: 'am', url: 'http://127.0.0.1:9', default: true });
    const id = (await api<Subscription>(h.c, 'POST', '/v1/digests', { name: 'd', cadence: 'daily', hour: 0 })).body.id;
    expect((await h.c.app.get(DigestSchedule).runDue(NOW + DAY)).sent).toBe(1);
    const [sent] = (await api<SentDigests>(h.c, 'GET', `/v1/digests/${id}/sent`)).body.digests;
    expect(sent.deliveries.map((d) => [d.channelType, d.ok])).toEqual([['webhook', true]]);
  });
});
