import type { Ack, OpenAlert, Resolution, StoredAlert } from '../../alerts/alert';

/** One alert of a tenant's history: the alert, its resolution and its acknowledgement (null: none yet). */
export interface AlertEntry {
  alert: StoredAlert;
  resolution: Resolution | null;
  ack: Ack | null;
}

/**
 * A page of a tenant's alert history, read in the store: in order of `alertOrderKey` (newest first,
 * then by id), after the key `after`, at most `limit` alerts.
 */
export interface AlertHistoryQuery {
  state?: 'firing' | 'resolved';
  /** Only the alerts acknowledged at or before `asOfMs` (true), or only the others (false); unset: both. */
  read?: boolean;
  asOfMs: number;
  /** The order key of the last alert of the page before; null: from the newest. */
  after: string | null;
  limit: number;
}

/**
 * Fired alerts and what happens to them, kept together in a table (collection) of their own: each
 * alert, its resolution and its acknowledgement is written once (the first writer wins, across
 * instances), and the history is paged in the store.
 */
export interface AlertHistory {
  /** Stores a fired alert; false when an alert of that id was already stored (here or in another instance). */
  insert(alert: StoredAlert): Promise<boolean>;
  get(tenant: string, id: string): Promise<StoredAlert | null>;
  /** One page of the tenant's history (see AlertHistoryQuery). */
  page(tenant: string, query: AlertHistoryQuery): Promise<AlertEntry[]>;

  /** Stores the resolution of a stored alert once; false when the alert was resolved before (or is not stored). */
  resolve(tenant: string, resolution: Resolution): Promise<boolean>;
  resolution(tenant: string, id: string): Promise<Resolution | null>;
  resolutions(tenant: string): Promise<Resolution[]>;

  /** Stores the acknowledgement of a stored alert once; false when it was acknowledged before (the first one is kept) or is not stored. */
  acknowledge(tenant: string, ack: Ack): Promise<boolean>;
  ack(tenant: string, id: string): Promise<Ack | null>;
  acks(tenant: string): Promise<Ack[]>;
}

/** The open index lists a tenant's firing alerts for the next evaluation; a redelivery is claimed once. */
export interface OpenAlerts {
  /** Adds or replaces an entry of the open index. */
  putOpen(tenant: string, id: string, open: OpenAlert): Promise<void>;
  getOpen(tenant: string, id: string): Promise<OpenAlert | null>;
  listOpen(tenant: string): Promise<Array<{ id: string; open: OpenAlert }>>;
  deleteOpen(tenant: string, id: string): Promise<void>;
  /** The one claim to deliver an abandoned alert again: true for exactly one caller. */
  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean>;
}

export type AlertsRepository = AlertHistory & OpenAlerts;

/** The latest an alert can be acknowledged, and what an alert not acknowledged keeps as its time. */
export const NOT_ACKED_MS = Number.MAX_SAFE_INTEGER;

/**
 * Where an alert sits in its tenant's history, as one string both stores sort and compare (a simple
 * range of their index, no `$or`): newest first (the time counted down from the latest one, in a
 * fixed width), then by id.
 */
export function alertOrderKey(firedAtMs: number, id: string): string {
  if (!Number.isSafeInteger(firedAtMs) || firedAtMs < 0) throw new RangeError(`alert ${id}: firedAtMs must be a whole number of ms from 0, got ${firedAtMs}`);
  return String(NOT_ACKED_MS - firedAtMs).padStart(16, '0') + id;
}

/** The time a read alert's acknowledgement is at most: `asOfMs`, below the time of the alerts not acknowledged. */
export const readAsOf = (q: AlertHistoryQuery) => Math.min(q.asOfMs, NOT_ACKED_MS - 1);

/** The time an acknowledgement is kept at for paging: below NOT_ACKED_MS. */
export const ackedAtMs = (ack: Ack) => Math.min(ack.ackedAtMs, NOT_ACKED_MS - 1);

/** Whether a document of the open index's old kind holds an entry as the versions before wrote it. */
export function isOpenAlert(body: unknown): body is OpenAlert {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const open = body as Record<string, unknown>;
  return typeof open.ruleId === 'string' && Number.isSafeInteger(open.firedAtMs) && typeof open.delivered === 'boolean';
}

/** The alerts repository: the history and the open index, each in its table (collection). */
export class StoreAlerts implements AlertsRepository {
  constructor(
    private readonly history: AlertHistory,
    private readonly open: OpenAlerts,
  ) {}

  putOpen(tenant: string, id: string, open: OpenAlert): Promise<void> {
    return this.open.putOpen(tenant, id, open);
  }

  getOpen(tenant: string, id: string): Promise<OpenAlert | null> {
    return this.open.getOpen(tenant, id);
  }

  listOpen(tenant: string): Promise<Array<{ id: string; open: OpenAlert }>> {
    return this.open.listOpen(tenant);
  }

  deleteOpen(tenant: string, id: string): Promise<void> {
    return this.open.deleteOpen(tenant, id);
  }

  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean> {
    return this.open.claimRedelivery(tenant, id, atMs);
  }

  insert(alert: StoredAlert): Promise<boolean> {
    return this.history.insert(alert);
  }

  get(tenant: string, id: string): Promise<StoredAlert | null> {
    return this.history.get(tenant, id);
  }

  page(tenant: string, query: AlertHistoryQuery): Promise<AlertEntry[]> {
    return this.history.page(tenant, query);
  }

  resolve(tenant: string, resolution: Resolution): Promise<boolean> {
    return this.history.resolve(tenant, resolution);
  }

  resolution(tenant: string, id: string): Promise<Resolution | null> {
    return this.history.resolution(tenant, id);
  }

  resolutions(tenant: string): Promise<Resolution[]> {
    return this.history.resolutions(tenant);
  }

  acknowledge(tenant: string, ack: Ack): Promise<boolean> {
    return this.history.acknowledge(tenant, ack);
  }

  ack(tenant: string, id: string): Promise<Ack | null> {
    return this.history.ack(tenant, id);
  }

  acks(tenant: string): Promise<Ack[]> {
    return this.history.acks(tenant);
  }
}
