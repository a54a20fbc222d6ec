import type { Page } from 'playwright-core';
import { startCollector } from '../support/app';
import { CLAUDE_CACHED_CHAT, GPT_4O_CHAT, otlpProtobufBody, type SpanSpec } from '../support/spans';
import { dashboardSuite, launchBrowser, openPage, screenshot, seriousA11yViolations } from './browser';
import { dollarsExact, dollarsPer } from './expected-money';
import { json, type AnswerOf, type ReportAnswer } from '../support/json';
import type { CallController } from '../../src/reports/call.controller';
import type { ModelsController } from '../../src/dashboard-api/models.controller';

jest.setTimeout(90_000);

const JAEGER = 'http://jaeger.test:16686';
const ATTRIBUTION = {
  'gen_ai.agent.id': 'research-agent',
  'gen_ai.conversation.id': 'conv-42',
  'tokenledger.feature': 'search',
  'tokenledger.tag.team': 'growth',
};
const IMAGES = {
  'gen_ai.operation.name': 'image_generation',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'dall-e-3',
  'tokenledger.image.count': 2,
  'tokenledger.image.size': '1024x1792',
  'tokenledger.image.quality': 'hd',
};
const SPEECH = {
  'gen_ai.operation.name': 'speech',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'tts-1-hd',
  'tokenledger.speech.characters': 1000,
};
/** How each unit's price is quoted: per 1M tokens, per 1K characters, per image. */
const QUOTED: Record<string, [exponent: number, per: string]> = {
  input_tokens: [6, 'per 1M input tokens'],
  cache_read_tokens: [6, 'per 1M cache read tokens'],
  cache_write_tokens: [6, 'per 1M cache write tokens'],
  output_tokens: [6, 'per 1M output tokens'],
  characters: [3, 'per 1K characters'],
  images: [0, 'per image'],
};

async function send(url: string, specs: SpanSpec[]) {
  const res = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: await otlpProtobufBody(specs, { 'service.name': 'shop', 'deployment.environment.name': 'prod' }),
  });
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
}

/** The unit prices a page lists, as "amount per" lines keyed by unit. */
const unitPricesShown = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .first()
    .evaluate((list) =>
      Object.fromEntries([...list.querySelectorAll('li')].map((li) => [li.getAttribute('data-unit') ?? '', li.textContent.replace(/\s+/g, ' ').trim()])),
    );
const quoted = (unitPrices: Record<string, string>) =>
  Object.fromEntries(Object.entries(unitPrices).map(([unit, usd]) => [unit, `${dollarsPer(usd, QUOTED[unit][0])} ${QUOTED[unit][1]}`]));

