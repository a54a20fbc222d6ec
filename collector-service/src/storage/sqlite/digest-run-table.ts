import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { ChannelOutcome } from '../../channels/delivery.service';
import { checkAddress } from '../documents';
import { type DigestRun, type DigestRunsRepository, subscriptionOfRun } from '../repositories/digest-runs.repository';
import { digestRunOf, storedDigestRun } from '../stored-digest-run';
import { bigIntStatement, durableWrite } from './statements';

interface RunRow {
  total_nanos: bigint | null;
  previous_nanos: bigint | null;
  change_nanos: bigint | null;
  body: string;
}

const RUN_COLUMNS = 'total_nanos, previous_nanos, change_nanos, body';
const runOf = (row: RunRow) => digestRunOf({ totalNanos: row.total_nanos, previousNanos: row.previous_nanos, changeNanos: row.change_nanos, body: row.body });

/**
 * The digest runs in their tables (schema migration 23): each run once, its totals INTEGER columns of
 * nano-USD; when it was sent, the claim to send it again and each channel's outcome beside it, each
 * with the run's subscription, so a subscription's are read by their own rows.
 */
export class SqliteDigestRuns implements DigestRunsRepository {
  constructor(
    private readonly db: DatabaseSync,
    /** Resolves when what was committed survives a power loss. */
    private readonly durable: () => Promise<void>,
  ) {}

  async claim(tenant: string, run: DigestRun): Promise<boolean> {
    checkAddress('digest run', tenant, run.id);
    const { totalNanos, previousNanos, changeNanos, body } = storedDigestRun(run);
    // The primary key decides: of any number of writers on this file, exactly one inserts.
    return this.write(
      `INSERT INTO digest_runs (tenant, id, subscription_id, period_start_ms, ${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      tenant,
      run.id,
      run.subscriptionId,
      run.periodStartMs,
      totalNanos,
      previousNanos,
      changeNanos,
      body,
    );
  }

  async get(tenant: string, id: string): Promise<DigestRun | null> {
    checkAddress('digest run', tenant, id);
    const row = this.read(`SELECT ${RUN_COLUMNS} FROM digest_runs WHERE tenant = ? AND id = ?`).get(tenant, id) as RunRow | undefined;
    return row ? runOf(row) : null;
  }

  async ofSubscription(tenant: string, subscriptionId: string): Promise<DigestRun[]> {
    const sql = `SELECT ${RUN_COLUMNS} FROM digest_runs WHERE tenant = ? AND subscription_id = ? ORDER BY period_start_ms, id`;
    return (this.read(sql).all(tenant, subscriptionId) as unknown as RunRow[]).map(runOf);
  }

  async markSent(tenant: string, id: string, atMs: number): Promise<void> {
    checkAddress('digest run', tenant, id);
    await this.write(
      'INSERT INTO digest_sent (tenant, id, subscription_id, at_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      tenant,
      id,
      subscriptionOfRun(id),
      atMs,
    );
  }

  async sentAt(tenant: string, id: string): Promise<number | null> {
    checkAddress('digest run', tenant, id);
    const row = this.db.prepare('SELECT at_ms FROM digest_sent WHERE tenant = ? AND id = ?').get(tenant, id) as { at_ms: number } | undefined;
    return row?.at_ms ?? null;
  }

  async sentOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, number>> {
    const rows = this.db
      .prepare('SELECT id, at_ms FROM digest_sent WHERE tenant = ? AND subscription_id = ? ORDER BY id')
      .all(tenant, subscriptionId) as Array<{
      id: string;
      at_ms: number;
    }>;
    return new Map(rows.map((r) => [r.id, r.at_ms]));
  }

  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean> {
    checkAddress('digest run', tenant, id);
    return this.write('INSERT INTO digest_redeliveries (tenant, id, at_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', tenant, id, atMs);
  }

  async saveDelivery(tenant: string, runId: string, outcome: ChannelOutcome): Promise<void> {
    checkAddress('digest run', tenant, runId);
    await this.write(
      `INSERT INTO digest_deliveries (tenant, run_id, channel_id, subscription_id, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, run_id, channel_id) DO UPDATE SET body = excluded.body`,
      tenant,
      runId,
      outcome.channelId,
      subscriptionOfRun(runId),
      JSON.stringify(outcome),
    );
  }

  async deliveriesOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, ChannelOutcome[]>> {
    const sql = 'SELECT run_id, body FROM digest_deliveries WHERE tenant = ? AND subscription_id = ? ORDER BY run_id, channel_id';
    const byRun = new Map<string, ChannelOutcome[]>();
    for (const r of this.db.prepare(sql).all(tenant, subscriptionId) as Array<{ run_id: string; body: string }>) {
      byRun.set(r.run_id, [...(byRun.get(r.run_id) ?? []), JSON.parse(r.body) as ChannelOutcome]);
    }
    return byRun;
  }

  private write(sql: string, ...params: SQLInputValue[]): Promise<boolean> {
    return durableWrite(this.db, this.durable, sql, ...params);
  }

  private read(sql: string) {
    return bigIntStatement(this.db, sql);
  }
}
