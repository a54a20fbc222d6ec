import OpenAI from 'openai';
import { billingRoutes, MockBilling, type MockLlmServer, startMockLlmServer } from '../src';

/** A page of the Anthropic usage or cost report, as far as these tests read it. */
interface UsagePage {
  data: { starting_at: string; results: unknown[] }[];
  has_more: boolean;
  next_page: string | null;
}
interface CostPage {
  data: { results: unknown[] }[];
}
const json = async <T>(res: Response) => (await res.json()) as T;

const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;

describe('the mock organization admin APIs', () => {
  let server: MockLlmServer;
  let billing: MockBilling;
  let openai: OpenAI;
  beforeAll(async () => {
    billing = new MockBilling();
    server = await startMockLlmServer({ handlers: billingRoutes(billing) });
    openai = new OpenAI({ adminAPIKey: billing.adminKeys.openai, apiKey: null, baseURL: `${server.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    billing.openai.clear();
    billing.anthropic.clear();
  });

  const anthropic = (path: string, key = billing.adminKeys.anthropic) =>
    fetch(`${server.url}${path}`, { headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } });

  it('pages OpenAI costs by day with line items, as the openai SDK reads them', async () => {
    billing.openai
      .addCost('2026-11-02', { lineItem: 'gpt-4o-2024-08-06, input', amountUsd: '1.25' })
      .addCost('2026-11-02', { lineItem: 'gpt-4o-2024-08-06, output', amountUsd: '2.5' });
    billing.openai.addCost('2026-11-03', { lineItem: 'gpt-4o-2024-08-06, input', amountUsd: '0.75' });
    const first = await openai.admin.organization.usage.costs({
      start_time: day('2026-11-01'),
      end_time: day('2026-11-04'),
      bucket_width: '1d',
      group_by: ['line_item'],
      limit: 2,
    });
    expect(first.data.map((b) => b.start_time)).toEqual([day('2026-11-01'), day('2026-11-02')]);
    expect(first.data[0].results).toEqual([]);
    expect(first.data[1].results).toEqual([
      { object: 'organization.costs.result', amount: { value: 1.25, currency: 'usd' }, line_item: 'gpt-4o-2024-08-06, input', project_id: null },
      { object: 'organization.costs.result', amount: { value: 2.5, currency: 'usd' }, line_item: 'gpt-4o-2024-08-06, output', project_id: null },
    ]);
    expect(first).toMatchObject({ has_more: true, next_page: expect.any(String) });
    const second = await openai.admin.organization.usage.costs({
      start_time: day('2026-11-01'),
      end_time: day('2026-11-04'),
      group_by: ['line_item'],
      limit: 2,
      page: first.next_page!,
    });
    expect(second.data.map((b) => [b.start_time, b.end_time])).toEqual([[day('2026-11-03'), day('2026-11-04')]]);
    expect(second).toMatchObject({ has_more: false, next_page: null });
  });

  it('sends each OpenAI amount with the digits it was billed in, and one summed line without line items', async () => {
    billing.openai
      .addCost('2026-11-02', { lineItem: 'a', amountUsd: '0.123456789123456789' })
      .addCost('2026-11-02', { lineItem: 'b', amountUsd: '0.000000000876543211' });
    const raw = await (
      await fetch(`${server.url}/v1/organization/costs?start_time=${day('2026-11-02')}&end_time=${day('2026-11-03')}&group_by[]=line_item`, {
        headers: { authorization: `Bearer ${billing.adminKeys.openai}` },
      })
    ).text();
    expect(raw).toContain('"value":0.123456789123456789,');
    const summed = await openai.admin.organization.usage.costs({ start_time: day('2026-11-02'), end_time: day('2026-11-03') });
    expect(summed.data[0].results).toEqual([expect.objectContaining({ amount: { value: 0.12345679, currency: 'usd' }, line_item: null })]);
  });

  it('answers OpenAI usage per model, or summed over models, on each usage endpoint', async () => {
    billing.openai
      .addUsage('completions', '2026-11-02', { model: 'gpt-4o-2024-08-06', inputTokens: 1500, outputTokens: 2000, inputCachedTokens: 100, requests: 1 })
      .addUsage('completions', '2026-11-02', { model: 'gpt-4o-mini-2024-07-18', inputTokens: 10, outputTokens: 5, requests: 2 });
    billing.openai.addUsage('audio_transcriptions', '2026-11-02', { model: 'whisper-1', seconds: 90, requests: 1 });
    const range = { start_time: day('2026-11-02'), end_time: day('2026-11-03') };
    const byModel = await openai.admin.organization.usage.completions({ ...range, group_by: ['model'] });
    expect(byModel.data[0].results).toEqual([
      expect.objectContaining({
        object: 'organization.usage.completions.result',
        model: 'gpt-4o-2024-08-06',
        input_tokens: 1500,
        output_tokens: 2000,
        input_cached_tokens: 100,
        num_model_requests: 1,
      }),
      expect.objectContaining({ model: 'gpt-4o-mini-2024-07-18', input_tokens: 10, output_tokens: 5, num_model_requests: 2 }),
    ]);
    const total = await openai.admin.organization.usage.completions(range);
    expect(total.data[0].results).toEqual([expect.objectContaining({ model: null, input_tokens: 1510, output_tokens: 2005, num_model_requests: 3 })]);
    const audio = await openai.admin.organization.usage.audioTranscriptions({ ...range, group_by: ['model'] });
    expect(audio.data[0].results).toEqual([
      expect.objectContaining({ object: 'organization.usage.audio_transcriptions.result', model: 'whisper-1', seconds: 90 }),
    ]);
  });

  it('refuses OpenAI requests without the admin key, without start_time, or with a width other than a day', async () => {
    const wrongKey = new OpenAI({ adminAPIKey: 'sk-not-admin', apiKey: null, baseURL: `${server.url}/v1`, maxRetries: 0 });
    await expect(wrongKey.admin.organization.usage.costs({ start_time: 0 })).rejects.toMatchObject({ status: 401 });
    const bad = await fetch(`${server.url}/v1/organization/usage/completions?bucket_width=1h&start_time=0`, {
      headers: { authorization: `Bearer ${billing.adminKeys.openai}` },
    });
    expect(bad.status).toBe(400);
    const missing = await fetch(`${server.url}/v1/organization/costs`, { headers: { authorization: `Bearer ${billing.adminKeys.openai}` } });
    expect(await missing.json()).toMatchObject({ error: { param: 'start_time' } });
  });

  it('pages Anthropic usage per model with its cache breakdown', async () => {
    billing.anthropic.addUsage('2026-11-02', {
      model: 'claude-sonnet-4-20250514',
      uncachedInputTokens: 300,
      cacheReadInputTokens: 1000,
      cacheCreation5mInputTokens: 200,
      outputTokens: 2000,
    });
    const page = await json<UsagePage>(
      await anthropic('/v1/organizations/usage_report/messages?starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-04T00:00:00Z&group_by[]=model&limit=2'),
    );
    expect(page.data.map((b) => b.starting_at)).toEqual(['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z']);
    expect(page.data[1]).toEqual({
      starting_at: '2026-11-02T00:00:00Z',
      ending_at: '2026-11-03T00:00:00Z',
      results: [
        {
          uncached_input_tokens: 300,
          cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 200 },
          cache_read_input_tokens: 1000,
          output_tokens: 2000,
          server_tool_use: { web_search_requests: 0 },
          api_key_id: null,
          workspace_id: null,
          model: 'claude-sonnet-4-20250514',
          service_tier: null,
          context_window: null,
        },
      ],
    });
    expect(page.has_more).toBe(true);
    const next = await json<UsagePage>(
      await anthropic(
        `/v1/organizations/usage_report/messages?starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-04T00:00:00Z&group_by[]=model&limit=2&page=${page.next_page}`,
      ),
    );
    expect(next).toMatchObject({ data: [{ starting_at: '2026-11-03T00:00:00Z', results: [] }], has_more: false, next_page: null });
  });

  it('answers the Anthropic cost report in cents as decimal strings, split by description or summed', async () => {
    billing.anthropic.addCost('2026-11-02', {
      amountCents: '0.09',
      model: 'claude-sonnet-4-20250514',
      description: 'Claude Sonnet 4 Usage - Input Tokens',
      costType: 'tokens',
      tokenType: 'uncached_input_tokens',
    });
    billing.anthropic.addCost('2026-11-02', {
      amountCents: '3.0075',
      model: 'claude-sonnet-4-20250514',
      description: 'Claude Sonnet 4 Usage - Output Tokens',
      costType: 'tokens',
      tokenType: 'output_tokens',
    });
    const split = await json<CostPage>(
      await anthropic('/v1/organizations/cost_report?starting_at=2026-11-02T00:00:00Z&ending_at=2026-11-03T00:00:00Z&group_by[]=description'),
    );
    expect(split.data[0].results[1]).toEqual({
      currency: 'USD',
      amount: '3.0075',
      workspace_id: null,
      description: 'Claude Sonnet 4 Usage - Output Tokens',
      cost_type: 'tokens',
      context_window: null,
      model: 'claude-sonnet-4-20250514',
      service_tier: null,
      token_type: 'output_tokens',
    });
    const summed = await json<CostPage>(await anthropic('/v1/organizations/cost_report?starting_at=2026-11-02T00:00:00Z&ending_at=2026-11-03T00:00:00Z'));
    expect(summed.data[0].results).toEqual([expect.objectContaining({ amount: '3.0975', model: null, description: null })]);
  });

  it('refuses Anthropic requests without the admin key or anthropic-version, and fails on demand', async () => {
    expect((await anthropic('/v1/organizations/cost_report?starting_at=2026-11-02T00:00:00Z', 'sk-ant-api03-not-admin')).status).toBe(401);
    const noVersion = await fetch(`${server.url}/v1/organizations/cost_report?starting_at=2026-11-02T00:00:00Z`, {
      headers: { 'x-api-key': billing.adminKeys.anthropic },
    });
    expect(noVersion.status).toBe(400);
    billing.failNext('anthropic', 529, 2);
    expect((await anthropic('/v1/organizations/cost_report?starting_at=2026-11-02T00:00:00Z')).status).toBe(529);
    expect((await anthropic('/v1/organizations/cost_report?starting_at=2026-11-02T00:00:00Z')).status).toBe(529);
    expect((await anthropic('/v1/organizations/cost_report?starting_at=2026-11-02T00:00:00Z')).status).toBe(200);
  });
});
