import type { ReportAnswer } from './support/collector-api';
import { type CollectorProcess, startCollectorProcess } from './support/collector';
import { REQUIRE_HOOK, runApp } from './support/run-app';

jest.setTimeout(180_000);

/** Manual-tracking spans, exported by the hook over OTLP/HTTP protobuf to the real collector, priced there. */
describe('manual tracking, priced by the real collector', () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollectorProcess();
    const run = await runApp(REQUIRE_HOOK, 'manual-app.cjs', {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_SERVICE_NAME: 'shop',
    });
    expect(run).toMatchObject({ code: 0, stdout: 'tracked\n' });
  });
  afterAll(() => collector?.stop());
  const summary = async (query: string) => (await collector.api<ReportAnswer<'summary'>>(`/v1/reports/summary?period=all&${query}`)).body;

  it('prices an LLM call tracked by hand like the patched one: gpt-4o, 1500 in / 2000 out = $0.02375', async () => {
    expect(await summary('type=llm&provider=openai')).toMatchObject({ calls: 1, totalCostNanos: '23750000', unpricedCalls: 0 });
  });

  it('prices payment gateway fees from their fee schedules: Stripe 2.9 % + $0.30, MercadoPago 3.99 %', async () => {
    expect(await summary('type=payment&provider=stripe')).toMatchObject({ calls: 1, totalCostNanos: '590000000' });
    expect(await summary('type=payment&provider=mercadopago')).toMatchObject({ calls: 1, totalCostNanos: '3990000000' });
  });

  it('prices local and free providers at exactly $0, not as unknown', async () => {
    expect(await summary('type=image')).toMatchObject({ calls: 2, totalCostNanos: '0', unpricedCalls: 0 });
    expect(await summary('provider=qwen-local')).toMatchObject({ calls: 1, totalCostNanos: '0', unpricedCalls: 0 });
  });

  it('keeps an explicit cost as the provided cost of a model the price book does not know', async () => {
    const { body } = await collector.api<ReportAnswer<'usage'>>('/v1/reports/usage?period=all&type=embedding');
    expect(body.records).toEqual([
      expect.objectContaining({
        provider: 'local',
        model: 'bge-small-en',
        costType: 'embedding',
        costNanos: null,
        unpricedReason: 'unknown_model',
        providedCostNanos: '100000',
        user: 'ana',
        service: 'shop',
      }),
    ]);
  });
});
