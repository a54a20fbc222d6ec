import type { Collection } from 'mongodb';
import type { OpenAlert } from '../../alerts/alert';
import { checkAddress } from '../documents';
import type { OpenAlerts } from '../repositories/alerts.repository';
import { insertOnce, upsert } from './inserts';

/** An entry of the open index: `_id` JSON [tenant, id]. */
export interface OpenAlertDoc extends OpenAlert {
  _id: string;
  tenant: string;
  id: string;
}

/** The one claim to deliver an alert again: the first insert of its `_id` (JSON [tenant, id]) wins. */
export interface RedeliveryDoc {
  _id: string;
  atMs: number;
}

const docId = (what: string, tenant: string, id: string) => {
  checkAddress(what, tenant, id);
  return JSON.stringify([tenant, id]);
};

const openOf = (doc: OpenAlertDoc): OpenAlert => ({ ruleId: doc.ruleId, firedAtMs: Number(doc.firedAtMs), delivered: doc.delivered });

/** The open index of firing alerts and the redelivery claims, in collections of their own. */
export class MongoOpenAlerts implements OpenAlerts {
  constructor(
    private readonly open: Collection<OpenAlertDoc>,
    private readonly redeliveries: Collection<RedeliveryDoc>,
  ) {}

  async putOpen(tenant: string, id: string, open: OpenAlert): Promise<void> {
    await upsert(this.open, docId('open alert', tenant, id), this.docOf(tenant, id, open));
  }

  /** Stores the entry unless the tenant has one of that id (written since): what moving an old one does. */
  addOpen(tenant: string, id: string, open: OpenAlert): Promise<boolean> {
    return insertOnce(this.open, { _id: docId('open alert', tenant, id), ...this.docOf(tenant, id, open) });
  }

  async getOpen(tenant: string, id: string): Promise<OpenAlert | null> {
    const found = await this.open.findOne({ _id: docId('open alert', tenant, id) });
    return found ? openOf(found) : null;
  }

  async listOpen(tenant: string): Promise<Array<{ id: string; open: OpenAlert }>> {
    const docs = await this.open.find({ tenant }).sort({ id: 1 }).toArray();
    return docs.map((d) => ({ id: d.id, open: openOf(d) }));
  }

  async deleteOpen(tenant: string, id: string): Promise<void> {
    await this.open.deleteOne({ _id: docId('open alert', tenant, id) });
  }

  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean> {
    // A duplicate _id fails on MongoDB and FerretDB alike, without transactions: one insert wins.
    return insertOnce(this.redeliveries, { _id: docId('alert redelivery', tenant, id), atMs });
  }

  private docOf(tenant: string, id: string, open: OpenAlert): Omit<OpenAlertDoc, '_id'> {
    return { tenant, id, ruleId: open.ruleId, firedAtMs: open.firedAtMs, delivered: open.delivered };
  }
}
