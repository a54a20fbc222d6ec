import { OtlpDecodeError } from '../../src/ingest/otlp-decode';
import { priceSpans } from '../../src/ingest/span-pricing';
import { SpanPricingPool } from '../../src/ingest/span-pricing.pool';
import { PricingService } from '../../src/pricing/pricing.service';
import { prepareMongoBatch, preparedRecords } from '../../src/storage/mongo/prepared-batch';
import { UsageService } from '../../src/usage/usage.service';
import { jsonSpan, jsonTraces } from '../support/otlp-json';
import { CLAUDE_CACHED_CHAT, GPT_4O_CHAT, HTTP_SPAN, otlpProtobufBody } from '../support/spans';

const usage = new UsageService(new PricingService({ pricesFile: null }));
const sender = { tenant: null, openMode: false };

describe('pricing OTLP requests on worker threads', () => {
  let pool: SpanPricingPool;
  beforeEach(() => {
    pool = new SpanPricingPool(usage, null, 2);
  });
  afterEach(() => pool.onModuleDestroy());

  it('answers every request of a burst exactly as pricing it on the event loop does, records, rejections and warnings alike', async () => {
    const bodies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        otlpProtobufBody(
          [
            { name: 'chat gpt-4o', attributes: { ...GPT_4O_CHAT, 'gen_ai.usage.input_tokens': 1000 + i } },
            { name: 'chat claude', attributes: { ...CLAUDE_CACHED_CHAT, 'tokenledger.cost.provided_usd': 'NaN' } },
            { name: 'chat invalid', attributes: { ...GPT_4O_CHAT, 'gen_ai.usage.output_tokens': -1 } },
            HTTP_SPAN,
          ],
          { 'service.name': 'checkout', 'tokenledger.tenant': `tenant-${i % 3}` },
        ),
      ),
    );
    const nowMs = Date.now();
    const answers = await Promise.all(bodies.map((body) => pool.price(body, 'protobuf', sender)));
    answers.forEach((answer, i) => {
      const inline = priceSpans(usage, bodies[i], 'protobuf', sender, nowMs);
      expect(answer).toEqual(inline);
      expect(answer.records.map((r) => [r.tenant, r.costNanos])).toEqual(inline.records.map((r) => [`tenant-${i % 3}`, r.costNanos]));
      expect(typeof answer.records[0].costNanos).toBe('bigint');
      expect(answer).toMatchObject({
        ignored: 1,
        rejected: [expect.anything()],
        warnings: [expect.objectContaining({ attribute: 'tokenledger.cost.provided_usd' })],
      });
    });
  });

  it('reads OTLP/JSON and puts every span of a tenant key into that tenant', async () => {
    const body = Buffer.from(jsonTraces([jsonSpan({ attributes: GPT_4O_CHAT })], { 'service.name': 'checkout', 'tokenledger.tenant': 'elsewhere' }));
    const answer = await pool.price(body, 'json', { tenant: 'acme', openMode: false });
    expect(answer.records).toEqual([expect.objectContaining({ tenant: 'acme', costNanos: 23_750_000n })]);
  });

  it('refuses a body that is not OTLP with the decoding error, and keeps answering after it', async () => {
    await expect(pool.price(Buffer.from('{"resourceSpans": 5}'), 'json', sender)).rejects.toThrow(new OtlpDecodeError('resourceSpans must be an array'));
    await expect(pool.price(Buffer.from('not protobuf at all'), 'protobuf', sender)).rejects.toBeInstanceOf(OtlpDecodeError);
    const answer = await pool.price(Buffer.from(jsonTraces([jsonSpan({ attributes: GPT_4O_CHAT })])), 'json', sender);
    expect(answer.records).toHaveLength(1);
  });

  it('prepares the records for the mongo store when asked, as the store itself would, and sends the batch without them', async () => {
    const mongo = new SpanPricingPool(usage, null, 1, 'mongo');
    try {
      const body = await otlpProtobufBody(
        [0, 1, 2].map((i) => ({ name: 'chat', attributes: { ...GPT_4O_CHAT, 'gen_ai.usage.input_tokens': 10 + i } })),
        { 'service.name': 'checkout', 'tokenledger.tenant': 'acme' },
      );
      const answer = await mongo.price(body, 'protobuf', sender);
      const { prepared, ...rest } = answer;
      const inline = priceSpans(usage, body, 'protobuf', sender);
      expect(inline.records).toHaveLength(3);
      // The records stay on the thread: the batch holds what the store needs of them.
      expect(rest).toEqual({ ...inline, records: [] });
      // Byte arrays cross threads as plain Uint8Arrays: compared by their bytes.
      const bytes = (p: unknown): unknown =>
        JSON.parse(JSON.stringify(p, (_, v: unknown) => (v instanceof Uint8Array ? [...v] : typeof v === 'bigint' ? `${v}n` : v)));
      expect(bytes(prepared)).toEqual(bytes(prepareMongoBatch(inline.records)));
      expect(prepared?.store === 'mongo' && preparedRecords(prepared)).toEqual(inline.records);
    } finally {
      await mongo.onModuleDestroy();
    }
  });
});
