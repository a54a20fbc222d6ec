import type { Browser, Page } from 'playwright-core';
import { dashboardBuilt } from '../../src/dashboard-api/dashboard-files';
import { type RunningCollector, startCollector } from '../support/app';
import { json, type ReportAnswer } from '../support/json';
import { otlpProtobufBody } from '../support/spans';
import { launchBrowser, openPage, screenshot, seriousA11yViolations } from './browser';
import { ingestKnownSpans } from './seed';

jest.setTimeout(240_000);

/** A phone, a tablet, a laptop and a wide screen. */
const WIDTHS = [390, 768, 1440, 1920];
const ADMIN = 'widths-test-admin-key-0123456789abcdef';
const bearer = { authorization: `Bearer ${ADMIN}` };

/** A call with the longest names people give things: a Bedrock model id, an e-mail as user, a UUID as conversation. */
const LONG_NAMES = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'aws.bedrock',
  'gen_ai.request.model': 'anthropic.claude-3-5-sonnet-20241022-v2:0-with-a-provisioned-throughput-suffix',
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 300,
  'user.id': 'someone.with.a.rather.long.name@subsidiary.example-corporation.com',
  'gen_ai.agent.id': 'customer-support-escalation-triage-agent-v2',
  'gen_ai.conversation.id': '3f2b8c1e-9d4a-4e6b-8f7c-2a1d0e9b8c7f',
  'tokenledger.feature': 'knowledge-base-semantic-search-with-reranking',
};

/**
 * Elements that stick out past the window's right edge, other than inside a container that scrolls
 * or clips them: what makes a page wider than its window, as "tag.class" names for the failure
 * message. An absolutely positioned element escapes every container up to its containing block.
 */
function sticksOut(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const edge = document.documentElement.clientWidth;
    const contained = (el: Element) => {
      let escaping = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (escaping && style.position === 'static') continue;
        if (style.overflowX !== 'visible') return true;
        escaping = ['absolute', 'fixed'].includes(style.position);
      }
      return false;
    };
    return [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > edge + 0.5 && !contained(el))
      .map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`);
  });
}

describe('the dashboard at every window width from a phone to a wide screen', () => {
  let collector: RunningCollector;
  let browser: Browser;
  let callId: string;

  beforeAll(async () => {
    if (!dashboardBuilt()) throw new Error('the dashboard is not built: run `./run npm run build -w @tokenledger/collector-service` first');
    collector = await startCollector({ TOKENLEDGER_ADMIN_KEY: ADMIN, TOKENLEDGER_JAEGER_URL: 'http://jaeger.test:16686' });
    // A budget that every call exceeds, so the alerts page has alerts; its name as long as people write them.
    const budget = await fetch(`${collector.url}/v1/budgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer },
      body: JSON.stringify({
        name: 'Monthly generative AI spend of the customer support organisation',
        scope: { tags: { team: 'support' } },
        period: 'month',
        timezone: 'America/Argentina/ComodRivadavia',
        limitUsd: '0.000001',
        thresholds: [0.5, 0.8, 1],
      }),
    });
    if (budget.status !== 201) throw new Error(`creating the budget answered ${budget.status}`);
    await ingestKnownSpans(collector.url, Date.now(), 120, bearer);
    const res = await fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', ...bearer },
      body: await otlpProtobufBody([{ name: 'long names', attributes: { ...LONG_NAMES, 'tokenledger.tag.team': 'support' } }]),
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
    const usage = await json<ReportAnswer<'usage'>>(await fetch(`${collector.url}/v1/reports/usage?period=all&provider=aws.bedrock`, { headers: bearer }));
    callId = usage.records[0].id;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.close();
  });

  /** Each page, and what shows it has drawn everything it will. */
  const PAGES: [name: string, path: string, ready: (page: Page) => Promise<unknown>][] = [
    [
      'overview',
      '',
      (p) =>
        Promise.all([
          p.getByTestId('chart-type').waitFor(),
          p.getByTestId('chart-model').waitFor(),
          p.getByTestId('table-users').waitFor(),
          p.getByTestId('list-agents').waitFor(),
        ]),
    ],
    ['usage', '/usage', (p) => p.getByTestId('usage-table').locator('tbody tr').first().waitFor()],
    ['call', '', (p) => p.getByTestId('call-attribution').waitFor()],
    ['models', '/models', (p) => p.getByTestId('models-table').locator('tbody tr').first().waitFor()],
    ['budgets', '/budgets', (p) => p.getByTestId('budgets').locator('progress').first().waitFor()],
    [
      'budget form',
      '/budgets',
      async (p) => {
        await p.getByRole('button', { name: 'New budget' }).click();
        await p.getByRole('form', { name: 'New budget' }).waitFor();
      },
    ],
    ['alerts', '/alerts', (p) => p.getByTestId('alerts-table').locator('tbody tr').first().waitFor()],
    ['reconciliation', '/reconciliation', (p) => p.getByTestId('reconciliation-table').locator('tbody tr').first().waitFor()],
    [
      'time-zone picker',
      '/usage',
      async (p) => {
        await p.getByRole('combobox', { name: 'Time zone' }).fill('america');
        await p.getByRole('listbox', { name: 'Time zones' }).waitFor();
      },
    ],
  ];

  async function signedIn(width: number): Promise<{ page: Page; errors: string[] }> {
    const { page, errors } = await openPage(browser);
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${collector.url}/dashboard`);
    await page.getByLabel('API key (viewer or admin)').fill(ADMIN);
    // The sign-in page is a page too.
    expect({ width, page: 'sign-in', sticksOut: await sticksOut(page) }).toEqual({ width, page: 'sign-in', sticksOut: [] });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    return { page, errors };
  }

  it.each(WIDTHS)('keeps every page within a %i px window, accessible', async (width) => {
    const { page, errors } = await signedIn(width);
    for (const [name, path, ready] of PAGES) {
      await page.goto(`${collector.url}/dashboard${name === 'call' ? `/usage/${callId}` : path}`);
      await ready(page);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect({ width, page: name, sticksOut: await sticksOut(page) }).toEqual({ width, page: name, sticksOut: [] });
      expect({ width, page: name, scrollWidth }).toEqual({ width, page: name, scrollWidth: clientWidth });
      await screenshot(page, `width-${width}-${name.replace(/ /g, '-')}`);
      expect({ width, page: name, violations: await seriousA11yViolations(page) }).toEqual({ width, page: name, violations: [] });
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
