import type { ReportAnswer, StoredCall } from './support/collector-api';
import type { CollectorProcess } from './support/collector';
import { runAppPricedByCollector } from './support/priced-app';
import { REQUIRE_HOOK } from './support/run-app';

jest.setTimeout(180_000);

/**
 * A Gemini batch whose requests and results are files, through the register hook alone: the real
 * @google/genai against the mock server, exported to the real collector, which prices each result.
 * Expected costs are worked out from the published rates cited beside them and the mock's documented
 * usage rules.
 */
describe('a Gemini batch run from an uploaded file, its results downloaded, priced by the real collector', () => {
  let collector: CollectorProcess;
  let records: StoredCall[];
  let output: Record<string, unknown>;
  let stop = async () => {};
  beforeAll(async () => {
    ({ collector, output, records, stop } = await runAppPricedByCollector(REQUIRE_HOOK, 'gemini-batch-file-app.cjs'));
  });
  afterAll(() => stop());

  it('ran the batch as the SDK reports it: three results, downloaded twice', () => {
    // mock: 10 + 40 / 4 = 20, 10 + 2 / 4 = 10 and 10 + 80 / 4 = 30 prompt tokens.
    expect(output).toEqual({
      results: [
        [20, 10, 30],
        [20, 10, 30],
      ],
    });
  });

  it('prices each line of the results file once at the batch rate, attributed to the job and as when it was created', () => {
    // https://ai.google.dev/gemini-api/docs/batch-mode: half of Gemini 2.5 Flash's $0.30 in / $2.50 out (https://ai.google.dev/gemini-api/docs/pricing).
    // 20 in + 3 out: (6 + 7.5) / 2 = 6.75 µ$; 10 + 3: (3 + 7.5) / 2 = 5.25 µ$; 30 + 3: (9 + 7.5) / 2 = 8.25 µ$.
    expect(records.map((r) => r.costNanos).sort()).toEqual(['5250', '6750', '8250']);
    for (const r of records)
      expect(r).toMatchObject({
        model: 'gemini-2.5-flash',
        operation: 'generate_content',
        batch: true,
        batchId: expect.stringMatching(/^batches\//),
        user: 'bob',
        feature: 'nightly',
        tags: { batch: 'summaries' },
      });
    expect(new Set(records.map((r) => r.batchId)).size).toBe(1);
  });

  it('counts uploading, creating, polling and downloading as no calls', async () => {
    const summary = (await collector.api<ReportAnswer<'breakdown'>>('/v1/reports/breakdown?period=all&by=model')).body;
    expect(summary.items.map((i) => [i.key, i.costNanos, i.calls])).toEqual([['gemini-2.5-flash', String(5250 + 6750 + 8250), 3]]);
  });
});
