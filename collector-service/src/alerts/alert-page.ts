import { badField } from '../channels/field-error';
import type { StoredAlert } from './alert';
import { sentText } from '../http/sent-text';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/** GET /v1/alerts: which alerts, in what order, and from where. */
export interface AlertListQuery {
  state?: 'firing' | 'resolved';
  unreadOnly: boolean;
  /** Unread alerts before read ones (each newest first), as an inbox shows them. */
  unreadFirst: boolean;
  limit: number;
  cursor: AlertCursor | null;
}

/**
 * Where the previous page ended. Within an order, an alert's place is fixed by when it fired and its
 * id, except that acknowledging moves it from the unread to the read ones: so acknowledgements made
 * after the first page (`asOfMs`, wall clock, as acknowledgements are stamped) do not count while
 * paging, and an alert read meanwhile is not listed twice. The query is part of the cursor: a cursor
 * only continues the listing it came from.
 */
interface AlertCursor {
  asOfMs: number;
  query: string;
  read: boolean;
  firedAtMs: number;
  id: string;
}

/** The query parameters of an alert listing, as sent. */
export type AlertQueryParameters = { state?: unknown; unreadOnly?: unknown; unreadFirst?: unknown; limit?: unknown; cursor?: unknown };

/** Checks the query string; a bad parameter is a 400 naming it. */
export function parseAlertQuery(q: AlertQueryParameters): AlertListQuery {
  const state = q.state;
  if (state !== undefined && state !== 'firing' && state !== 'resolved') throw badField('state', `must be firing or resolved, got "${sentText(state)}"`);
  const unreadOnly = flag(q, 'unreadOnly');
  const unreadFirst = flag(q, 'unreadFirst');
  const limit = q.limit === undefined ? DEFAULT_PAGE : /^\d+$/.test(sentText(q.limit)) ? Number(q.limit) : NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw badField('limit', `must be a whole number from 1 to ${MAX_PAGE}, got "${sentText(q.limit)}"`);
  const query: AlertListQuery = { state, unreadOnly, unreadFirst, limit, cursor: null };
  if (q.cursor !== undefined) query.cursor = decodeCursor(q.cursor, signature(query));
  return query;
}

function flag(q: AlertQueryParameters, name: 'unreadOnly' | 'unreadFirst'): boolean {
  const value = q[name];
  if (value !== undefined && value !== 'true' && value !== 'false') throw badField(name, `must be true or false, got "${sentText(value)}"`);
  return value === 'true';
}

/** What a cursor must have been made for: the filters and the order (not the page size). */
const signature = (q: AlertListQuery) => `${q.state ?? ''}|${q.unreadOnly}|${q.unreadFirst}`;

function decodeCursor(raw: unknown, query: string): AlertCursor {
  let cursor: Partial<AlertCursor> | null = null;
  try {
    if (typeof raw === 'string' && raw.length <= 1000) {
      // Typed as encodeCursor writes it; each field is checked below, as a client may send anything.
      const [asOfMs, q, read, firedAtMs, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<[number, string, boolean, number, string]>;
      cursor = { asOfMs, query: q, read, firedAtMs, id };
    }
  } catch {
    cursor = null;
  }
  if (
    !cursor ||
    !Number.isSafeInteger(cursor.asOfMs) ||
    typeof cursor.query !== 'string' ||
    typeof cursor.read !== 'boolean' ||
    !Number.isSafeInteger(cursor.firedAtMs) ||
    typeof cursor.id !== 'string'
  ) {
    throw badField('cursor', "is not a cursor this endpoint gave: pass a response's nextCursor back unchanged");
  }
  if (cursor.query !== query)
    throw badField('cursor', 'belongs to a listing with other state, unreadOnly or unreadFirst: keep them as they were for the next page');
  return cursor as AlertCursor;
}

const encodeCursor = (c: AlertCursor) => Buffer.from(JSON.stringify([c.asOfMs, c.query, c.read, c.firedAtMs, c.id])).toString('base64url');

/**
 * One page of alerts: filtered, ordered (unread first when asked, then newest first, then by id), and
 * starting after the cursor. `isResolved` and `ackedAtMs` say what happened to each alert.
 */
export function alertPage(
  alerts: StoredAlert[],
  query: AlertListQuery,
  isResolved: (id: string) => boolean,
  ackedAtMs: (id: string) => number | null,
  nowMs = Date.now(),
): { alerts: StoredAlert[]; nextCursor: string | null } {
  const asOfMs = query.cursor?.asOfMs ?? nowMs;
  const isRead = (a: StoredAlert) => {
    const at = ackedAtMs(a.id);
    return at !== null && at <= asOfMs;
  };
  const listed = alerts
    .filter((a) => !query.state || (query.state === 'resolved') === isResolved(a.id))
    .map((a) => ({ alert: a, read: isRead(a) }))
    .filter((e) => !query.unreadOnly || !e.read);
  const rank = (read: boolean) => (query.unreadFirst && read ? 1 : 0);
  const before = (x: { read: boolean; firedAtMs: number; id: string }, y: { read: boolean; firedAtMs: number; id: string }) =>
    rank(x.read) - rank(y.read) || y.firedAtMs - x.firedAtMs || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const key = (e: (typeof listed)[number]) => ({ read: e.read, firedAtMs: e.alert.firedAtMs, id: e.alert.id });
  const after = query.cursor;
  const rest = listed.filter((e) => !after || before(after, key(e)) < 0).sort((x, y) => before(key(x), key(y)));
  const page = rest.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = rest.length > page.length && last ? encodeCursor({ asOfMs, query: signature(query), ...key(last) }) : null;
  return { alerts: page.map((e) => e.alert), nextCursor };
}
