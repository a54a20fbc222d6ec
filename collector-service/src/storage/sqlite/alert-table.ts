import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { Ack, Resolution, StoredAlert } from '../../alerts/alert';
import { checkAddress } from '../documents';
import { bigIntStatement, durableWrite } from './statements';
import { alertOfAmounts, storedAlertAmounts } from '../stored-alert';
import {
  type AlertEntry,
  type AlertHistory,
  type AlertHistoryQuery,
  ackedAtMs,
  alertOrderKey,
  NOT_ACKED_MS,
  readAsOf,
} from '../repositories/alerts.repository';

interface AlertRow {
  value_nanos: bigint | null;
  threshold_nanos: bigint | null;
  body: string;
  resolution: string | null;
  ack: string | null;
}

/**
 * The alert history in its table (schema migrations 12 and 16): one row per alert, its resolution and
 * acknowledgement beside it, its place in the history (`order_key`, see alertOrderKey) indexed per
 * tenant, so a page reads its own rows, and its value and threshold INTEGER columns of nano-USD.
 */
export class SqliteAlertHistory implements AlertHistory {
  constructor(
    private readonly db: DatabaseSync,
    /** Resolves when what was committed survives a power loss. */
    private readonly durable: () => Promise<void>,
  ) {}

  async insert(alert: StoredAlert): Promise<boolean> {
    checkAddress('alert', alert.tenant, alert.id);
    // The primary key decides: of any number of writers on this file, exactly one inserts.
    const sql =
      'INSERT INTO alert_history (tenant, id, order_key, acked_at_ms, value_nanos, threshold_nanos, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING';
    const { valueNanos, thresholdNanos, body } = storedAlertAmounts(alert);
    return this.write(sql, alert.tenant, alert.id, alertOrderKey(alert.firedAtMs, alert.id), NOT_ACKED_MS, valueNanos, thresholdNanos, body);
  }

  async get(tenant: string, id: string): Promise<StoredAlert | null> {
    checkAddress('alert', tenant, id);
    const row = this.read('SELECT value_nanos, threshold_nanos, body FROM alert_history WHERE tenant = ? AND id = ?').get(tenant, id) as AlertRow | undefined;
    return row ? alertOf(row) : null;
  }

  async page(tenant: string, q: AlertHistoryQuery): Promise<AlertEntry[]> {
    const where = ['tenant = ?'];
    const params: SQLInputValue[] = [tenant];
    if (q.state) where.push(q.state === 'resolved' ? 'resolution IS NOT NULL' : 'resolution IS NULL');
    if (q.read !== undefined) {
      where.push(q.read ? 'acked_at_ms <= ?' : 'acked_at_ms > ?');
      params.push(readAsOf(q));
    }
    if (q.after !== null) {
      where.push('order_key > ?');
      params.push(q.after);
    }
    const sql = `SELECT value_nanos, threshold_nanos, body, resolution, ack FROM alert_history WHERE ${where.join(' AND ')} ORDER BY order_key LIMIT ?`;
    const rows = this.read(sql).all(...params, q.limit) as unknown as AlertRow[];
    return rows.map((r) => ({
      alert: alertOf(r),
      resolution: r.resolution === null ? null : parse(r.resolution),
      ack: r.ack === null ? null : parse(r.ack),
    }));
  }

  async resolve(tenant: string, resolution: Resolution): Promise<boolean> {
    checkAddress('alert', tenant, resolution.alertId);
    const sql = 'UPDATE alert_history SET resolution = ? WHERE tenant = ? AND id = ? AND resolution IS NULL';
    return this.write(sql, JSON.stringify(resolution), tenant, resolution.alertId);
  }

  async resolution(tenant: string, id: string): Promise<Resolution | null> {
    return this.one<Resolution>('resolution', tenant, id);
  }

  async resolutions(tenant: string): Promise<Resolution[]> {
    return this.all<Resolution>('resolution', tenant);
  }

  async acknowledge(tenant: string, ack: Ack): Promise<boolean> {
    checkAddress('alert', tenant, ack.alertId);
    const sql = 'UPDATE alert_history SET ack = ?, acked_at_ms = ? WHERE tenant = ? AND id = ? AND ack IS NULL';
    return this.write(sql, JSON.stringify(ack), ackedAtMs(ack), tenant, ack.alertId);
  }

  async ack(tenant: string, id: string): Promise<Ack | null> {
    return this.one<Ack>('ack', tenant, id);
  }

  async acks(tenant: string): Promise<Ack[]> {
    return this.all<Ack>('ack', tenant);
  }

  private write(sql: string, ...params: SQLInputValue[]): Promise<boolean> {
    return durableWrite(this.db, this.durable, sql, ...params);
  }

  private read(sql: string) {
    return bigIntStatement(this.db, sql);
  }

  private one<T>(column: 'resolution' | 'ack', tenant: string, id: string): T | null {
    checkAddress('alert', tenant, id);
    const row = this.db.prepare(`SELECT ${column} AS json FROM alert_history WHERE tenant = ? AND id = ?`).get(tenant, id) as
      { json: string | null } | undefined;
    return row?.json ? parse<T>(row.json) : null;
  }

  private all<T>(column: 'resolution' | 'ack', tenant: string): T[] {
    const rows = this.db.prepare(`SELECT ${column} AS json FROM alert_history WHERE tenant = ? AND ${column} IS NOT NULL ORDER BY id`).all(tenant) as Array<{
      json: string;
    }>;
    return rows.map((r) => parse<T>(r.json));
  }
}

const parse = <T>(json: string): T => JSON.parse(json) as T;
const alertOf = (row: AlertRow) => alertOfAmounts({ valueNanos: row.value_nanos, thresholdNanos: row.threshold_nanos, body: row.body });
