import type { DatabaseSync } from 'node:sqlite';
import type { OpenAlert } from '../../alerts/alert';
import { checkAddress } from '../documents';
import type { OpenAlerts } from '../repositories/alerts.repository';

interface OpenRow {
  id: string;
  rule_id: string;
  fired_at_ms: number;
  delivered: number;
}

const openOf = (row: OpenRow): OpenAlert => ({ ruleId: row.rule_id, firedAtMs: row.fired_at_ms, delivered: row.delivered === 1 });

/** The open index of firing alerts and the redelivery claims, in tables of their own (schema migration 21). */
export class SqliteOpenAlerts implements OpenAlerts {
  constructor(
    private readonly db: DatabaseSync,
    /** Resolves when what was committed survives a power loss. */
    private readonly durable: () => Promise<void>,
  ) {}

  async putOpen(tenant: string, id: string, open: OpenAlert): Promise<void> {
    checkAddress('open alert', tenant, id);
    this.db
      .prepare(
        `INSERT INTO open_alerts (tenant, id, rule_id, fired_at_ms, delivered) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, id) DO UPDATE SET rule_id = excluded.rule_id, fired_at_ms = excluded.fired_at_ms, delivered = excluded.delivered`,
      )
      .run(tenant, id, open.ruleId, open.firedAtMs, open.delivered ? 1 : 0);
    await this.durable();
  }

  async getOpen(tenant: string, id: string): Promise<OpenAlert | null> {
    checkAddress('open alert', tenant, id);
    const row = this.db.prepare('SELECT id, rule_id, fired_at_ms, delivered FROM open_alerts WHERE tenant = ? AND id = ?').get(tenant, id) as
      OpenRow | undefined;
    return row ? openOf(row) : null;
  }

  async listOpen(tenant: string): Promise<Array<{ id: string; open: OpenAlert }>> {
    const rows = this.db
      .prepare('SELECT id, rule_id, fired_at_ms, delivered FROM open_alerts WHERE tenant = ? ORDER BY id')
      .all(tenant) as unknown as OpenRow[];
    return rows.map((row) => ({ id: row.id, open: openOf(row) }));
  }

  async deleteOpen(tenant: string, id: string): Promise<void> {
    checkAddress('open alert', tenant, id);
    this.db.prepare('DELETE FROM open_alerts WHERE tenant = ? AND id = ?').run(tenant, id);
    await this.durable();
  }

  async claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean> {
    checkAddress('alert redelivery', tenant, id);
    // The primary key decides: of any number of writers on this file, exactly one inserts.
    const claimed =
      Number(this.db.prepare('INSERT INTO alert_redeliveries (tenant, id, at_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(tenant, id, atMs).changes) === 1;
    await this.durable();
    return claimed;
  }
}
