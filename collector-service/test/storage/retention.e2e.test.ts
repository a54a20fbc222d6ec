import { RetentionService } from '../../src/storage/retention.service';
import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { startCollector } from '../support/app';
import { record } from '../support/records';

describe('retention of raw records', () => {
  it('deletes raw records older than TOKENLEDGER_RETENTION_DAYS and keeps reports exact', async () => {
    const c = await startCollector({ TOKENLEDGER_RETENTION_DAYS: '30' });
    try {
      const now = Date.UTC(2026, 10, 24);
      const old = record({ timeMs: now - 31 * 86_400_000, costNanos: 5n });
      const recent = record({ timeMs: now - 29 * 86_400_000, costNanos: 7n });
      await c.app.get<StoragePort>(STORAGE).ingest([old, recent]);
      expect(await c.app.get(RetentionService).purge(now)).toBe(1);
      const usage = (await (await fetch(`${c.url}/v1/reports/usage?period=all`)).json()) as { records: { id: string }[] };
      expect(usage.records.map((r) => r.id)).toEqual([recent.id]);
      const summary = (await (await fetch(`${c.url}/v1/reports/summary?period=all`)).json()) as { totalCostNanos: string; calls: number };
      expect(summary).toMatchObject({ totalCostNanos: '12', calls: 2 });
    } finally {
      await c.close();
    }
  });
});
