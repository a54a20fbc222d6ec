import { useState } from 'react';
import { getJson, sendJson } from '../api';
import { Empty, Panel } from '../components/panel';
import { useApi } from '../use-api';

/** An alert of the alerts API (issue 6); fields beyond these are shown as given. */
interface Alert {
  id: string;
  state: 'firing' | 'resolved';
  type?: string;
  ruleType?: string;
  subject?: string | null;
  value?: string | number | null;
  threshold?: string | number | null;
  period?: string | null;
  acknowledged?: boolean;
  acknowledgedAt?: string | null;
  read?: boolean;
  firedAt?: string;
  createdAt?: string;
  message?: string;
}

const unread = (a: Alert) => !(a.acknowledged || a.read || a.acknowledgedAt);
const when = (a: Alert) => a.firedAt ?? a.createdAt ?? '';
const listOf = (body: unknown): Alert[] => (Array.isArray(body) ? body : ((body as { alerts?: Alert[]; items?: Alert[] })?.alerts ?? (body as { items?: Alert[] })?.items ?? []));

/** Firing and resolved alerts, unread first; acknowledging marks one read. */
export function AlertsPage() {
  const [reload, setReload] = useState(0);
  const [ackError, setAckError] = useState<string | null>(null);
  const a = useApi(async () => listOf(await getJson('/v1/alerts')), 'alerts', reload);
  const missing = a.error && /^404|Cannot GET/.test(a.error);
  const alerts = [...(a.data ?? [])].sort((x, y) => Number(unread(y)) - Number(unread(x)) || (x.state === y.state ? 0 : x.state === 'firing' ? -1 : 1) || when(y).localeCompare(when(x)));
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
                <td>{al.type ?? al.ruleType ?? '—'}</td>
                <td>{al.subject ?? al.message ?? '—'}</td>
                <td className="num">{al.value ?? '—'}</td>
                <td className="num">{al.threshold ?? '—'}</td>
                <td>{when(al) ? new Date(when(al)).toLocaleString() : '—'}</td>
                <td>
                  {unread(al) ? (
                    <button type="button" onClick={() => ack(al.id)}>
                      Acknowledge
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
