import { testTelemetry } from '@tokenledger/otel-harness';
import { GenAiMetrics } from '../src';

const CHAT = { operation: 'chat', provider: 'openai', requestModel: 'gpt-4o', serverAddress: 'api.openai.com' };

async function points(telemetry: ReturnType<typeof testTelemetry>, name: string) {
  const metric = (await telemetry.metrics()).scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p) => ({
    attributes: p.attributes,
    count: (p.value as { count: number }).count,
    sum: (p.value as { sum: number }).sum,
  }));
}

describe('GenAI client metrics', () => {
  it("records a failed call's duration with its error.type and its tokens without it", async () => {
    const telemetry = testTelemetry();
    const metrics = new GenAiMetrics(telemetry.meterProvider.getMeter('test'));
    metrics.record(CHAT, 'gpt-4o-2024-08-06', { input: 20, output: 3 }, undefined, 0.5, null);
    metrics.record(CHAT, 'gpt-4o-2024-08-06', { input: 7 }, '429', 0.25, null);
    const base = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'server.address': 'api.openai.com',
    };
    expect(await points(telemetry, 'gen_ai.client.operation.duration')).toEqual([
      { attributes: base, count: 1, sum: 0.5 },
      { attributes: { ...base, 'error.type': '429' }, count: 1, sum: 0.25 },
    ]);
    expect(await points(telemetry, 'gen_ai.client.token.usage')).toEqual([
      { attributes: { ...base, 'gen_ai.token.type': 'input' }, count: 2, sum: 27 },
      { attributes: { ...base, 'gen_ai.token.type': 'output' }, count: 1, sum: 3 },
    ]);
  });

  it('keeps the calls of each model, response model and server apart', async () => {
    const telemetry = testTelemetry();
    const metrics = new GenAiMetrics(telemetry.meterProvider.getMeter('test'));
    metrics.record(CHAT, 'gpt-4o-2024-08-06', null, undefined, 1, 0.1);
    metrics.record(CHAT, 'gpt-4o-2024-11-20', null, undefined, 1, 0.1);
    metrics.record({ ...CHAT, requestModel: 'gpt-4o-mini' }, null, null, undefined, 1, null);
    metrics.record({ ...CHAT, serverAddress: null }, null, null, undefined, 1, null);
    const durations = await points(telemetry, 'gen_ai.client.operation.duration');
    expect(
      durations.map((p) => [p.attributes['gen_ai.request.model'], p.attributes['gen_ai.response.model'] ?? null, p.attributes['server.address'] ?? null]),
    ).toEqual([
      ['gpt-4o', 'gpt-4o-2024-08-06', 'api.openai.com'],
      ['gpt-4o', 'gpt-4o-2024-11-20', 'api.openai.com'],
      ['gpt-4o-mini', null, 'api.openai.com'],
      ['gpt-4o', null, null],
    ]);
    expect((await points(telemetry, 'gen_ai.client.operation.time_to_first_chunk')).map((p) => p.attributes['gen_ai.response.model'])).toEqual([
      'gpt-4o-2024-08-06',
      'gpt-4o-2024-11-20',
    ]);
  });
});
