import { useState } from 'react';
import { getJson, sendJson } from '../api';
import { Empty, Panel } from '../components/panel';
import { TableScroll } from '../components/table-scroll';
import { formatCount, formatPercent, formatUsd, formatUsdExact } from '../money';
import { useApi } from '../use-api';

/** An alert as GET /v1/alerts gives it. Money as exact USD strings. */
interface Alert {
  id: string;
  state: 'firing' | 'resolved';
  rule: string;
  severity: string;
  subject: string;
  /** For a budget alert: the budget's name as it is now (null once deleted), the user of a perUser budget, and the fraction of the limit reached. */
  budget: { id: string; name: string | null; user: string | null; threshold: number | null } | null;
  valueUsd: string | null;
  thresholdUsd: string | null;
  count: number | null;
  message: string;
  firedAt: string;
  acknowledged: boolean;
}

/** A page of GET /v1/alerts; `nextCursor` asks for the next one (null on the last). */
interface AlertPage {
  alerts?: Alert[];
  nextCursor?: string | null;
}

const unread = (a: Alert) => !a.acknowledged;
/** Unread first, the way the collector pages them, so each further page continues the list. */
const pageAfter = (cursor: string | null) => getJson<AlertPage>('/v1/alerts', { unreadFirst: 'true', cursor });
/** What crossed its threshold, in words: a budget by its name, not its id. */
function subject(a: Alert): string {
  if (!a.budget) return a.subject.replace(':', ' ');
  const name = a.budget.name === null ? 'a deleted budget' : `Budget “${a.budget.name}”`;
  const what = a.budget.threshold === null ? 'running out' : `at ${formatPercent(a.budget.threshold * 100)}`;
  return `${name}${a.budget.user === null ? '' : ` for user ${a.budget.user}`} ${what}`;
}
const value = (a: Alert) => (a.valueUsd !== null ? formatUsd(a.valueUsd) : a.count !== null ? formatCount(a.count) : '—');

/** Firing and resolved alerts, unread first, a page at a time; acknowledging marks one read. */
export function AlertsPage() {
  const [error, setError] = useState<string | null>(null);
  const a = useApi(() => pageAfter(null), 'alerts');
  // Pages loaded after the first, and alerts as acknowledging returned them (they keep their place in the pages).
  // Kept with the first page they continue: a reloaded first page starts the list again.
  const [loaded, setLoaded] = useState<{ after: AlertPage | undefined; alerts: Alert[]; nextCursor: string | null } | null>(null);
  const more = loaded && loaded.after === a.data ? loaded : null;
  const [changed, setChanged] = useState<Record<string, Alert>>({});
  const missing = a.error && /^404|Cannot GET/.test(a.error);
  const nextCursor = more ? more.nextCursor : (a.data?.nextCursor ?? null);
  const alerts = [...(a.data?.alerts ?? []), ...(more?.alerts ?? [])]
    .map((al) => changed[al.id] ?? al)
    .sort((x, y) => Number(unread(y)) - Number(unread(x)) || (x.state === y.state ? 0 : x.state === 'firing' ? -1 : 1) || y.firedAt.localeCompare(x.firedAt));
  const ack = (id: string) =>
    sendJson<Alert>('POST', `/v1/alerts/${encodeURIComponent(id)}/ack`).then(
      (alert) => setChanged((c) => ({ ...c, [id]: alert })),
      (e: Error) => setError(e.message),
    );
  const showMore = () => {
    const first = a.data;
    if (!nextCursor) return;
    void pageAfter(nextCursor).then(
      (page) =>
        setLoaded((l) => ({
          after: first,
          alerts: [...(l && l.after === first ? l.alerts : []), ...(page.alerts ?? [])],
          nextCursor: page.nextCursor ?? null,
        })),
      (e: Error) => setError(e.message),
    );
  };
  return (
    <Panel title="Alerts" error={missing ? null : (a.error ?? error)} loading={a.loading}>
      {missing ? (
        <Empty>This collector does not serve alerts yet.</Empty>
      ) : a.data && alerts.length === 0 ? (
        <Empty>No alerts.</Empty>
      ) : (
        <TableScroll label="Alerts, unread first">
          <table data-testid="alerts-table">
            <caption className="visually-hidden">Alerts, unread first</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Rule</th>
                <th scope="col">Subject</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col" className="num">
                  Threshold
                </th>
                <th scope="col">Fired</th>
                <th scope="col">Read</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((al) => (
                <tr key={al.id} className={unread(al) ? 'unread' : undefined} data-alert-id={al.id}>
                  <td>
                    <span className={`badge badge-${al.state}`}>{al.state}</span>
                  </td>
                  <td>{al.rule.replace(/_/g, ' ')}</td>
                  <td title={al.message} data-testid="alert-subject">
                    {subject(al)}
                  </td>
                  <td className="num">{value(al)}</td>
                  <td className="num">{formatUsdExact(al.thresholdUsd)}</td>
                  <td>{new Date(al.firedAt).toLocaleString()}</td>
                  <td>
                    {unread(al) ? (
                      <button type="button" onClick={() => ack(al.id)}>
                        Acknowledge <span className="visually-hidden">{al.message}</span>
                      </button>
                    ) : (
                      'acknowledged'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {nextCursor && !missing ? (
        <button type="button" onClick={showMore}>
          Show more alerts
        </button>
      ) : null}
    </Panel>
  );
}
