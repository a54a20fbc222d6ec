import { useState } from 'react';
import { getJson, sendJson } from '../api';
import { Empty, Panel } from '../components/panel';
import { formatCount, formatUsd } from '../money';
import { useApi } from '../use-api';

/** An alert as GET /v1/alerts gives it (issue 6). Money as exact USD strings. */
interface Alert {
  id: string;
  state: 'firing' | 'resolved';
  rule: string;
  severity: string;
  subject: string;
  valueUsd: string | null;
  thresholdUsd: string | null;
  count: number | null;
  message: string;
  firedAt: string;
  acknowledged: boolean;
}

const unread = (a: Alert) => !a.acknowledged;
const listOf = (body: unknown): Alert[] => (body as { alerts?: Alert[] })?.alerts ?? [];
const value = (a: Alert) => (a.valueUsd !== null ? formatUsd(a.valueUsd) : a.count !== null ? formatCount(a.count) : '—');

/** Firing and resolved alerts, unread first; acknowledging marks one read. */
export function AlertsPage() {
  const [reload, setReload] = useState(0);
  const [ackError, setAckError] = useState<string | null>(null);
  const a = useApi(async () => listOf(await getJson('/v1/alerts')), 'alerts', reload);
  const missing = a.error && /^404|Cannot GET/.test(a.error);
  const alerts = [...(a.data ?? [])].sort((x, y) => Number(unread(y)) - Number(unread(x)) || (x.state === y.state ? 0 : x.state === 'firing' ? -1 : 1) || y.firedAt.localeCompare(x.firedAt));
  const ack = (id: string) =>
    sendJson('POST', `/v1/alerts/${encodeURIComponent(id)}/ack`).then(
      () => setReload((n) => n + 1),
      (e: Error) => setAckError(e.message),
    );
  return (
    <Panel title="Alerts" error={missing ? null : (a.error ?? ackError)} loading={a.loading}>
      {missing ? (
        <Empty>This collector does not serve alerts yet.</Empty>
      ) : a.data && alerts.length === 0 ? (
        <Empty>No alerts.</Empty>
      ) : (
        <table data-testid="alerts-table">
          <caption className="visually-hidden">Alerts, unread first</caption>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Rule</th>
              <th scope="col">Subject</th>
              <th scope="col" className="num">Value</th>
              <th scope="col" className="num">Threshold</th>
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
                <td title={al.message}>{al.subject}</td>
                <td className="num">{value(al)}</td>
                <td className="num">{al.thresholdUsd !== null ? formatUsd(al.thresholdUsd) : '—'}</td>
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
      )}
    </Panel>
  );
}
