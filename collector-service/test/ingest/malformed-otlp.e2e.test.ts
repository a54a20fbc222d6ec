import { ExportTraceServiceRequest } from '../../src/ingest/otlp-schema';
import { type RunningCollector, startCollector } from '../support/app';
import { jsonSpan } from '../support/otlp-json';
import { GPT_4O_CHAT } from '../support/spans';

const span = () => jsonSpan({ attributes: GPT_4O_CHAT });
const request = (scopeSpans: unknown, resource: unknown = { attributes: [] }) => ({ resourceSpans: [{ resource, scopeSpans }] });

/** OTLP/JSON of an AnyValue nested `depth` arrays deep, as text (too deep for JSON.stringify). */
const nestedJson = (depth: number) => `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"leaf"}${']}}'.repeat(depth)}`;

function varint(n: number): number[] {
  const bytes: number[] = [];
  for (; n >= 0x80; n >>>= 7) bytes.push((n & 0x7f) | 0x80);
  bytes.push(n);
  return bytes;
}
const field = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag, ...varint(content.length)]), content]);

/** A protobuf ExportTraceServiceRequest whose one span has an AnyValue nested `depth` arrays deep, built by hand. */
function nestedProtobuf(depth: number): Buffer<ArrayBuffer> {
  const leaf = field(0x0a, Buffer.from('leaf')); // AnyValue.string_value
  const headers: number[][] = [];
  let length = leaf.length;
  for (let i = 0; i < depth; i++) {
    const arrayValue = 1 + varint(length).length + length; // ArrayValue.values
    headers.push([0x2a, ...varint(arrayValue), 0x0a, ...varint(length)]); // AnyValue.array_value, then values
    length = 1 + varint(arrayValue).length + arrayValue;
  }
  const value = Buffer.concat([...headers.reverse().map((h) => Buffer.from(h)), leaf]);
  const keyValue = Buffer.concat([field(0x0a, Buffer.from('deep')), field(0x12, value)]);
  const span = Buffer.concat([field(0x0a, Buffer.alloc(16, 1)), field(0x12, Buffer.alloc(8, 1)), field(0x4a, keyValue)]);
  return field(0x0a, field(0x12, field(0x12, span))); // resource_spans { scope_spans { spans } }
}

describe('malformed OTLP bodies', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startCollector();
  });
  afterAll(() => c.close());

  const post = (body: string | Uint8Array<ArrayBuffer>, type = 'application/json') =>
    fetch(`${c.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': type } });

  it.each([
    ['a null span', request([{ spans: [null] }])],
    ['a span that is a number', request([{ spans: [5] }])],
    ['a null scopeSpans entry', request([null])],
    ['a null resourceSpans entry', { resourceSpans: [null] }],
    ['attributes that are not an array', request([{ spans: [{ ...span(), attributes: { key: 'x' } }] }])],
    ['a null attribute', request([{ spans: [{ ...span(), attributes: [null] }] }])],
    ['array values that are not an array', request([{ spans: [{ ...span(), attributes: [{ key: 'a', value: { arrayValue: { values: 5 } } }] }] }])],
    ['kvlist values that are not an array', request([{ spans: [{ ...span(), attributes: [{ key: 'a', value: { kvlistValue: { values: 'x' } } }] }] }])],
    ['a status that is a string', request([{ spans: [{ ...span(), status: 'error' }] }])],
    ['spans that are an object', request([{ spans: { 0: span() } }])],
  ])('answers 400 with a message for %s, and stays up', async (_what, body) => {
    const res = await post(JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: number; message: string }).message).toMatch(/\S/);
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
  });

  it('answers 400 for an AnyValue nested 10,000 deep, in JSON and in protobuf', async () => {
    const json = JSON.stringify(request([{ spans: [{ ...span(), attributes: [{ key: 'deep', value: 'DEEP' }] }] }])).replace('"DEEP"', nestedJson(10_000));
    const fromJson = await post(json);
    expect(fromJson.status).toBe(400);
    expect(((await fromJson.json()) as { message: string }).message).toMatch(/more than 32 deep/);
    const shallow = nestedProtobuf(3);
    expect(ExportTraceServiceRequest.decode(shallow).toJSON()).toMatchObject({
      resourceSpans: [{ scopeSpans: [{ spans: [{ attributes: [{ key: 'deep' }] }] }] }],
    });
    expect((await post(nestedProtobuf(10_000), 'application/x-protobuf')).status).toBe(400);
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
  });

  it('takes a null scope or resource as absent, as the OTLP/JSON mapping says, and stores the span', async () => {
    expect((await post(JSON.stringify(request([{ scope: null, spans: [span()] }], null)))).status).toBe(200);
    const summary = (await (await fetch(`${c.url}/v1/reports/summary?period=all`)).json()) as { calls: number };
    expect(summary.calls).toBe(1);
  });
});
