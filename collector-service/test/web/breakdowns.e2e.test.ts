import { readFileSync } from 'node:fs';
import type { Attributes } from '@opentelemetry/api';
import { otlpProtobufBody } from '../support/spans';
import { dashboardSuite, screenshot, seriousA11yViolations } from './browser';
import { dollarsToTheCent } from './expected-money';

jest.setTimeout(90_000);

const HOUR = 3_600_000;
const CALLS = 24;

/** gpt-4o chats an hour apart: three conversations and calls in none, tagged team=search, team=ads or untagged. */
function attributes(i: number): Attributes {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 1000 + 100 * i,
    'gen_ai.usage.output_tokens': 500 + 10 * i,
    'user.id': 'alice',
    ...(i % 8 < 6 ? { 'gen_ai.conversation.id': `chat-${i % 3}` } : {}),
    ...(i % 4 === 0 ? { 'tokenledger.tag.team': 'search' } : i % 4 === 1 ? { 'tokenledger.tag.team': 'ads' } : {}),
  };
}

interface Item {
  key: string | null;
  costUsd: string;
  calls: number;
  tokens: { input: number; output: number };
}

/** The browser's default period is the last 30 days in its zone (UTC here): from local midnight 29 days ago. */
const last30DaysFrom = () => new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);

describe("the usage explorer's breakdowns by tag key and by conversation", () => {
  const suite = dashboardSuite({}, async (collector) => {
    const now = Date.now();
    const body = await otlpProtobufBody(
      Array.from({ length: CALLS }, (_, i) => ({ name: `chat ${i}`, attributes: attributes(i), startMs: now - i * HOUR - 60_000 })),
    );
    const res = await fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-protobuf' },
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  });
  const api = async <T>(path: string) => (await fetch(`${suite.collector.url}${path}`)).json() as Promise<T>;

  it('shows the rows of the tag key or conversation chosen, the calls without one labelled, the total equal to the summary, and exports that breakdown', async () => {
    const { page, errors } = suite;
    const range = `tz=UTC&from=${last30DaysFrom()}`;
    const summary = await api<{ calls: number; totalCostNanos: string; totalCostUsd: string }>(`/v1/reports/summary?${range}`);
    expect(summary.calls).toBe(CALLS);
    await page.goto(`${suite.collector.url}/dashboard/usage`);
    const by = page.getByLabel('Break down by');
    // The tag keys the range's calls carry are choices beside the dimensions.
    await by.locator('option[value="tag:team"]').waitFor({ state: 'attached' });
    await expect(by.locator('option').allTextContents()).resolves.toEqual([
      'Model',
      'Provider',
      'Type',
      'User',
      'Agent',
      'Feature',
      'Service',
      'Conversation',
      'Tag: team',
    ]);

    for (const [choice, without, values] of [
      ['tag:team', '(no team tag)', ['search', 'ads']],
      ['conversation', '(no conversation)', ['chat-0', 'chat-1', 'chat-2']],
    ] as const) {
      await by.selectOption(choice);
      const expected = await api<{ totalCostNanos: string; items: Item[]; other: Item | null }>(
        `/v1/reports/breakdown?${range}&by=${encodeURIComponent(choice)}&limit=20`,
      );
      expect(expected.totalCostNanos).toBe(summary.totalCostNanos);
      expect(expected.other).toBeNull();
      expect(expected.items.map((i) => i.key).sort()).toEqual([...values, null].sort());
      const rows = expected.items.map((i) => [
        i.key ?? without,
        dollarsToTheCent(i.costUsd),
        (i.tokens.input + i.tokens.output).toLocaleString('en-US'),
        String(i.calls),
      ]);
      await page.waitForFunction(
        (want) =>
          JSON.stringify(
            Array.from(document.querySelectorAll('[data-testid="breakdown-table"] tbody tr'), (tr) =>
              Array.from(tr.querySelectorAll('td'), (td) => td.textContent),
            ),
          ) === want,
        JSON.stringify(rows),
      );
      await expect(page.getByTestId('breakdown-total').textContent()).resolves.toBe(`Total ${dollarsToTheCent(summary.totalCostUsd)} over ${CALLS} calls`);

      const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export breakdown CSV' }).click()]);
      expect(csv.suggestedFilename()).toBe('tokenledger-breakdown-default.csv');
      const lines = readFileSync(await csv.path(), 'utf8')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toMatch(/^row,key,/);
      expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(expected.items.map((i) => (i.key === null ? 'none,' : `value,${i.key}`)));
    }
    await screenshot(page, 'usage-breakdown-conversation');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
