import { otlpProtobufBody } from '../support/spans';
import { dashboardSuite, seriousA11yViolations } from './browser';

jest.setTimeout(90_000);

const FINE_TUNED = 'ft:gpt-4.1-2025-04-14:acme:support:abc123';

describe('a fine-tuned model without published rates in the dashboard', () => {
  const suite = dashboardSuite({}, async (collector) => {
    const chat = (model: string) => ({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 10,
    });
    const body = await otlpProtobufBody([
      { name: 'fine-tuned', attributes: chat(FINE_TUNED), startMs: Date.now() - 60_000 },
      { name: 'priced fine-tune', attributes: chat('ft:gpt-4o-mini:acme::def456'), startMs: Date.now() - 120_000 },
    ]);
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
  });

  it('is listed as unpriced (fine_tuned_unpriced) on the Models page with the price-file entry that would price it', async () => {
    const { page, collector, errors } = suite;
    await page.goto(`${collector.url}/dashboard/models`);
    const row = page.getByTestId('models-table').locator('tr', { hasText: FINE_TUNED });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('fine_tuned_unpriced');
    const entry = page.getByTestId('price-file-entry');
    await expect(entry.count()).resolves.toBe(1);
    const text = (await entry.textContent())!;
    expect(text).toContain(FINE_TUNED);
    expect(text).toContain('match: { starts_with: "ft:gpt-4.1-2025-04-14:acme:" }');
    const api = (await (await fetch(`${collector.url}/v1/ui/models?period=month`)).json()) as { models: { model: string; priceFileEntry: string | null }[] };
    expect(text).toContain(api.models.find((m) => m.model === FINE_TUNED)!.priceFileEntry!.split('\n')[1]);
    // The fine-tune with catalog rates is priced, and needs no entry.
    expect(api.models.find((m) => m.model === 'ft:gpt-4o-mini:acme::def456')).toMatchObject({ priceFileEntry: null, unpricedCalls: 0 });
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
