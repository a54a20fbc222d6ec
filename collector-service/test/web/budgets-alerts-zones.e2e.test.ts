import type { AlertDto, AlertPageDto } from '../../src/alerts/alert.dto';
import type { BudgetDto, BudgetListDto, BudgetStatusDto } from '../../src/budgets/budget-answers.dto';
import { json as readJson } from '../support/json';
import { otlpProtobufBody } from '../support/spans';
import { dashboardSuite, screenshot, seriousA11yViolations } from './browser';
import { dollarsExact, dollarsUnderACent } from './expected-money';

jest.setTimeout(90_000);

const MINI_CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.usage.input_tokens': 1500,
  'gen_ai.usage.output_tokens': 2000,
  'user.id': 'alice',
};

describe('budgets and alerts of sub-cent amounts, and the time-zone picker', () => {
  let budget: BudgetDto;
  const suite = dashboardSuite({}, async (collector) => {
    const json = { 'content-type': 'application/json' };
    budget = await readJson<BudgetDto>(
      await fetch(`${collector.url}/v1/budgets`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ name: 'Tiny daily', scope: {}, period: 'day', timezone: 'UTC', limitUsd: '0.004', thresholds: [0.5, 1], action: 'notify' }),
      }),
    );
    const body = await otlpProtobufBody(
      [0, 1, 2].map((i) => ({ name: `chat ${i}`, attributes: MINI_CHAT, startMs: Date.now() - 60_000 * (i + 1) })),
      { 'service.name': 'shop' },
    );
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
  });
  const api = async <T>(path: string, init?: RequestInit) => readJson<T>(await fetch(`${suite.collector.url}${path}`, init));
  const zone = () => suite.page.getByRole('combobox', { name: 'Time zone' });
  const options = () => suite.page.getByRole('listbox', { name: 'Time zones' }).getByRole('option');

  /** The budget alert at 100 %, once the after-ingest budget run has written it. */
  async function fullAlert(): Promise<AlertDto> {
    for (let i = 0; i < 100; i++) {
      const alert = (await api<AlertPageDto>('/v1/alerts')).alerts.find((a) => a.subject === `budget:${budget.id}@1`);
      if (alert) return alert;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the budget alert did not fire');
  }

  it('names the budget in its alerts, never its id, with sub-cent amounts to the digit that matters', async () => {
    const { page, errors, collector } = suite;
    const alert = await fullAlert();
    expect(Number(alert.valueUsd)).toBeLessThan(0.01);
    await page.goto(`${collector.url}/dashboard/alerts`);
    const row = page.locator(`[data-testid="alerts-table"] tr[data-alert-id="${alert.id}"]`);
    await row.waitFor();
    expect(await row.getByTestId('alert-subject').textContent()).toBe('Budget “Tiny daily” at 100 %');
    const cells = await row.locator('td.num').allTextContents();
    expect(cells).toEqual([dollarsUnderACent(alert.valueUsd!), dollarsExact(alert.thresholdUsd!)]);
    expect(cells[1]).toBe('$0.004');
    expect(await row.getByTestId('alert-subject').getAttribute('title')).toBe(
      `Budget "Tiny daily" reached 100 % of its daily limit of $0.004: ${dollarsUnderACent(alert.valueUsd!)} spent`,
    );
    expect(await page.getByTestId('alerts-table').innerText()).not.toContain(budget.id);
    expect(await page.getByTestId('alerts-table').innerText()).not.toContain('$0.00 ');
    await screenshot(page, 'alerts-budget-names');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows a sub-cent budget’s spend and limit to the digit that matters', async () => {
    const { page, errors, collector } = suite;
    await fullAlert();
    const status = await api<BudgetStatusDto>(`/v1/budgets/${budget.id}/status`);
    await page.goto(`${collector.url}/dashboard/budgets`);
    const row = page.getByTestId('budgets').locator('li', { hasText: 'Tiny daily' });
    await row.waitFor();
    expect(await row.locator('.progress-head span').textContent()).toBe(`${dollarsUnderACent(status.spentUsd)} of $0.004 · exceeded · per day`);
    expect(errors).toEqual([]);
  });

  it('shows when a budget runs out at its current rate, in the budget’s time zone', async () => {
    const { page, errors, collector } = suite;
    const json = { 'content-type': 'application/json' };
    const created = await api<BudgetDto>('/v1/budgets', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        name: 'Kolkata forecast',
        scope: { service: 'forecast-shop' },
        period: 'month',
        timezone: 'Asia/Kolkata',
        limitUsd: '1000',
        thresholds: [1],
        action: 'notify',
      }),
    });
    const body = await otlpProtobufBody([{ name: 'chat', attributes: MINI_CHAT, startMs: Date.now() - 1000 }], { 'service.name': 'forecast-shop' });
    expect((await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body })).status).toBe(200);
    // A limit halfway between the spend and its projection is reached before the month ends.
    const before = await api<BudgetStatusDto>(`/v1/budgets/${created.id}/status`);
    const limitNanos = (BigInt(before.spentNanos) + BigInt(before.projectedNanos)) / 2n;
    await api<BudgetDto>(`/v1/budgets/${created.id}`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ limitUsd: `${limitNanos / 1_000_000_000n}.${(limitNanos % 1_000_000_000n).toString().padStart(9, '0')}` }),
    });
    const first = await api<BudgetStatusDto>(`/v1/budgets/${created.id}/status`);
    expect(first.exhaustsAt).toMatch(/\+05:30$/);
    await page.goto(`${collector.url}/dashboard/budgets`);
    const row = page.getByTestId('budgets').locator('li', { hasText: 'Kolkata forecast' });
    await row.getByTestId('exhausts-at').waitFor();
    const last = await api<BudgetStatusDto>(`/v1/budgets/${created.id}/status`);
    // As the page writes it: the budget's zone, in the browser's locale (en-US); the moment moves as time passes.
    const words = (s: string) => s.replace(/\s+/g, ' ').trim();
    const shown = (iso: string) =>
      words(`· runs out ${new Date(iso).toLocaleString('en-US', { timeZone: 'Asia/Kolkata', dateStyle: 'medium', timeStyle: 'short' })} at this rate`);
    expect([shown(first.exhaustsAt!), shown(last.exhaustsAt!)]).toContain(words((await row.getByTestId('exhausts-at').textContent())!));
    await screenshot(page, 'budget-exhaustion');
    expect(errors).toEqual([]);
  });

  it('finds a time zone by part of its name and reports in it', async () => {
    const { page, errors, collector } = suite;
    await page.goto(`${collector.url}/dashboard?tz=UTC`);
    await zone().click();
    // Opened without typing: the zone in use first, and a short list, not every zone at once.
    expect(await options().count()).toBeLessThanOrEqual(10);
    await expect(options().first().textContent()).resolves.toBe('UTC');
    await page.getByText(/more: type more of the name/).waitFor();
    await zone().fill('madr');
    await expect(options().allTextContents()).resolves.toEqual(['Europe/Madrid']);
    const answered = page.waitForResponse((r) => r.url().includes('/v1/reports/overview') && new URL(r.url()).searchParams.get('tz') === 'Europe/Madrid');
    await zone().press('Enter');
    await answered;
    expect(new URL(page.url()).searchParams.get('tz')).toBe('Europe/Madrid');
    await expect(zone().inputValue()).resolves.toBe('Europe/Madrid');
    expect(await page.getByRole('listbox', { name: 'Time zones' }).isVisible()).toBe(false);

    // Words in any order and spaces for underscores; arrow keys move through the matches.
    await zone().fill('new york');
    await expect(options().first().textContent()).resolves.toBe('America/New_York');
    await zone().fill('america argentina');
    expect((await options().allTextContents()).every((z) => z.startsWith('America/Argentina/'))).toBe(true);
    await zone().press('ArrowDown');
    await expect(options().nth(1).getAttribute('aria-selected')).resolves.toBe('true');
    // Escape keeps the zone there was; so does leaving the field with no zone typed.
    await zone().press('Escape');
    await expect(zone().inputValue()).resolves.toBe('Europe/Madrid');
    await zone().fill('atlantis');
    await page.getByText('No time zone matches “atlantis”.').waitFor();
    await page.getByRole('heading', { name: 'Overview' }).click();
    await expect(zone().inputValue()).resolves.toBe('Europe/Madrid');
    expect(new URL(page.url()).searchParams.get('tz')).toBe('Europe/Madrid');
    await screenshot(page, 'zone-picker');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('picks a new budget’s time zone by searching, with a click', async () => {
    const { page, errors, collector } = suite;
    await page.goto(`${collector.url}/dashboard/budgets`);
    await page.getByRole('button', { name: 'New budget' }).click();
    const form = page.getByRole('form', { name: 'New budget' });
    await form.getByLabel('Name').fill('Tokyo office');
    await form.getByLabel('Limit (USD)').fill('2.5');
    await form.getByRole('combobox', { name: 'Time zone' }).fill('toky');
    await form.getByRole('option', { name: 'Asia/Tokyo' }).click();
    await form.getByRole('button', { name: 'Create budget' }).click();
    await page.getByTestId('budgets').locator('li', { hasText: 'Tokyo office' }).waitFor();
    expect((await api<BudgetListDto>('/v1/budgets')).budgets.find((b) => b.name === 'Tokyo office')).toMatchObject({
      timezone: 'Asia/Tokyo',
      limitUsd: '2.500000000',
    });
    expect(errors).toEqual([]);
  });
});
