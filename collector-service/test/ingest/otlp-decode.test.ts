import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeJsonTraces, decodeProtobufTraces, OtlpDecodeError } from '../../src/ingest/otlp-decode';
import { makeSpans } from '../support/spans';

let spans: Awaited<ReturnType<typeof makeSpans>>;
beforeAll(async () => {
  spans = await makeSpans([
    {
      name: 'chat gpt-4o',
      startMs: Date.UTC(2026, 10, 24, 12, 0, 0),
      durationMs: 1500,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.input_tokens': 1500,
        'gen_ai.response.finish_reasons': ['stop'],
        'tokenledger.usage.estimated': true,
        'gen_ai.request.temperature': 0.25,
      },
    },
  ]);
});

describe('OTLP trace decoding', () => {
  it.each([
    ['protobuf', () => decodeProtobufTraces(ProtobufTraceSerializer.serializeRequest(spans)!)],
    ['JSON', () => decodeJsonTraces(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!))],
  ])('reads back what the OpenTelemetry serialiser wrote (%s)', (_format, decode) => {
    const { spans: decoded, rejected } = decode();
    expect(rejected).toEqual([]);
    expect(decoded).toHaveLength(1);
    const [span] = decoded;
    const original = spans[0];
    expect(span.traceId).toBe(original.spanContext().traceId);
    expect(span.spanId).toBe(original.spanContext().spanId);
    expect(span.name).toBe('chat gpt-4o');
    expect(span.kind).toBe(3); // OTLP numbers kinds from 1: CLIENT = 3
    expect(span.startTimeUnixNano).toBe(BigInt(Date.UTC(2026, 10, 24, 12)) * 1_000_000n);
    expect(span.endTimeUnixNano - span.startTimeUnixNano).toBe(1_500_000_000n);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 1500,
      'gen_ai.response.finish_reasons': ['stop'],
      'tokenledger.usage.estimated': true,
      'gen_ai.request.temperature': 0.25,
    });
    expect(span.resource['service.name']).toBe('checkout');
    expect(span.scope).toEqual({ name: '@tokenledger/instrumentation-openai', version: '0.1.0' });
  });

  it('rejects a body that is not protobuf with a message, and JSON that is not JSON', () => {
    expect(() => decodeProtobufTraces(Buffer.from('{"resourceSpans": []}'))).toThrow(OtlpDecodeError);
    expect(() => decodeJsonTraces(Buffer.from('{not json'))).toThrow(/not valid JSON/);
    expect(() => decodeJsonTraces(Buffer.from('{"resourceSpans": 5}'))).toThrow(/resourceSpans must be an array/);
  });

  it('rejects a span with a malformed id but keeps the valid spans of the same request', () => {
    const body = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: 'abc', spanId: 'eee19b7ec3c1b174', startTimeUnixNano: '1', endTimeUnixNano: '2' },
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', startTimeUnixNano: '1', endTimeUnixNano: 2 },
              ],
            },
          ],
        },
      ],
    };
    const { spans: kept, rejected } = decodeJsonTraces(Buffer.from(JSON.stringify(body)));
    expect(kept.map((s) => s.traceId)).toEqual(['5b8efff798038103d269b633813fc60c']);
    expect(rejected).toEqual([expect.objectContaining({ reason: expect.stringMatching(/traceId must be 16 bytes/) })]);
  });

  it('names a rejected span by the ids it was sent with, an id that is no string shown as JSON', () => {
    const span = { traceId: { high: 1 }, spanId: 7, startTimeUnixNano: '1', endTimeUnixNano: '2' };
    const { rejected } = decodeJsonTraces(Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] })));
    expect(rejected).toEqual([expect.objectContaining({ traceId: '{"high":1}', spanId: '7' })]);
  });
});