describe('a call explained in the dashboard', () => {
  const suite = dashboardSuite({ TOKENLEDGER_JAEGER_URL: JAEGER }, async (collector) => {
    const now = Date.now();
    await send(collector.url, [
      { name: 'chat claude', attributes: { ...CLAUDE_CACHED_CHAT, ...ATTRIBUTION }, startMs: now - 60_000 },
      { name: 'chat gpt-4o', attributes: GPT_4O_CHAT, startMs: now - 120_000 },
      { name: 'images', attributes: { ...IMAGES, 'user.id': 'carol' }, startMs: now - 180_000 },
      { name: 'speech', attributes: { ...SPEECH, 'user.id': 'carol' }, startMs: now - 240_000 },
    ]);
  });
  /** A GET, its JSON answer read as T. */
  const api = async <T>(path: string) => json<T>(await fetch(`${suite.collector.url}${path}`));
  const records = async () => (await api<ReportAnswer<'usage'>>('/v1/reports/usage?period=all')).records;

  it('opens a call from the usage explorer: tokens by kind, unit prices per 1M tokens, price source and version, exact cost, attribution and its Jaeger trace', async () => {
    const { page, errors, collector } = suite;
    const claude = (await records()).find((r) => r.model === 'claude-3-5-sonnet-20241022')!;
    await page.goto(`${collector.url}/dashboard/usage?period=7d&tz=UTC`);
    const row = page.locator(`[data-testid="usage-table"] tr[data-call-id="${claude.id}"]`);
    await row.getByRole('button', { name: /^Details/ }).click();
    await page.getByTestId('call').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/dashboard/usage/${claude.id}`);
    await page.getByRole('heading', { name: 'Call', level: 1 }).waitFor();

    const call = await api<AnswerOf<CallController['call']>>(`/v1/reports/usage/${claude.id}`);
    expect(await page.getByTestId('call-cost').textContent()).toBe(dollarsExact(call.costUsd!));
    expect(await unitPricesShown(page, 'call-unit-prices')).toEqual(quoted(call.unitPrices!));
    // Nothing is quoted per single token.
    expect(await page.getByTestId('call').textContent()).not.toMatch(/0\.00000/);
    const tokens = await page
      .getByTestId('call-tokens')
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent]));
    expect(tokens).toEqual([
      ['Input', call.tokens.input.toLocaleString('en-US')],
      ['of which cache read', call.tokens.cacheRead.toLocaleString('en-US')],
      ['of which cache write', call.tokens.cacheWrite.toLocaleString('en-US')],
      ['Output', call.tokens.output.toLocaleString('en-US')],
    ]);
    const pricing = await page.getByTestId('call-pricing').textContent();
    expect(pricing).toContain(call.priceSource!.replace(/^[a-z]+:/, ''));
    expect(pricing).toContain(call.priceBookVersion);
    const attribution = await page.getByTestId('call-attribution').textContent();
    for (const value of ['bob', 'research-agent', 'conv-42', 'search', 'shop', 'prod', 'team=growth']) expect(attribution).toContain(value);
    await expect(page.getByTestId('call-trace-link').getAttribute('href')).resolves.toBe(`${JAEGER}/trace/${call.traceId}?uiFind=${call.spanId}`);
    await screenshot(page, 'call');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Back to the explorer, the period kept.
    await page.getByRole('link', { name: /Back to the usage explorer/ }).click();
    await page.getByTestId('usage-table').waitFor();
    expect(new URL(page.url()).searchParams.get('period')).toBe('7d');
    expect(errors).toEqual([]);
  });

  it('quotes characters per 1K and images per image, with what was counted', async () => {
    const { page, errors, collector } = suite;
    for (const model of ['tts-1-hd', 'dall-e-3']) {
      const r = (await records()).find((x) => x.model === model)!;
      expect(r.costUsd).not.toBeNull();
      await page.goto(`${collector.url}/dashboard/usage/${r.id}`);
      await page.getByTestId('call-unit-prices').waitFor();
      expect(await unitPricesShown(page, 'call-unit-prices')).toEqual(quoted(r.unitPrices!));
      expect(await page.getByTestId('call-cost').textContent()).toBe(dollarsExact(r.costUsd!));
      const units = await page.getByTestId('call-units').textContent();
      expect(units).toContain(
        model === 'tts-1-hd' ? `Characters${r.characters!.toLocaleString('en-US')}` : `Images${r.imageCount} · ${r.imageSize} · ${r.imageQuality}`,
      );
    }
    expect(errors).toEqual([]);
  });

  it('quotes the models page unit prices per 1M tokens, never per token', async () => {
    const { page, errors, collector } = suite;
    await page.goto(`${collector.url}/dashboard/models?period=7d&tz=UTC`);
    const gpt = page.getByTestId('models-table').locator('tr', { hasText: 'gpt-4o-2024-08-06' });
    await gpt.waitFor();
    const { models } = await api<AnswerOf<ModelsController['models']>>(
      `/v1/ui/models?from=${new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10)}&tz=UTC`,
    );
    const priced = models.find((m) => m.model === 'gpt-4o-2024-08-06')!;
    const shown = await gpt.evaluate((tr) =>
      Object.fromEntries(
        [...tr.querySelectorAll('.unit-prices li')].map((li) => [li.getAttribute('data-unit') ?? '', li.textContent.replace(/\s+/g, ' ').trim()]),
      ),
    );
    expect(shown).toEqual(quoted(priced.unitPrices!));
    expect(await page.getByTestId('models-table').textContent()).not.toMatch(/0\.00000/);
    expect(errors).toEqual([]);
  });

  it('opens a bookmarked call directly, and says so when the call is not there', async () => {
    const { page, errors, collector } = suite;
    const gpt = (await records()).find((r) => r.model === 'gpt-4o-2024-08-06')!;
    await page.goto(`${collector.url}/dashboard/usage/${gpt.id}?tz=Europe/Madrid`);
    await page.getByTestId('call-facts').waitFor();
    const time = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Madrid', dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(gpt.time));
    expect(await page.getByTestId('call-facts').textContent()).toContain(time);
    await page.goto(`${collector.url}/dashboard/usage/${'0'.repeat(48)}`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('no call with id');
    // The 404 is the page's answer, shown to the reader; nothing else went wrong.
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});

describe('a call in the dashboard without Jaeger configured', () => {
  it('shows the trace and span ids and says how to link them to Jaeger', async () => {
    const collector = await startCollector();
    const browser = await launchBrowser();
    try {
      await send(collector.url, [{ name: 'chat', attributes: GPT_4O_CHAT }]);
      const [r] = (await json<ReportAnswer<'usage'>>(await fetch(`${collector.url}/v1/reports/usage?period=all`))).records;
      const { page, errors } = await openPage(browser);
      await page.goto(`${collector.url}/dashboard/usage/${r.id}`);
      await page.getByTestId('call-trace').waitFor();
      expect(await page.getByTestId('call-trace').textContent()).toContain(r.traceId);
      expect(await page.getByTestId('call-trace-link').count()).toBe(0);
      await page.getByText('Set TOKENLEDGER_JAEGER_URL on the service to open the trace in Jaeger.').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await collector.close();
    }
  });
});
