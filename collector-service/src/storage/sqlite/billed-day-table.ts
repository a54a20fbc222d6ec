import type { DatabaseSync } from 'node:sqlite';
import type { BilledDay } from '../../billing/billed-day';
import { checkAddress } from '../documents';
import { billedDayOf, type BilledDaysRepository, type StoredBilledDay, storedBilledDay } from '../repositories/billed-days.repository';

interface DayRow {
  provider: StoredBilledDay['provider'];
  day: string;
  cost_nanos: bigint;
  rest: string;
}

interface LineRow {
  provider: string;
  day: string;
  item: string;
  model: string | null;
  cost_nanos: bigint;
}

/** Billed days in their table, each line in `billed_lines` (schema migration 19): every cost an INTEGER of nano-USD. */
export class SqliteBilledDays implements BilledDaysRepository {
  constructor(
    private readonly db: DatabaseSync,
    /** Resolves when what was committed survives a power loss. */
    private readonly durable: () => Promise<void>,
  ) {}

  async save(tenant: string, day: BilledDay): Promise<void> {
    checkAddress('billed day', tenant, `${day.provider}:${day.day}`);
    const d = storedBilledDay(tenant, day);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.db
        .prepare(
          `INSERT INTO billed_days (tenant, provider, day, cost_nanos, rest) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant, provider, day) DO UPDATE SET cost_nanos = excluded.cost_nanos, rest = excluded.rest`,
        )
        .run(tenant, d.provider, d.day, d.costNanos, d.rest);
      this.db.prepare('DELETE FROM billed_lines WHERE tenant = ? AND provider = ? AND day = ?').run(tenant, d.provider, d.day);
      const line = this.db.prepare('INSERT INTO billed_lines (tenant, provider, day, line, item, model, cost_nanos) VALUES (?, ?, ?, ?, ?, ?, ?)');
      d.lines.forEach((l, i) => line.run(tenant, d.provider, d.day, i, l.item, l.model, l.costNanos));
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
    await this.durable();
  }

  async list(tenant: string): Promise<BilledDay[]> {
    checkAddress('billed day', tenant, 'list');
    const days = this.read('SELECT provider, day, cost_nanos, rest FROM billed_days WHERE tenant = ? ORDER BY provider, day').all(
      tenant,
    ) as unknown as DayRow[];
    const lines = this.read('SELECT provider, day, item, model, cost_nanos FROM billed_lines WHERE tenant = ? ORDER BY provider, day, line').all(
      tenant,
    ) as unknown as LineRow[];
    const linesOf = new Map<string, StoredBilledDay['lines']>();
    for (const l of lines) {
      const key = `${l.provider}:${l.day}`;
      linesOf.set(key, [...(linesOf.get(key) ?? []), { item: l.item, model: l.model, costNanos: l.cost_nanos }]);
    }
    return days.map((r) =>
      billedDayOf({ provider: r.provider, day: r.day, costNanos: r.cost_nanos, lines: linesOf.get(`${r.provider}:${r.day}`) ?? [], rest: r.rest }),
    );
  }

  /** A read whose integers come back as bigint: an amount may pass what a double holds exactly. */
  private read(sql: string) {
    const statement = this.db.prepare(sql);
    statement.setReadBigInts(true);
    return statement;
  }
}
