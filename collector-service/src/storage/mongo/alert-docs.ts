import type { Collection, Filter } from 'mongodb';
import type { Ack, Resolution, StoredAlert } from '../../alerts/alert';
import { checkAddress } from '../documents';
import {
  type AlertEntry,
  type AlertHistory,
  type AlertHistoryQuery,
  ackedAtMs,
  alertOrderKey,
  NOT_ACKED_MS,
  readAsOf,
} from '../repositories/alerts.repository';
import { insertOnce } from './inserts';
import { alertOfAmounts, storedAlertAmounts } from '../stored-alert';

/** A fired alert in its collection, with what happened to it since and its place in the history (see alertOrderKey). */
export interface AlertDoc {
  /** JSON [tenant, id] */
  _id: string;
  tenant: string;
  id: string;
  order: string;
  /** When it was acknowledged, or NOT_ACKED_MS. */
  ackedAtMs: number;
  /**
   * The alert's value and threshold, Int64 of nano-USD (null: none, or one no 64-bit integer holds,
   * kept in the body). Absent on alerts stored before they were kept apart, until the store moves them.
   */
  valueNanos?: bigint | null;
  thresholdNanos?: bigint | null;
  /** The alert (less its amounts), its resolution and its acknowledgement as JSON; the last two null until they happen. */
  body: string;
  resolution: string | null;
  ack: string | null;
}

/** The one resolution or acknowledgement of an alert: the first insert of its `_id` wins. */
export interface AlertClaimDoc {
  /** JSON [tenant, id, part] */
  _id: string;
  body: string;
}

type Part = 'resolution' | 'ack';

const alertDocId = (tenant: string, id: string) => {
  checkAddress('alert', tenant, id);
  return JSON.stringify([tenant, id]);
};
const claimId = (tenant: string, id: string, part: Part) => {
  checkAddress('alert', tenant, id);
  return JSON.stringify([tenant, id, part]);
};
const parse = <T>(json: string): T => JSON.parse(json) as T;
const nanosOf = (amount: bigint | number | null | undefined) => (amount === null || amount === undefined ? null : BigInt(amount));
const alertOf = (doc: AlertDoc): StoredAlert =>
  alertOfAmounts({ valueNanos: nanosOf(doc.valueNanos), thresholdNanos: nanosOf(doc.thresholdNanos), body: doc.body });

/**
 * The alert history in collections of its own. An alert is one document, paged by a tenant and a
 * range of `order` (equality and range filters and a sort on one field: what FerretDB hands to its
 * backend). Its resolution and acknowledgement are decided by a duplicate `_id` in the claims (the
 * one atomic decision FerretDB makes without transactions), then copied onto the alert for the
 * pages; a writer that stopped between the two has its copy made by the next attempt.
 */
export class MongoAlertHistory implements AlertHistory {
  constructor(
    private readonly alerts: Collection<AlertDoc>,
    private readonly claims: Collection<AlertClaimDoc>,
  ) {}

  insert(alert: StoredAlert): Promise<boolean> {
    const { tenant, id } = alert;
    const doc: AlertDoc = {
      _id: alertDocId(tenant, id),
      tenant,
      id,
      order: alertOrderKey(alert.firedAtMs, id),
      ackedAtMs: NOT_ACKED_MS,
      ...storedAlertAmounts(alert),
      resolution: null,
      ack: null,
    };
    return insertOnce(this.alerts, doc);
  }

  async get(tenant: string, id: string): Promise<StoredAlert | null> {
    const found = await this.alerts.findOne({ _id: alertDocId(tenant, id) });
    return found ? alertOf(found) : null;
  }

  async page(tenant: string, q: AlertHistoryQuery): Promise<AlertEntry[]> {
    const filter: Filter<AlertDoc> = { tenant };
    if (q.state) filter.resolution = q.state === 'resolved' ? { $ne: null } : null;
    if (q.read !== undefined) filter.ackedAtMs = q.read ? { $lte: readAsOf(q) } : { $gt: readAsOf(q) };
    if (q.after !== null) filter.order = { $gt: q.after };
    const docs = await this.alerts.find(filter).sort({ order: 1 }).limit(q.limit).toArray();
    return docs.map((d) => ({
      alert: alertOf(d),
      resolution: d.resolution === null ? null : parse(d.resolution),
      ack: d.ack === null ? null : parse(d.ack),
    }));
  }

  async resolve(tenant: string, resolution: Resolution): Promise<boolean> {
    return this.claim(tenant, resolution.alertId, 'resolution', JSON.stringify(resolution));
  }

  resolution(tenant: string, id: string): Promise<Resolution | null> {
    return this.claimed<Resolution>(tenant, id, 'resolution');
  }

  async resolutions(tenant: string): Promise<Resolution[]> {
    const docs = await this.alerts
      .find({ tenant, resolution: { $ne: null } })
      .sort({ id: 1 })
      .toArray();
    return docs.map((d) => parse<Resolution>(d.resolution!));
  }

  async acknowledge(tenant: string, ack: Ack): Promise<boolean> {
    return this.claim(tenant, ack.alertId, 'ack', JSON.stringify(ack));
  }

  ack(tenant: string, id: string): Promise<Ack | null> {
    return this.claimed<Ack>(tenant, id, 'ack');
  }

  async acks(tenant: string): Promise<Ack[]> {
    const docs = await this.alerts
      .find({ tenant, ack: { $ne: null } })
      .sort({ id: 1 })
      .toArray();
    return docs.map((d) => parse<Ack>(d.ack!));
  }

  /**
   * Alerts stored before their amounts were kept apart hold them in the body as decimal strings: each
   * has them moved into integers of its own (what a new alert gets). Idempotent: two instances moving
   * one alert at once write the same.
   */
  async moveAmountsOutOfBodies(): Promise<void> {
    for await (const doc of this.alerts.find({ valueNanos: { $exists: false } })) {
      const amounts = storedAlertAmounts(alertOf(doc));
      await this.alerts.updateOne({ _id: doc._id, valueNanos: { $exists: false } }, { $set: amounts });
    }
  }

  /**
   * Claims the part of a stored alert with `body`; true for the one caller whose claim was stored.
   * Every caller then copies the stored claim onto the alert (the winner's, whoever wins).
   */
  private async claim(tenant: string, id: string, part: Part, body: string): Promise<boolean> {
    const _id = alertDocId(tenant, id);
    if ((await this.alerts.countDocuments({ _id }, { limit: 1 })) === 0) return false;
    const won = await insertOnce(this.claims, { _id: claimId(tenant, id, part), body });
    const stored = won ? body : (await this.claims.findOne({ _id: claimId(tenant, id, part) }))?.body;
    if (stored === undefined) return false;
    const copied = part === 'ack' ? { ackedAtMs: ackedAtMs(parse<Ack>(stored)) } : {};
    await this.alerts.updateOne({ _id }, { $set: { [part]: stored, ...copied } });
    return won;
  }

  private async claimed<T>(tenant: string, id: string, part: Part): Promise<T | null> {
    const found = await this.claims.findOne({ _id: claimId(tenant, id, part) });
    return found ? parse<T>(found.body) : null;
  }
}
