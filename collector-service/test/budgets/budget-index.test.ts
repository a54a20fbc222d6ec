import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BudgetClock } from '../../src/budgets/budget-clock';
import { BudgetIndex } from '../../src/budgets/budget-index';
import { BudgetsService } from '../../src/budgets/budgets.service';
import { IngestEvents } from '../../src/ingest/ingest-events';
import { repositoriesOf } from '../../src/storage/repositories/repositories';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';

describe('the budgets index a check matches against', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-budget-index-'));
    store = new SqliteStore(join(dir, 'db.sqlite'));
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an unchanged budget the same object across syncs, so what is kept per budget lasts, and takes a changed one anew', async () => {
    const repository = repositoriesOf(store).budgets;
    // Another instance writes the budgets; this one's index learns them on its syncs.
    const writer = new BudgetsService(store, repository, new IngestEvents(), new BudgetClock(), { budgetSyncMs: 0 });
    const month = await writer.create('acme', { name: 'month', scope: {}, period: 'month', timezone: 'Europe/Madrid', limitUsd: '100', action: 'block' });
    const day = await writer.create('acme', { name: 'day', scope: {}, period: 'day', limitUsd: '10', action: 'notify' });
    const index = new BudgetIndex(repository);
    await index.reload();
    const [before] = [...index.of('acme')].filter((b) => b.id === month.id);

    expect(await index.reload()).toEqual([]);
    expect([...index.of('acme')].find((b) => b.id === month.id)).toBe(before);

    await writer.update('acme', month.id, { limitUsd: '200' });
    expect(await index.reload()).toEqual([{ tenant: 'acme', id: month.id }]);
    const after = [...index.of('acme')].find((b) => b.id === month.id)!;
    expect(after).not.toBe(before);
    expect(after.limitNanos).toBe('200000000000');
    expect([...index.of('acme')].map((b) => b.id).sort()).toEqual([month.id, day.id].sort());
  });

  it("keeps this process's own writes made while a sync lists the store, which may have listed before them", async () => {
    const repository = repositoriesOf(store).budgets;
    // The sync's listing is taken from the store at once, and held before it is answered.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const listing: typeof repository = Object.assign(Object.create(repository) as typeof repository, {
      listAll: async () => {
        const listed = await repository.listAll();
        await held;
        return listed;
      },
    });
    const service = new BudgetsService(store, listing, new IngestEvents(), new BudgetClock(), { budgetSyncMs: 0 });
    const gone = await service.create('acme', { name: 'gone', scope: {}, period: 'month', limitUsd: '1', action: 'notify' });
    const syncing = service.sync();
    await new Promise((resolve) => setImmediate(resolve));
    const created = await service.create('acme', { name: 'lee', scope: { user: 'lee' }, period: 'month', limitUsd: '0.06', action: 'block' });
    await service.remove('acme', gone.id);
    release();
    await syncing;
    // A check right after the sync matches the budget created during it, and not the one deleted.
    expect((await service.check('acme', { user: 'lee' })).budgets.map((b) => b.id)).toEqual([created.id]);
  });
});
