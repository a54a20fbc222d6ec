import {
  ACK_KIND,
  type Ack,
  ALERT_KIND,
  OPEN_KIND,
  type OpenAlert,
  REDELIVERY_KIND,
  RESOLUTION_KIND,
  type Resolution,
  type StoredAlert,
} from '../../alerts/alert';
import type { DocumentBody, DocumentStore } from '../storage.port';

/**
 * Fired alerts and what happens to them: each alert, its resolution and its acknowledgement is
 * written once (the first writer wins, across instances); the open index lists a tenant's firing
 * alerts for the next evaluation.
 */
export interface AlertsRepository {
  /** Stores a fired alert; false when an alert of that id was already stored (here or in another instance). */
  insert(alert: StoredAlert): Promise<boolean>;
  get(tenant: string, id: string): Promise<StoredAlert | null>;
  /** The tenant's whole history. */
  list(tenant: string): Promise<StoredAlert[]>;

  /** Adds or replaces an entry of the open index. */
  putOpen(tenant: string, id: string, open: OpenAlert): Promise<void>;
  getOpen(tenant: string, id: string): Promise<OpenAlert | null>;
  listOpen(tenant: string): Promise<Array<{ id: string; open: OpenAlert }>>;
  deleteOpen(tenant: string, id: string): Promise<void>;
  /** The one claim to deliver an abandoned alert again: true for exactly one caller. */
  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean>;

  /** Stores the resolution once; false when the alert was resolved before. */
  resolve(tenant: string, resolution: Resolution): Promise<boolean>;
  resolution(tenant: string, id: string): Promise<Resolution | null>;
  resolutions(tenant: string): Promise<Resolution[]>;

  /** Stores the acknowledgement once; false when the alert was acknowledged before (the first one is kept). */
  acknowledge(tenant: string, ack: Ack): Promise<boolean>;
  ack(tenant: string, id: string): Promise<Ack | null>;
  acks(tenant: string): Promise<Ack[]>;
}

/** The alerts repository on the store's documents, one kind for each part of an alert's life. */
export class DocumentAlerts implements AlertsRepository {
  constructor(private readonly documents: DocumentStore) {}

  insert(alert: StoredAlert): Promise<boolean> {
    return this.documents.insertOnce(ALERT_KIND, alert.tenant, alert.id, { ...alert });
  }

  get(tenant: string, id: string): Promise<StoredAlert | null> {
    return this.documents.getDocument<StoredAlert & DocumentBody>(ALERT_KIND, tenant, id);
  }

  async list(tenant: string): Promise<StoredAlert[]> {
    return this.bodies<StoredAlert>(ALERT_KIND, tenant);
  }

  putOpen(tenant: string, id: string, open: OpenAlert): Promise<void> {
    return this.documents.putDocument(OPEN_KIND, tenant, id, { ...open });
  }

  getOpen(tenant: string, id: string): Promise<OpenAlert | null> {
    return this.documents.getDocument<OpenAlert & DocumentBody>(OPEN_KIND, tenant, id);
  }

  async listOpen(tenant: string): Promise<Array<{ id: string; open: OpenAlert }>> {
    return (await this.documents.listDocuments<OpenAlert & DocumentBody>(OPEN_KIND, tenant)).map((e) => ({ id: e.id, open: e.doc }));
  }

  async deleteOpen(tenant: string, id: string): Promise<void> {
    await this.documents.deleteDocument(OPEN_KIND, tenant, id);
  }

  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean> {
    return this.documents.insertOnce(REDELIVERY_KIND, tenant, id, { atMs });
  }

  resolve(tenant: string, resolution: Resolution): Promise<boolean> {
    return this.documents.insertOnce(RESOLUTION_KIND, tenant, resolution.alertId, { ...resolution });
  }

  resolution(tenant: string, id: string): Promise<Resolution | null> {
    return this.documents.getDocument<Resolution & DocumentBody>(RESOLUTION_KIND, tenant, id);
  }

  resolutions(tenant: string): Promise<Resolution[]> {
    return this.bodies<Resolution>(RESOLUTION_KIND, tenant);
  }

  acknowledge(tenant: string, ack: Ack): Promise<boolean> {
    return this.documents.insertOnce(ACK_KIND, tenant, ack.alertId, { ...ack });
  }

  ack(tenant: string, id: string): Promise<Ack | null> {
    return this.documents.getDocument<Ack & DocumentBody>(ACK_KIND, tenant, id);
  }

  acks(tenant: string): Promise<Ack[]> {
    return this.bodies<Ack>(ACK_KIND, tenant);
  }

  private async bodies<T>(kind: string, tenant: string): Promise<T[]> {
    return (await this.documents.listDocuments<T & DocumentBody>(kind, tenant)).map((e) => e.doc);
  }
}
