import { useState } from 'react';
import { download, getJson } from '../api';
import { BreakdownExplorer } from '../components/breakdown-explorer';
import { Empty, Panel } from '../components/panel';
import { TableScroll } from '../components/table-scroll';
import { formatCount, formatMs, formatUsd } from '../money';
import { rangeQuery, type Scope } from '../scope';
import type { UsagePage } from '../types';
import { useApi } from '../use-api';

const PAGE_SIZE = 50;
const timeFormat = (tz: string) => new Intl.DateTimeFormat(undefined, { timeZone: tz, dateStyle: 'short', timeStyle: 'medium' });

/** Every filter of the report API, a breakdown by any dimension, conversation or tag, the raw calls page by page (each opening its own page), and the exports. */
export function UsagePage({ scope, jaegerUrl, onOpenCall }: { scope: Scope; jaegerUrl: string | null; onOpenCall: (id: string) => void }) {
  // Cursors of the pages seen so far: [undefined] is the first page; "Previous" pops.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [exportError, setExportError] = useState<string | null>(null);
  const scopeKey = JSON.stringify(scope);
  const [pagedScope, setPagedScope] = useState(scopeKey);
  if (pagedScope !== scopeKey) {
    setPagedScope(scopeKey);
    setCursors([undefined]);
  }
  const cursor = cursors[cursors.length - 1];
  const page = useApi(() => getJson<UsagePage>('/v1/reports/usage', { ...rangeQuery(scope), limit: PAGE_SIZE, cursor }), `${scopeKey}:${cursor ?? ''}`);
  const fmt = timeFormat(scope.tz);
  const exportAs = (format: 'csv' | 'jsonl') => {
    setExportError(null);
    download('/v1/reports/export', { ...rangeQuery(scope), format }, `tokenledger-usage.${format}`).catch((e: Error) =>
      setExportError(`Export failed: ${e.message}`),
    );
  };
  const rows = page.data?.records ?? [];
  return (
    <>
      <BreakdownExplorer scope={scope} />
      <Panel title="Calls" error={page.error} loading={page.loading}>
        <div className="toolbar">
          <button type="button" onClick={() => exportAs('csv')}>
            Export CSV
          </button>
          <button type="button" onClick={() => exportAs('jsonl')}>
            Export JSONL
          </button>
          {!jaegerUrl && <span className="hint">Set TOKENLEDGER_JAEGER_URL on the service to link each call to its trace.</span>}
        </div>
        {exportError && (
          <p className="error" role="alert">
            {exportError}
          </p>
        )}
        {page.data && rows.length === 0 ? (
          <Empty>No calls match.</Empty>
        ) : (
          <TableScroll label="Calls, newest first">
            <table data-testid="usage-table">
              <caption className="visually-hidden">Calls, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Call</th>
                  <th scope="col">Time</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Model</th>
                  <th scope="col">Type</th>
                  <th scope="col">User</th>
                  <th scope="col">Agent</th>
                  <th scope="col" className="num">
                    Input tokens
                  </th>
                  <th scope="col" className="num">
                    Output tokens
                  </th>
                  <th scope="col" className="num">
                    Cost
                  </th>
                  <th scope="col" className="num">
                    Latency
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">Trace</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} className={r.status === 'error' ? 'row-error' : undefined} data-call-id={r.id}>
                    <td>
                      <button type="button" className="link" onClick={() => onOpenCall(r.id)}>
                        Details<span className="visually-hidden"> of the call at {fmt.format(new Date(r.time))}</span>
                      </button>
                    </td>
                    <td>{fmt.format(new Date(r.time))}</td>
                    <td>{r.provider}</td>
                    <td>{r.model ?? '—'}</td>
                    <td>{r.costType}</td>
                    <td>{r.user ?? '—'}</td>
                    <td>{r.agent ?? '—'}</td>
                    <td className="num">{formatCount(r.tokens.input)}</td>
                    <td className="num">{formatCount(r.tokens.output)}</td>
                    <td className="num">{r.costUsd === null ? <span title={r.unpricedReason ?? undefined}>unpriced</span> : formatUsd(r.costUsd)}</td>
                    <td className="num">{formatMs(r.durationMs)}</td>
                    <td>{r.status}</td>
                    <td>
                      {r.traceUrl ? (
                        <a href={r.traceUrl} target="_blank" rel="noreferrer">
                          <span className="visually-hidden">Trace of the call at {fmt.format(new Date(r.time))}: </span>
                          {r.traceId.slice(0, 8)}
                        </a>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        <nav className="pager" aria-label="Pages of calls">
          <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
          <span>Page {cursors.length}</span>
          <button type="button" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}>
            Next page
          </button>
        </nav>
      </Panel>
    </>
  );
}
