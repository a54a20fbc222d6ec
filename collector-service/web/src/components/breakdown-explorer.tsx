import { useState } from 'react';
import { download, getJson } from '../api';
import { formatCount, formatUsd } from '../money';
import { FILTER_LABELS, rangeQuery, type Scope } from '../scope';
import type { Breakdown, TagKeys } from '../types';
import { useApi } from '../use-api';
import { BreakdownTable } from './breakdown-table';
import { Empty, Panel } from './panel';

/** The rows a breakdown shows and exports: the top ones by cost, the rest summed as "other". */
const TOP = 20;
const TAG = 'tag:';

/** What a breakdown may group by, as the report API names it, with its label. */
const DIMENSIONS: { by: string; label: string }[] = [
  ...(['model', 'provider', 'type', 'user', 'agent', 'feature', 'service'] as const).map((by) => ({ by, label: FILTER_LABELS[by] })),
  { by: 'conversation', label: 'Conversation' },
];

const labelOf = (by: string) => (by.startsWith(TAG) ? `Tag: ${by.slice(TAG.length)}` : (DIMENSIONS.find((d) => d.by === by)?.label ?? by));

/** The calls without a value, said for what they lack ("no conversation", "no team tag"). */
const withoutLabel = (by: string) => (by.startsWith(TAG) ? `(no ${by.slice(TAG.length)} tag)` : `(no ${labelOf(by).toLowerCase()})`);

/**
 * Cost, tokens and calls by any dimension, by conversation, or by the value of a tag key (the keys the
 * range's calls carry), with the breakdown's total (the summary's, to the nano) and its CSV export.
 */
export function BreakdownExplorer({ scope }: { scope: Scope }) {
  const [by, setBy] = useState('model');
  const [exportError, setExportError] = useState<string | null>(null);
  const scopeKey = JSON.stringify(scope);
  const tagKeys = useApi(() => getJson<TagKeys>('/v1/reports/tag-keys', rangeQuery(scope)), scopeKey);
  const b = useApi(() => getJson<Breakdown>('/v1/reports/breakdown', { ...rangeQuery(scope), by, limit: TOP }), `${scopeKey}:${by}`);
  const tags = (tagKeys.data?.keys ?? []).map((k) => `${TAG}${k.key}`);
  // A tag key chosen before stays a choice when the range has no call carrying it.
  const choices = [...DIMENSIONS.map((d) => d.by), ...(by.startsWith(TAG) && !tags.includes(by) ? [by] : []), ...tags];
  const exportCsv = () => {
    setExportError(null);
    download('/v1/reports/export', { ...rangeQuery(scope), by, limit: TOP }, 'tokenledger-breakdown.csv').catch((e: Error) =>
      setExportError(`Export failed: ${e.message}`),
    );
  };
  const data = b.data;
  return (
    <Panel title="Breakdown" error={b.error} loading={b.loading}>
      <div className="toolbar">
        <label>
          Break down by{' '}
          <select value={by} onChange={(e) => setBy(e.target.value)} data-testid="breakdown-by">
            {choices.map((c) => (
              <option key={c} value={c}>
                {labelOf(c)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={exportCsv}>
          Export breakdown CSV
        </button>
      </div>
      {exportError && (
        <p className="error" role="alert">
          {exportError}
        </p>
      )}
      {data && data.items.length === 0 ? (
        <Empty />
      ) : (
        data && (
          <>
            <BreakdownTable
              caption={`Cost by ${labelOf(by).toLowerCase()}: the top ${TOP}, the rest as other`}
              keyHeader={labelOf(by)}
              items={data.items}
              other={data.other}
              noneLabel={withoutLabel(by)}
              testId="breakdown-table"
            />
            <p className="hint" data-testid="breakdown-total">
              Total {formatUsd(data.totalCostUsd)} over {formatCount([...data.items, ...(data.other ? [data.other] : [])].reduce((n, i) => n + i.calls, 0))}{' '}
              calls
            </p>
          </>
        )
      )}
    </Panel>
  );
}
