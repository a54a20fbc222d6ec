import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BudgetClock } from '../../src/budgets/budget-clock';
import { BudgetsService } from '../../src/budgets/budgets.service';
import { IngestEvents } from '../../src/ingest/ingest-events';
import { repositoriesOf } from '../../src/storage/repositories/repositories';
import { SqliteStore } from '../../src/storage/sqlite/sqlite.store';

/** A sync round seen by the budgets listing it starts with: when it started (on the fake clock), held until `release`. */
interface Round {
  startedMs: number;
  release: () => void;
}

describe('the budget sync on its timer', () => {
  let dir: string;
  let store: SqliteStore;
  let rounds: Round[];
  let service: BudgetsService;

  /**
   * A service over a real store whose every round (its first step lists the budgets) is held until
   * the test releases it, so a round lasts as long as the test says on the fake clock.
   */
  const start = async (budgetSyncMs: number) => {
    const repository = repositoriesOf(store).budgets;
    const listing: typeof repository = Object.assign(Object.create(repository) as typeof repository, {
      listAll: async () => {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        rounds.push({ startedMs: performance.now(), release });
        const listed = await repository.listAll();
        await held;
        return listed;
      },
    });
    service = new BudgetsService(store, listing, new IngestEvents(), new BudgetClock(), { budgetSyncMs });
    const init = service.onModuleInit();
    rounds[0].release(); // the start's own listing, not a round
    await init;
    return performance.now();
  };
  // What a released round does after its listing, and what a fired timer starts, are promise steps: a
  // turn of the event loop (not faked) runs them all.
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const advance = async (ms: number) => {
    await jest.advanceTimersByTimeAsync(ms);
    await settle();
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-budget-sync-'));
    store = new SqliteStore(join(dir, 'db.sqlite'));
    await store.init();
    rounds = [];
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
  });
  afterEach(async () => {
    for (const round of rounds) round.release();
    await service.onModuleDestroy();
    jest.useRealTimers();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts each round an interval after the one before started, and one that ran longer 100 ms after it ended, never while one runs', async () => {
    const startedMs = await start(1000);
    await advance(999);
    expect(rounds).toHaveLength(1);
    await advance(1);
    expect(rounds.map((r) => r.startedMs - startedMs)).toEqual([0, 1000]);

    // A round of 300 ms: the next starts 1000 ms after this one started, not 1000 ms after it ended.
    await advance(300);
    rounds[1].release();
    await settle();
    await advance(699);
    expect(rounds).toHaveLength(2);
    await advance(1);
    expect(rounds.map((r) => r.startedMs - startedMs)).toEqual([0, 1000, 2000]);

    // A round of 2500 ms: no round starts while it runs, and the next one 100 ms after it ends.
    await advance(2500);
    expect(rounds).toHaveLength(3);
    rounds[2].release();
    await settle();
    await advance(99);
    expect(rounds).toHaveLength(3);
    await advance(1);
    expect(rounds.map((r) => r.startedMs - startedMs)).toEqual([0, 1000, 2000, 4600]);
  });

  it('starts no round on a timer with an interval of 0, and runs the rounds it is asked for', async () => {
    await start(0);
    await advance(60_000);
    expect(rounds).toHaveLength(1);
    const round = service.sync();
    await settle();
    expect(rounds).toHaveLength(2);
    rounds[1].release();
    await round;
    await advance(60_000);
    expect(rounds).toHaveLength(2);
  });
});
