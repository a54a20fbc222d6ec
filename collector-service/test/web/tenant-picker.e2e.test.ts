import type { Browser } from 'playwright-core';
import { dashboardBuilt } from '../../src/dashboard-api/dashboard-files';
import { type RunningCollector, startCollector } from '../support/app';
import { launchBrowser, openPage, screenshot, seriousA11yViolations } from './browser';
import { ingestKnownSpans } from './seed';

jest.setTimeout(90_000);

const ADMIN = 'tenant-picker-test-admin-key-0123456789';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** What en-US shows for an exact USD amount rounded half up to the cent. */
function dollarsToTheCent(nanos: string): string {
  const cents = (BigInt(nanos) + 5_000_000n) / 10_000_000n;
  return `$${(cents / 100n).toLocaleString('en-US')}.${(cents % 100n).toString().padStart(2, '0')}`;
}

const last30DaysFrom = () => new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);

describe('the tenant picker of the dashboard', () => {
  let collector: RunningCollector;
  let browser: Browser;
  const createKey = async (body: Record<string, unknown>) => {
    const res = await fetch(`${collector.url}/v1/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(ADMIN) },
      body: JSON.stringify(body),
    });
    return ((await res.json()) as { key: string }).key;
  };
  const summary = async (tenant: string) =>
    (await (await fetch(`${collector.url}/v1/reports/summary?tz=UTC&from=${last30DaysFrom()}&tenant=${tenant}`, { headers: bearer(ADMIN) })).json()) as {
      calls: number;
      totalCostNanos: string;
    };

  beforeAll(async () => {
    if (!dashboardBuilt()) throw new Error('the dashboard is not built: run `./run npm run build -w @tokenledger/collector-service` first');
    collector = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN });
    // Two tenants with different spend, sent as a Collector would: one all-tenant ingest key, the tenant on the resource.
    const ingest = bearer(await createKey({ role: 'ingest' }));
    await ingestKnownSpans(collector.url, Date.now(), 12, ingest, { 'service.name': 'shop' });
    await ingestKnownSpans(collector.url, Date.now(), 40, ingest, { 'service.name': 'shop', 'tokenledger.tenant': 'acme' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  const signIn = async (key: string) => {
    const { page, errors, context } = await openPage(browser);
    await page.goto(`${collector.url}/dashboard`);
    await page.getByLabel('API key (viewer or admin)').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    return { page, errors, context };
  };
  const cardsShow = (page: Awaited<ReturnType<typeof signIn>>['page'], calls: number) =>
    page.waitForFunction((n) => document.querySelector('[data-testid="card-calls-value"]')?.textContent === n, String(calls));

  it("switches every card to the picked tenant's totals, carried into the address and the exports", async () => {
    const [own, acme] = [await summary('default'), await summary('acme')];
    expect([own.calls, acme.calls]).toEqual([12, 40]);
    const { page, errors, context } = await signIn(await createKey({ role: 'viewer' }));
    await cardsShow(page, own.calls);
    const picker = page.getByRole('combobox', { name: 'Tenant' });
    await page.locator('[data-testid="tenant-picker"] option[value="acme"]').waitFor({ state: 'attached' });
    await picker.selectOption('acme');
    await cardsShow(page, acme.calls);
    expect(await page.getByTestId('card-cost-value').textContent()).toBe(dollarsToTheCent(acme.totalCostNanos));
    expect(new URL(page.url()).searchParams.get('tenant')).toBe('acme');
    await screenshot(page, 'tenant-picker');
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Kept across pages and into the exports: the usage page lists acme's calls and exports them under its name.
    await page.getByRole('link', { name: 'Usage explorer' }).click();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csv.suggestedFilename()).toBe('tokenledger-usage-acme.csv');
    // And back to default.
    await page.getByRole('link', { name: 'Overview' }).click();
    await picker.selectOption('default');
    await cardsShow(page, own.calls);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows no picker to a key of one tenant', async () => {
    const { page, errors, context } = await signIn(await createKey({ role: 'viewer', tenant: 'acme' }));
    await cardsShow(page, 40);
    expect(await page.getByRole('combobox', { name: 'Tenant' }).count()).toBe(0);
    await page.getByText('viewer · acme').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
