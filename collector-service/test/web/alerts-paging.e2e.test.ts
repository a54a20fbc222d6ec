import { otlpProtobufBody } from '../support/spans';
import { dashboardSuite, seriousA11yViolations } from './browser';

jest.setTimeout(90_000);

/** Budgets any call exceeds, two thresholds each: 62 alerts, more than the page of 50 the alerts page asks for. */
const BUDGETS = 31;
const ALERTS = 2 * BUDGETS;

describe("the alerts page's further pages", () => {
  const suite = dashboardSuite({}, async (collector) => {
    for (let i = 0; i < BUDGETS; i++) {
      const res = await fetch(`${collector.url}/v1/budgets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Team ${i}`, scope: {}, period: 'month', timezone: 'UTC', limitUsd: '0.000001', thresholds: [0.5, 1], action: 'notify' }),
      });
      if (res.status !== 201) throw new Error(`creating a budget answered ${res.status}: ${await res.text()}`);
    }
    const body = await otlpProtobufBody([
      {
        name: 'chat',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 500,
        },
      },
    ]);
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
  });

  /** Every alert's id across the API's pages, once the after-ingest budget run has written them all. */
  async function allAlertIds(): Promise<string[]> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (await (await fetch(`${suite.collector.url}/v1/alerts?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json()) as {
          alerts: { id: string }[];
          nextCursor: string | null;
        };
        ids.push(...page.alerts.map((a) => a.id));
        cursor = page.nextCursor;
      } while (cursor);
      if (ids.length >= ALERTS) return ids;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`fewer than ${ALERTS} alerts fired`);
  }

  it('shows the first 50, then the rest once on "Show more alerts", each alert once, and no button after the last', async () => {
    const { page, errors, collector } = suite;
    const ids = await allAlertIds();
    expect(ids).toHaveLength(ALERTS);
    await page.goto(`${collector.url}/dashboard/alerts`);
    const rows = page.getByTestId('alerts-table').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Show more alerts' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="alerts-table"] tbody tr').length === n, ALERTS);
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-alert-id')));
    expect([...shown].sort()).toEqual([...ids].sort());
    expect(await page.getByRole('button', { name: 'Show more alerts' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
