import { useState } from 'react';
import { getJson, sendJson } from '../api';
import { Empty, Panel } from '../components/panel';
import { TableScroll } from '../components/table-scroll';
import { formatCount, formatPercent, formatUsdExact } from '../money';
import type { ReconciledDay, Reconciliation } from '../types';
import { useApi } from '../use-api';

/** This UTC month, `YYYY-MM`: providers bill by UTC day, so the page counts in UTC whatever the time zone picked elsewhere. */
const thisMonth = () => new Date().toISOString().slice(0, 7);
/** The first day of the month after `month` (`YYYY-MM`). */
function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return new Date(Date.UTC(year, m, 1)).toISOString().slice(0, 10);
}
/** A difference with its sign, every digit: what finance checks against the invoice. */
const signed = (usd: string | null) =>
  usd === null ? '—' : Number(usd) === 0 ? formatUsdExact(usd) : usd.startsWith('-') ? `−${formatUsdExact(usd.slice(1))}` : `+${formatUsdExact(usd)}`;
const differs = (d: ReconciledDay) => d.differenceUsd !== null && Number(d.differenceUsd) !== 0;
const tokens = (tracked: number, billed: number | null) => `${formatCount(tracked)} / ${billed === null ? '—' : formatCount(billed)}`;

/** Per model: tokens tracked against billed, the day's detail behind a disclosure. */
function ModelsOfDay({ day }: { day: ReconciledDay }) {
  return (
    <details>
      <summary>
        {day.models.length} model{day.models.length === 1 ? '' : 's'}
        <span className="visually-hidden">
          {' '}
          of {day.provider} on {day.date}
        </span>
      </summary>
      <table className="nested">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Input tokens (tracked / billed)
            </th>
            <th scope="col" className="num">
              Output tokens (tracked / billed)
            </th>
            <th scope="col" className="num">
              Billed cost
            </th>
          </tr>
        </thead>
        <tbody>
          {day.models.map((m) => (
            <tr key={m.model} className={!m.tracked ? 'row-warning' : undefined}>
              <td>
                {m.model}
                {!m.tracked && <span className="badge badge-unpriced">not tracked</span>}
              </td>
              <td className="num">{tokens(m.trackedInputTokens, m.billedInputTokens)}</td>
              <td className="num">{tokens(m.trackedOutputTokens, m.billedOutputTokens)}</td>
              <td className="num">{formatUsdExact(m.billedCostUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** What OpenAI and Anthropic billed, UTC day by UTC day, against what tokenledger tracked. */
export function ReconciliationPage({ isAdmin }: { isAdmin: boolean }) {
  const [month, setMonth] = useState(thisMonth);
  const [provider, setProvider] = useState('');
  const [reload, setReload] = useState(0);
  const [importing, setImporting] = useState<string | null>(null);
  const range = { from: `${month}-01`, to: nextMonth(month) };
  const r = useApi(() => getJson<Reconciliation>('/v1/reports/reconciliation', { ...range, provider }), `${month}|${provider}`, reload);
  const importNow = async () => {
    setImporting('Importing…');
    try {
      const { results } = await sendJson<{ results: { provider: string; ok: boolean; days: number; error: string | null }[] }>(
        'POST',
        `/v1/provider-bills/sync?from=${range.from}&to=${range.to}${provider ? `&provider=${provider}` : ''}`,
      );
      setImporting(results.map((x) => (x.ok ? `${x.provider}: ${x.days} days imported` : `${x.provider}: ${x.error}`)).join(' · '));
      setReload((n) => n + 1);
    } catch (err) {
      setImporting((err as Error).message);
    }
  };
  const days = r.data?.days ?? [];
  return (
    <>
      <div className="toolbar">
        <label>
          Month (UTC) <input type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
        </label>
        <label>
          Provider
          <select value={provider} onChange={(e) => setProvider(e.target.value)}>
            <option value="">All</option>
            <option value="openai">OpenAI</option>
            <option value="anthropic">Anthropic</option>
          </select>
        </label>
        {isAdmin && (
          <button type="button" onClick={importNow}>
            Import bills now
          </button>
        )}
        {importing && (
          <span className="hint" role="status">
            {importing}
          </span>
        )}
      </div>
      <Panel title="Billed against tracked" error={r.error} loading={r.loading}>
        {r.data && r.data.totals.length === 0 && (
          <Empty>No bill imported for this month yet. Configure an admin key (PUT /v1/provider-bills/keys/:provider) and import.</Empty>
        )}
        <dl className="facts" data-testid="reconciliation-totals">
          {(r.data?.totals ?? []).map((t) => [
            <dt key={`${t.provider}-dt`}>
              {t.provider} ({t.billedDays} days billed)
            </dt>,
            <dd key={`${t.provider}-dd`}>
              billed {formatUsdExact(t.billedCostUsd)}, tracked {formatUsdExact(t.trackedCostUsd)}, difference {signed(t.differenceUsd)}
              {t.differencePercent !== null && ` (${formatPercent(t.differencePercent)})`}
            </dd>,
          ])}
        </dl>
      </Panel>
      <Panel title="Days" loading={r.loading}>
        {r.data && days.length === 0 ? (
          <Empty>No calls and no bill in this month.</Empty>
        ) : (
          <TableScroll label="Tracked and billed per UTC day">
            <table data-testid="reconciliation-table">
              <caption className="visually-hidden">Tracked and billed cost per UTC day and provider; rows that differ are highlighted</caption>
              <thead>
                <tr>
                  <th scope="col">Day (UTC)</th>
                  <th scope="col">Provider</th>
                  <th scope="col" className="num">
                    Calls
                  </th>
                  <th scope="col" className="num">
                    Tracked
                  </th>
                  <th scope="col" className="num">
                    Billed
                  </th>
                  <th scope="col" className="num">
                    Difference
                  </th>
                  <th scope="col" className="num">
                    %
                  </th>
                  <th scope="col">Models</th>
                </tr>
              </thead>
              <tbody>
                {days.map((d) => (
                  <tr key={`${d.date}/${d.provider}`} data-day={d.date} data-provider={d.provider} className={differs(d) ? 'row-warning' : undefined}>
                    <td>{d.date}</td>
                    <td>{d.provider}</td>
                    <td className="num">{formatCount(d.trackedCalls)}</td>
                    <td className="num">{formatUsdExact(d.trackedCostUsd)}</td>
                    <td className="num">{d.billImported ? formatUsdExact(d.billedCostUsd) : <span className="hint">not imported</span>}</td>
                    <td className="num" data-testid="difference">
                      {signed(d.differenceUsd)}
                    </td>
                    <td className="num">{d.differencePercent === null ? '—' : formatPercent(d.differencePercent)}</td>
                    <td>{d.models.length > 0 && <ModelsOfDay day={d} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Panel>
      {r.data && (r.data.untracked.days.length > 0 || r.data.untracked.models.length > 0) && (
        <Panel title="Billed but never tracked" className="warning">
          <p>Spend outside the instrumented apps: days and models the provider billed with no call tokenledger saw.</p>
          <ul data-testid="untracked">
            {r.data.untracked.days.map((d) => (
              <li key={`day-${d.date}-${d.provider}`}>
                {d.date} {d.provider}: {formatUsdExact(d.billedCostUsd)} billed, no call tracked
              </li>
            ))}
            {r.data.untracked.models.map((m) => (
              <li key={`model-${m.date}-${m.provider}-${m.model}`}>
                {m.date} {m.provider} {m.model}: {m.billedCostUsd === null ? 'cost not itemised' : `${formatUsdExact(m.billedCostUsd)} billed`}
                {m.billedInputTokens !== null && `, ${formatCount(m.billedInputTokens)} input and ${formatCount(m.billedOutputTokens ?? 0)} output tokens`}
              </li>
            ))}
          </ul>
        </Panel>
      )}
    </>
  );
}
