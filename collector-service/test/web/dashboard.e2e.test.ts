import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { dashboardBuilt } from '../../src/dashboard-api/dashboard-files';
import type { AlertPageDto } from '../../src/alerts/alert.dto';
import type { BudgetListDto } from '../../src/budgets/budget-answers.dto';
import type { RecordDto } from '../../src/reports/record-view.dto';
import { type RunningCollector, startCollector } from '../support/app';
import { json, type ReportAnswer } from '../support/json';
import { launchBrowser, openPage, screenshot, seriousA11yViolations } from './browser';
import { ingestKnownSpans, UNPRICED_MODEL } from './seed';

jest.setTimeout(90_000);

const JAEGER = 'http://jaeger.test:16686';
const SPANS = 120;

/** What en-US shows for an exact USD amount rounded half up to the cent, computed here without Intl. */
function dollarsToTheCent(nanos: string): string {
  const cents = (BigInt(nanos) + 5_000_000n) / 10_000_000n;
  return `$${(cents / 100n).toLocaleString('en-US')}.${(cents % 100n).toString().padStart(2, '0')}`;
}

/** The browser's default period is the last 30 days in its zone (UTC here): from local midnight 29 days ago. */
const last30DaysFrom = () => new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);

describe('the finance dashboard in a real browser', () => {
  let collector: RunningCollector;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const api = async <T>(path: string) => json<T>(await fetch(`${collector.url}${path}`));
  const text = async (testId: string) => (await page.getByTestId(testId).textContent())?.trim();
  /** Cards show "…" while loading; wait for a real value. */
  const settledCard = async (testId: string) => {
    await page.waitForFunction((id) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      return el !== null && el.textContent !== '…';
    }, `${testId}-value`);
    return text(`${testId}-value`);
  };

  beforeAll(async () => {
    if (!dashboardBuilt()) throw new Error('the dashboard is not built: run `./run npm run build -w @tokenledger/collector-service` first');
    collector = await startCollector({ TOKENLEDGER_JAEGER_URL: JAEGER });
    // A budget any spend exceeds, so the default budget-threshold rule fires alerts for the Alerts page.
    const budget = await fetch(`${collector.url}/v1/budgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Monthly AI', scope: {}, period: 'month', timezone: 'UTC', limitUsd: '0.000001', thresholds: [0.8, 1], action: 'notify' }),
    });
    if (budget.status !== 201) throw new Error(`creating the budget answered ${budget.status}: ${await budget.text()}`);
    await ingestKnownSpans(collector.url, Date.now(), SPANS);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });
  beforeEach(async () => {
    ({ page, errors } = await openPage(browser));
  });
  afterEach(async () => {
    await page.context().close();
  });

  it('shows card totals equal to the report API to the cent, in open mode without sign-in', async () => {
    await page.goto(`${collector.url}/dashboard`);
    const summary = await api<ReportAnswer<'summary'>>(`/v1/reports/summary?tz=UTC&from=${last30DaysFrom()}`);
    expect(summary.calls).toBe(SPANS);
    expect(await settledCard('card-cost')).toBe(dollarsToTheCent(summary.totalCostNanos));
    expect(await text('card-calls-value')).toBe(String(summary.calls));
    await expect(page.getByTestId('card-calls').textContent()).resolves.toContain(`${summary.successfulCalls} succeeded, ${summary.failedCalls} failed`);
    const projection = await api<ReportAnswer<'projection'>>('/v1/reports/projection?tz=UTC');
    expect(await settledCard('card-projection')).toBe(dollarsToTheCent(projection.projectedMonthEnd.costNanos));
    // Unpriced calls are prominent and name the model.
    await expect(page.getByTestId('unpriced-total').textContent()).resolves.toContain(`${summary.unpricedCalls} calls have no price`);
    await expect(page.getByRole('cell', { name: UNPRICED_MODEL }).count()).resolves.toBeGreaterThan(0);
    // Every chart has data: 30 daily columns, a slice per type, bars per provider.
    await page.getByTestId('chart-daily').waitFor();
    expect(await page.getByTestId('chart-daily').getAttribute('data-points')).toBe('30');
    expect(await page.getByTestId('chart-type').getAttribute('data-points')).toBe('2');
    expect(await page.getByTestId('chart-provider').getAttribute('data-points')).toBe('2');
    await expect(page.getByTestId('table-users').locator('tbody tr').count()).resolves.toBe(4);
    await screenshot(page, 'overview');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('narrows every card and chart when a filter is applied', async () => {
    await page.goto(`${collector.url}/dashboard`);
    const before = await page.getByTestId('chart-daily').getAttribute('data-total');
    await settledCard('card-cost');
    await page.getByRole('searchbox', { name: 'Provider' }).fill('anthropic');
    await page.getByRole('searchbox', { name: 'Provider' }).press('Enter');
    const anthropic = await api<ReportAnswer<'summary'>>(`/v1/reports/summary?tz=UTC&from=${last30DaysFrom()}&provider=anthropic`);
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-provider"]')?.getAttribute('data-points') === '1');
    await page.waitForFunction((calls) => document.querySelector('[data-testid="card-calls-value"]')?.textContent === calls, String(anthropic.calls));
    expect(await settledCard('card-cost')).toBe(dollarsToTheCent(anthropic.totalCostNanos));
    await page.waitForFunction((b) => document.querySelector('[data-testid="chart-daily"]')?.getAttribute('data-total') !== b, before);
    expect(Number(await page.getByTestId('chart-daily').getAttribute('data-total'))).toBeCloseTo(Number(anthropic.totalCostUsd), 6);
    expect(errors).toEqual([]);
  });

  it('pages through raw calls, links each to its Jaeger trace, and downloads CSV and JSONL exports', async () => {
    await page.goto(`${collector.url}/dashboard/usage`);
    const rows = page.getByTestId('usage-table').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(50);
    const first = await api<ReportAnswer<'usage'>>(`/v1/reports/usage?tz=UTC&from=${last30DaysFrom()}&limit=1`);
    await expect(rows.first().getByRole('link').getAttribute('href')).resolves.toBe(`${JAEGER}/trace/${first.records[0].traceId}`);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 3').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="usage-table"] tbody tr').length === 20);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await screenshot(page, 'usage');
    expect(await seriousA11yViolations(page)).toEqual([]);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csv.suggestedFilename()).toBe('tokenledger-usage-default.csv');
    const csvLines = readFileSync(await csv.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csvLines[0]).toMatch(/^id,time,tenant,/);
    expect(csvLines).toHaveLength(SPANS + 1);
    const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSONL' }).click()]);
    const records = readFileSync(await jsonl.path(), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Pick<RecordDto, 'costUsd' | 'model'>);
    expect(records).toHaveLength(SPANS);
    expect(records.filter((r) => r.costUsd === null).map((r) => r.model)).toEqual(expect.arrayContaining([UNPRICED_MODEL]));
    expect(errors).toEqual([]);
  });

  it('lists the models used with their price source, the unpriced one, and the price book in force', async () => {
    await page.goto(`${collector.url}/dashboard/models`);
    const table = page.getByTestId('models-table');
    await table.locator('tbody tr').first().waitFor();
    await expect(table.locator('tbody tr').count()).resolves.toBe(4);
    const unpriced = table.locator('tr', { hasText: UNPRICED_MODEL });
    await expect(unpriced.textContent()).resolves.toContain('unpriced');
    const gpt = table.locator('tr', { hasText: 'gpt-4o' });
    await expect(gpt.textContent()).resolves.toMatch(/catalog|supplemental/);
    await expect(page.getByTestId('operator-file').textContent()).resolves.toContain('none');
    await screenshot(page, 'models');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows each budget with its progress and state, and lets an admin create one', async () => {
    await page.goto(`${collector.url}/dashboard/budgets`);
    const budgets = page.getByTestId('budgets');
    const monthly = budgets.locator('li', { hasText: 'Monthly AI' });
    await monthly.waitFor();
    await expect(monthly.textContent()).resolves.toContain('exceeded');
    await expect(monthly.locator('progress').getAttribute('value')).resolves.toBe('100');
    await page.getByRole('button', { name: 'New budget' }).click();
    const form = page.getByRole('form', { name: 'New budget' });
    await form.getByLabel('Name').fill('Embeddings');
    await form.getByLabel('Limit (USD)').fill('5');
    await form.getByLabel('Model').fill('text-embedding-3-small');
    await form.getByLabel('Tags').fill('team=search, env=prod');
    await form.getByRole('button', { name: 'Create budget' }).click();
    await budgets.locator('li', { hasText: 'Embeddings' }).waitFor();
    const { budgets: stored } = await api<BudgetListDto>('/v1/budgets');
    expect(stored.find((b) => b.name === 'Embeddings')).toMatchObject({
      limitNanos: '5000000000',
      period: 'month',
      scope: { model: 'text-embedding-3-small', tags: { team: 'search', env: 'prod' } },
    });
    await expect(budgets.locator('li', { hasText: 'Embeddings' }).textContent()).resolves.toContain('Only calls tagged team=search, env=prod');
    await screenshot(page, 'budgets');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('lists alerts unread first and acknowledges one', async () => {
    // Budget thresholds are evaluated right after ingest; give the evaluation a moment to land.
    let alerts: AlertPageDto['alerts'] = [];
    for (let i = 0; i < 100 && alerts.length === 0; i++) {
      alerts = (await api<AlertPageDto>('/v1/alerts')).alerts;
      if (alerts.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    const unread = alerts.filter((a) => !a.acknowledged);
    expect(unread.length).toBeGreaterThan(0);
    await page.goto(`${collector.url}/dashboard/alerts`);
    const ackButtons = page.getByRole('button', { name: /^Acknowledge/ });
    await ackButtons.first().waitFor();
    expect(await ackButtons.count()).toBe(unread.length);
    const id = await page.getByTestId('alerts-table').locator('tbody tr').first().getAttribute('data-alert-id');
    await ackButtons.first().click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="alerts-table"] button').length === n, unread.length - 1);
    expect((await api<AlertPageDto>('/v1/alerts')).alerts.find((a) => a.id === id)).toMatchObject({ acknowledged: true });
    // The acknowledged alert moves below the unread ones.
    if (unread.length > 1) await expect(page.getByTestId('alerts-table').locator('tbody tr').last().getAttribute('data-alert-id')).resolves.toBe(id);
    await screenshot(page, 'alerts');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('serves the app for client-side routes, its assets, and 404 for a missing asset', async () => {
    const route = await fetch(`${collector.url}/dashboard/usage`);
    expect(route.status).toBe(200);
    const html = await route.text();
    expect(html).toContain('<div id="root"></div>');
    const asset = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)![1];
    const js = await fetch(`${collector.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${collector.url}/dashboard/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${collector.url}/dashboard/..%2Fpackage.json`)).status).not.toBe(200);
  });
});

describe('signing in to the dashboard when API keys exist', () => {
  const ADMIN = 'dashboard-test-admin-key-0123456789';
  let collector: RunningCollector;
  let browser: Browser;
  const createKey = async (role: string) => {
    const res = await fetch(`${collector.url}/v1/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ role }),
    });
    return ((await res.json()) as { key: string }).key;
  };

  beforeAll(async () => {
    collector = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN });
    await ingestKnownSpans(collector.url, Date.now(), 12, { authorization: `Bearer ${ADMIN}` });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  it('asks for a key, refuses a wrong or ingest key, and keeps a viewer key for the tab', async () => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${collector.url}/dashboard`);
    const key = page.getByLabel('API key (viewer or admin)');
    await key.waitFor();
    await screenshot(page, 'sign-in');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await key.fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid');
    await key.fill(await createKey('ingest'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That is an ingest key').waitFor();
    await key.fill(await createKey('viewer'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="card-calls-value"]')?.textContent === '12');
    // Kept for the tab: a reload stays signed in; a viewer sees budgets but cannot create one.
    await page.reload();
    await page.getByRole('link', { name: 'Budgets' }).click();
    await page.getByRole('heading', { name: 'Budgets', level: 1 }).waitFor();
    await page.getByText('No budgets yet.').waitFor();
    expect(await page.getByRole('button', { name: 'New budget' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await key.waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    // The failed sign-in probes are answered by the config endpoint itself, never as errors in the console.
    expect(errors).toEqual([]);
    await context.close();
  });
});
