// The OTLP trace requests the fuzzers start from, as OTLP/JSON objects (ids in hex): a few real-shaped
// GenAI requests to mutate (service "fuzz-mutant") and the valid control requests sent between the
// cases (gpt-4o chats of their own service), whose every span must be counted to the nano.
// Only Node's built-ins: the bench loads this from source.

export interface Random {
  next(): number;
  below(n: number): number;
}

export const pick = <T>(random: Random, items: readonly T[]): T => items[random.below(items.length)];

const hex = (random: Random, bytes: number) => Array.from({ length: bytes }, () => random.below(256).toString(16).padStart(2, '0')).join('');

type Attribute = { key: string; value: Record<string, unknown> };
const str = (key: string, v: string): Attribute => ({ key, value: { stringValue: v } });
const int = (key: string, v: number): Attribute => ({ key, value: { intValue: String(v) } });

/** A span of a call, `atMs` ago-ish, with the given attributes. */
function span(random: Random, atMs: number, name: string, attributes: Attribute[], extra: Record<string, unknown> = {}) {
  const start = BigInt(atMs) * 1_000_000n;
  return {
    traceId: hex(random, 16),
    spanId: hex(random, 8),
    name,
    kind: 3,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt(1 + random.below(30_000)) * 1_000_000n),
    attributes,
    ...extra,
  };
}

const resource = (service: string, more: Attribute[] = []) => ({ attributes: [str('service.name', service), ...more] });

/** The requests every mutation starts from: each shape the collector reads, of service "fuzz-mutant". */
export function mutationBases(random: Random, atMs: number): Record<string, unknown>[] {
  const chat = () =>
    span(random, atMs, 'chat gpt-4o', [
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.provider.name', 'openai'),
      str('gen_ai.request.model', 'gpt-4o'),
      str('gen_ai.response.model', 'gpt-4o-2024-08-06'),
      int('gen_ai.usage.input_tokens', 1500),
      int('gen_ai.usage.output_tokens', 2000),
      str('user.id', 'alice'),
    ]);
  const cached = () =>
    span(random, atMs, 'chat claude', [
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.provider.name', 'anthropic'),
      str('gen_ai.request.model', 'claude-3-5-sonnet-20241022'),
      int('gen_ai.usage.input_tokens', 1500),
      int('gen_ai.usage.cache_read.input_tokens', 1000),
      int('gen_ai.usage.cache_creation.input_tokens', 200),
      int('gen_ai.usage.output_tokens', 2000),
      str('gen_ai.agent.id', 'planner'),
      { key: 'tokenledger.tags', value: { kvlistValue: { values: [str('team', 'search'), str('feature', 'summaries')] } } },
    ]);
  const gemini = () =>
    span(
      random,
      atMs,
      'generate_content gemini',
      [
        str('gen_ai.operation.name', 'generate_content'),
        str('gen_ai.provider.name', 'gcp.gemini'),
        str('gen_ai.request.model', 'gemini-2.5-flash'),
        int('gen_ai.usage.input_tokens', 900),
        int('gen_ai.usage.output_tokens', 120),
        { key: 'gen_ai.request.temperature', value: { doubleValue: 0.2 } },
        { key: 'gen_ai.request.stream', value: { boolValue: true } },
        { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
        { key: 'gen_ai.prompt.hash', value: { bytesValue: 'AAECAwQ=' } },
      ],
      { parentSpanId: hex(random, 8), traceState: 'vendor=1', status: { code: 2, message: 'rate limited' }, flags: 1, droppedAttributesCount: 3 },
    );
  const embeddings = () =>
    span(random, atMs, 'embeddings', [
      str('gen_ai.operation.name', 'embeddings'),
      str('gen_ai.provider.name', 'openai'),
      str('gen_ai.request.model', 'text-embedding-3-small'),
      int('gen_ai.usage.input_tokens', 4000),
    ]);
  const http = () => span(random, atMs, 'GET /checkout', [str('http.request.method', 'GET')]);
  const scope = (name: string, spans: unknown[]) => ({ scope: { name, version: '0.1.0', attributes: [str('scope.kind', 'sdk')] }, spans });
  return [
    { resourceSpans: [{ resource: resource('fuzz-mutant'), scopeSpans: [scope('@tokenledger/instrumentation-openai', [chat()])] }] },
    {
      resourceSpans: [
        {
          resource: resource('fuzz-mutant', [str('tokenledger.tenant', 'acme')]),
          scopeSpans: [scope('@tokenledger/instrumentation-anthropic', [cached(), http()])],
        },
      ],
    },
    {
      resourceSpans: [
        {
          resource: resource('fuzz-mutant'),
          scopeSpans: [scope('@tokenledger/instrumentation-google-genai', [gemini(), chat()]), scope('other', [http()])],
          schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
        },
        {
          resource: resource('fuzz-mutant', [int('process.pid', 42)]),
          scopeSpans: [scope('@tokenledger/instrumentation-openai', [embeddings(), chat(), cached()])],
        },
      ],
    },
  ];
}

/** gpt-4o at $2.50 and $10 per million input and output tokens, in nano-USD per token. */
const GPT_4O_INPUT_NANOS = 2500n;
const GPT_4O_OUTPUT_NANOS = 10_000n;

/** A valid request of 1 to 4 gpt-4o chats of service `service`, and what they cost. */
export function controlRequest(random: Random, atMs: number, service: string): { request: Record<string, unknown>; spans: number; nanos: bigint } {
  const spans = [];
  let nanos = 0n;
  for (let i = 1 + random.below(4); i > 0; i--) {
    const input = random.below(100_000);
    const output = random.below(20_000);
    nanos += BigInt(input) * GPT_4O_INPUT_NANOS + BigInt(output) * GPT_4O_OUTPUT_NANOS;
    spans.push(
      span(random, atMs, 'chat gpt-4o', [
        str('gen_ai.operation.name', 'chat'),
        str('gen_ai.provider.name', 'openai'),
        str('gen_ai.request.model', 'gpt-4o'),
        int('gen_ai.usage.input_tokens', input),
        int('gen_ai.usage.output_tokens', output),
        str('user.id', `user-${random.below(20)}`),
      ]),
    );
  }
  return {
    request: { resourceSpans: [{ resource: resource(service), scopeSpans: [{ scope: { name: 'fuzz-control' }, spans }] }] },
    spans: spans.length,
    nanos,
  };
}

/** The same request with its ids as bytes, as a protobuf encoder takes them. */
export function withIdBytes(request: unknown): unknown {
  if (Array.isArray(request)) return request.map(withIdBytes);
  if (request === null || typeof request !== 'object') return request;
  return Object.fromEntries(
    Object.entries(request).map(([k, v]) => [
      k,
      (k === 'traceId' || k === 'spanId' || k === 'parentSpanId') && typeof v === 'string' ? Buffer.from(v, 'hex') : withIdBytes(v),
    ]),
  );
}
