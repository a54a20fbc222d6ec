import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestEvents, type StoredBatch } from '../../src/ingest/ingest-events';
import { summarise } from '../../src/ingest/stored-summary';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';
import { record } from '../support/records';

const NOON = Date.UTC(2026, 10, 24, 12, 0, 0);

describe("a stored batch's summary lines", () => {
  it('sum records alike in every scope and label field within one 15-minute bucket into one line, to the nano', () => {
    const lines = summarise([
      record({ timeMs: NOON, costNanos: 1n, tags: { team: 'a', env: 'prod' } }),
      record({ timeMs: NOON + 14 * 60_000, costNanos: 2n, tags: { env: 'prod', team: 'a' } }),
      record({ timeMs: NOON + 5 * 60_000, costNanos: null, unpricedReason: 'unknown_model', tags: { team: 'a', env: 'prod' } }),
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ tenant: 'default', user: 'alice', bucketMs: NOON, tags: { team: 'a', env: 'prod' } });
    expect(lines[0].sums).toMatchObject({ calls: 3, unpricedCalls: 1, costNanos: 3n, input: 4500 });
  });

  it('keep records of another bucket, tenant, user, scope value, tag set, status or cost type on lines of their own', () => {
    const base = { timeMs: NOON, costNanos: 1n };
    const lines = summarise([
      record(base),
      record({ ...base, timeMs: NOON + 15 * 60_000 }),
      record({ ...base, tenant: 'acme' }),
      record({ ...base, user: null }),
      record({ ...base, agent: 'support' }),
      record({ ...base, feature: 'search' }),
      record({ ...base, model: 'gpt-4o-mini' }),
      record({ ...base, service: 'billing' }),
      record({ ...base, tags: { team: 'a' } }),
      record({ ...base, status: 'error' }),
      record({ ...base, costType: 'embedding' }),
    ]);
    expect(lines).toHaveLength(11);
    expect(lines.every((line) => line.sums.calls === 1 && line.sums.costNanos === 1n)).toBe(true);
  });
});

describe('the stored event of an ingest call', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-stored-summary-'));
    store = new SqliteStore(join(dir, 'db.sqlite'));
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries the summary made where the batch was priced when every record was stored, and one of the records stored when some were already', async () => {
    const events = new IngestEvents();
    const seen: StoredBatch[] = [];
    events.onStored((batch) => seen.push(batch));
    const first = record({ costNanos: 10n });
    const second = record({ costNanos: 20n });

    const whole = summarise([first]);
    await events.storing([first], (batch) => store.ingest(batch), whole);
    expect(seen[0].lines).toBe(whole);

    await events.storing([first, second], (batch) => store.ingest(batch), summarise([first, second]));
    expect(seen[1].lines).toHaveLength(1);
    expect(seen[1].lines[0].sums).toMatchObject({ calls: 1, costNanos: 20n });

    await events.storing([first, second], (batch) => store.ingest(batch), summarise([first, second]));
    expect(seen).toHaveLength(2);
  });
});
