import { billingRoutes, MockBilling, type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import type { ReconciliationController } from '../../src/billing/reconciliation.controller';
import { type AnswerOf, json } from '../support/json';
import { GPT_4O_CHAT, otlpProtobufBody } from '../support/spans';
import { dashboardSuite, screenshot, seriousA11yViolations } from './browser';
import { dollarsExact } from './expected-money';

jest.setTimeout(90_000);

const DAY = 86_400_000;
const NOV_13 = Date.UTC(2026, 10, 13);

describe('the reconciliation page', () => {
  let mock: MockLlmServer;
  const billing = new MockBilling();
  const env: Record<string, string> = {
    TOKENLEDGER_OPENAI_ADMIN_KEY: billing.adminKeys.openai,
    TOKENLEDGER_BILL_SYNC_HOURS: '0',
    TOKENLEDGER_BILL_RETRY_BASE_MS: '1',
  };
  beforeAll(async () => {
    mock = await startMockLlmServer({ handlers: billingRoutes(billing) });
    env.TOKENLEDGER_OPENAI_ADMIN_BASE_URL = `${mock.url}/v1`;
  });
  afterAll(() => mock?.close());

  // Two gpt-4o calls ($0.02375 each) on 13 and 14 November; billed exactly on the 13th, 3 % more on the
  // 14th, and a model never tracked (a batch job outside the instrumented apps) on the 14th too.
  const suite = dashboardSuite(env, async (collector) => {
    const body = await otlpProtobufBody(
      [0, 1].flatMap((d) => [0, 1].map((i) => ({ name: 'chat', attributes: GPT_4O_CHAT, startMs: NOV_13 + d * DAY + (9 + i) * 3_600_000 }))),
    );
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
    billing.openai
      .addCost('2026-11-13', { lineItem: 'gpt-4o-2024-08-06, input', amountUsd: '0.0075' })
      .addCost('2026-11-13', { lineItem: 'gpt-4o-2024-08-06, output', amountUsd: '0.04' });
    billing.openai
      .addCost('2026-11-14', { lineItem: 'gpt-4o-2024-08-06, input', amountUsd: '0.0075' })
      .addCost('2026-11-14', { lineItem: 'gpt-4o-2024-08-06, output', amountUsd: '0.041425' });
    billing.openai.addCost('2026-11-14', { lineItem: 'o3-2025-04-16, output', amountUsd: '0.016' });
    billing.openai
      .addUsage('completions', '2026-11-14', { model: 'gpt-4o-2024-08-06', inputTokens: 3000, outputTokens: 4000, requests: 2 })
      .addUsage('completions', '2026-11-14', { model: 'o3-2025-04-16', inputTokens: 0, outputTokens: 2000, requests: 1 });
  });

  it('imports the bills and shows the day that differs, to the digit the API gives', async () => {
    const { page, errors, collector } = suite;
    await page.goto(`${collector.url}/dashboard/reconciliation`);
    await page.getByLabel('Month (UTC)').fill('2026-11');
    await page.getByRole('button', { name: 'Import bills now' }).click();
    await page.getByRole('status').filter({ hasText: 'openai: 30 days imported' }).waitFor();
    const api = await json<AnswerOf<ReconciliationController['report']>>(
      await fetch(`${collector.url}/v1/reports/reconciliation?from=2026-11-01&to=2026-12-01&provider=openai`),
    );
    const fourteenth = api.days.find((d) => d.date === '2026-11-14')!;
    expect(fourteenth.differenceUsd).toBe('0.017425000');

    const row = page.locator('[data-testid="reconciliation-table"] tr[data-day="2026-11-14"][data-provider="openai"]');
    await row.waitFor();
    expect(await row.getAttribute('class')).toBe('row-warning');
    expect(await row.getByTestId('difference').textContent()).toBe(`+${dollarsExact(fourteenth.differenceUsd!)}`);
    expect(await row.locator(':scope > td.num').allTextContents()).toEqual([
      '2',
      dollarsExact(fourteenth.trackedCostUsd!),
      dollarsExact(fourteenth.billedCostUsd!),
      '+$0.017425',
      '36.7 %',
    ]);
    const even = page.locator('[data-testid="reconciliation-table"] tr[data-day="2026-11-13"]');
    expect(await even.getAttribute('class')).toBeNull();
    expect(await even.getByTestId('difference').textContent()).toBe('$0.00');

    await row.getByText('2 models').click();
    const models = await row.locator('table.nested tbody tr').allInnerTexts();
    expect(models).toEqual([
      expect.stringMatching(/^gpt-4o-2024-08-06\t3,000 \/ 3,000\t4,000 \/ 4,000\t\$0\.048925$/),
      expect.stringMatching(/^o3-2025-04-16\s*not tracked\t0 \/ 0\t0 \/ 2,000\t\$0\.016$/),
    ]);
    expect(await page.getByTestId('untracked').innerText()).toContain('2026-11-14 openai o3-2025-04-16: $0.016 billed, 0 input and 2,000 output tokens');
    expect(await page.getByTestId('reconciliation-totals').innerText()).toContain(`difference +${dollarsExact(api.totals[0].differenceUsd!)}`);
    await screenshot(page, 'reconciliation');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
