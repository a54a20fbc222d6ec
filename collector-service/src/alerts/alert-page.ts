import { badField } from '../channels/field-error';
import { type AlertEntry, type AlertHistoryQuery, alertOrderKey } from '../storage/repositories/alerts.repository';
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
 * starting after the cursor, read from the store a page at a time by `history` (in the store's order,
 * see AlertHistoryQuery): one pass over the alerts, or the unread ones, then the read ones.
 */
export async function alertPage(
  query: AlertListQuery,
  history: (q: AlertHistoryQuery) => Promise<AlertEntry[]>,
  nowMs = Date.now(),
): Promise<{ entries: AlertEntry[]; nextCursor: string | null }> {
  const asOfMs = query.cursor?.asOfMs ?? nowMs;
  const isRead = (e: AlertEntry) => e.ack !== null && e.ack.ackedAtMs <= asOfMs;
  const cursor = query.cursor;
  // Each pass lists the alerts of one read state (undefined: both), in the store's order.
  const passes: Array<boolean | undefined> = query.unreadOnly ? [false] : query.unreadFirst ? [false, true] : [undefined];
  const want = query.limit + 1; // one more than the page: whether a next page exists
  const listed: AlertEntry[] = [];
  for (const read of passes) {
    // With unread ones first, a cursor among the read ones is past every unread one; one among the
    // unread ones leaves every read one to come.
    const sameRun = read === undefined || !query.unreadFirst || cursor?.read === read;
    if (query.unreadFirst && read === false && cursor?.read === true) continue;
    const after = cursor && sameRun ? alertOrderKey(cursor.firedAtMs, cursor.id) : null;
    listed.push(...(await history({ state: query.state, read, asOfMs, after, limit: want - listed.length })));
    if (listed.length >= want) break;
  }
  const page = listed.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    listed.length > page.length && last
      ? encodeCursor({ asOfMs, query: signature(query), read: isRead(last), firedAtMs: last.alert.firedAtMs, id: last.alert.id })
      : null;
  return { entries: page, nextCursor };
}
