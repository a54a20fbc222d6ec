import { lazy, Suspense, useDeferredValue } from 'react';
import { BreakdownTable } from '../components/breakdown-table';
import { CostColumns } from '../components/column-chart';
import type { Datum } from '../components/figure';
import { Card, Empty, Panel } from '../components/panel';
import { TableScroll } from '../components/table-scroll';
import { formatCount, formatMs, formatPercent, formatUsd, nanosToUsd, percentChange, usdNumber } from '../money';
import { arrivedOverviewFirst, loadOverviewFirst, loadOverviewRest, type OverviewFirst, type OverviewRest } from '../overview-data';
import type { Scope } from '../scope';
import type { Breakdown, BreakdownItem, Overview } from '../types';
import { type Loaded, useApi } from '../use-api';

// The charting library loads only when a panel below the daily chart has data to draw.
const CostPie = lazy(() => import('../components/charts').then((m) => ({ default: m.CostPie })));
const CostBars = lazy(() => import('../components/charts').then((m) => ({ default: m.CostBars })));
const chartLoading = (
  <p className="loading" aria-busy="true">
    Loading chart…
  </p>
);

const label = (key: string | null) => key ?? '(none)';
const toData = (items: BreakdownItem[]): Datum[] => items.map((i) => ({ label: label(i.key), value: usdNumber(i.costUsd), usd: i.costUsd }));

function Trend({ change }: { change: number | null }) {
  if (change === null) return <span className="trend">no earlier spend to compare</span>;
  const arrow = change > 0 ? '▲' : change < 0 ? '▼' : '▶';
  const direction = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  return (
    <span className={`trend trend-${direction}`} data-testid="cost-trend">
      <span aria-hidden="true">{arrow}</span> {formatPercent(Math.abs(change))} {direction === 'flat' ? 'unchanged' : direction} on the period before
    </span>
  );
}

function Cards({ overview }: { overview: Loaded<OverviewFirst> }) {
  if (overview.error)
    return (
      <p className="error" role="alert">
        {overview.error}
      </p>
    );
  const cur = overview.data?.summary;
  const prev = overview.data?.previousSummary;
  const projection = overview.data?.projection;
  const tokens = cur ? cur.tokens.input + cur.tokens.output : 0;
  return (
    <div className="cards" aria-busy={overview.loading || undefined}>
      <Card
        testId="card-cost"
        label="Total cost"
        value={cur ? formatUsd(cur.totalCostUsd) : '…'}
        detail={cur && prev ? <Trend change={percentChange(prev.totalCostNanos, cur.totalCostNanos)} /> : '\u00a0'}
      />
      <Card
        testId="card-calls"
        label="Calls"
        value={cur ? formatCount(cur.calls) : '…'}
        detail={cur && `${formatCount(cur.successfulCalls)} succeeded, ${formatCount(cur.failedCalls)} failed`}
      />
      <Card
        testId="card-tokens"
        label="Tokens"
        value={cur ? formatCount(tokens) : '…'}
        detail={cur && `${formatCount(cur.calls ? Math.round(tokens / cur.calls) : 0)} per call on average`}
      />
      <Card
        testId="card-latency"
        label="Average latency"
        value={cur ? formatMs(cur.averageLatencyMs) : '…'}
        detail={cur && `${cur.calls ? formatPercent((cur.successfulCalls / cur.calls) * 100) : '—'} success rate`}
      />
      <Card
        testId="card-projection"
        label="Projected month end"
        value={projection ? formatUsd(projection.projectedMonthEnd.costUsd) : '…'}
        detail={projection && `${formatUsd(projection.monthToDate.costUsd)} so far, ${projection.daysRemaining} days to go`}
      />
    </div>
  );
}

function DailyCost({ overview, interval }: { overview: Loaded<OverviewFirst>; interval: 'hour' | 'day' }) {
  const t = { ...overview, data: overview.data?.timeseries };
  const data: Datum[] = (t.data?.points ?? []).map((pt) => ({
    label: (pt.date ?? pt.hour ?? pt.start).replace(/^\d{4}-/, ''),
    value: usdNumber(pt.costUsd),
    usd: pt.costUsd,
  }));
  return (
    <Panel title={interval === 'hour' ? 'Hourly cost' : 'Daily cost'} error={t.error} loading={t.loading} className="wide">
      <CostColumns caption={`Cost per ${interval}`} data={data} testId="chart-daily" />
    </Panel>
  );
}

type Dimension = keyof Overview['breakdowns'];

/** One breakdown of the overview's answer, with the answer's loading state and error. */
const breakdownOf = (overview: Loaded<OverviewRest>, by: Dimension): Loaded<Breakdown> => ({ ...overview, data: overview.data?.breakdowns[by] });

function ByType({ overview }: { overview: Loaded<OverviewRest> }) {
  const b = breakdownOf(overview, 'type');
  const items = (b.data?.items ?? []).filter((i) => i.costNanos !== '0');
  return (
    <Panel title="Cost by type" error={b.error} loading={b.loading}>
      {b.data && items.length === 0 ? (
        <Empty />
      ) : (
        items.length > 0 && (
          <Suspense fallback={chartLoading}>
            <CostPie caption="Cost by type" data={toData(items)} testId="chart-type" />
          </Suspense>
        )
      )}
    </Panel>
  );
}

/** The first `n` items and the rest summed exactly as "other" (so one breakdown serves every panel of a dimension). */
function topWithOther(b: Breakdown | undefined, n: number): { items: BreakdownItem[]; other: BreakdownItem | null } {
  if (!b) return { items: [], other: null };
  const rest = [...b.items.slice(n), ...(b.other ? [b.other] : [])];
  if (rest.length === 0) return { items: b.items, other: null };
  const nanos = rest.reduce((sum, i) => sum + BigInt(i.costNanos), 0n);
  const sumOf = (f: (i: BreakdownItem) => number) => rest.reduce((sum, i) => sum + f(i), 0);
  const total = BigInt(b.totalCostNanos);
  return {
    items: b.items.slice(0, n),
    other: {
      key: 'other',
      costNanos: nanos.toString(),
      costUsd: nanosToUsd(nanos),
      calls: sumOf((i) => i.calls),
      failedCalls: sumOf((i) => i.failedCalls),
      unpricedCalls: sumOf((i) => i.unpricedCalls),
      tokens: {
        input: sumOf((i) => i.tokens.input),
        output: sumOf((i) => i.tokens.output),
        cacheRead: sumOf((i) => i.tokens.cacheRead),
        cacheWrite: sumOf((i) => i.tokens.cacheWrite),
        reasoning: sumOf((i) => i.tokens.reasoning),
      },
      sharePercent: total === 0n ? 0 : Number((nanos * 1_000_000n) / total) / 10_000,
    },
  };
}

function BarsWithTable({ overview, by, title }: { overview: Loaded<OverviewRest>; by: 'provider' | 'model'; title: string }) {
  const b = breakdownOf(overview, by);
  const { items, other } = topWithOther(b.data, 10);
  return (
    <Panel title={title} error={b.error} loading={b.loading}>
      {b.data && items.length === 0 ? (
        <Empty />
      ) : (
        <>
          {items.length > 0 && (
            <Suspense fallback={chartLoading}>
              <CostBars caption={title} data={toData(items)} testId={`chart-${by}`} />
            </Suspense>
          )}
          <BreakdownTable caption={`${title}: cost, tokens and calls`} keyHeader={by === 'provider' ? 'Provider' : 'Model'} items={items} other={other} />
        </>
      )}
    </Panel>
  );
}

function TopUsers({ overview }: { overview: Loaded<OverviewRest> }) {
  const b = breakdownOf(overview, 'user');
  return (
    <Panel title="Top 10 users" error={b.error} loading={b.loading}>
      {b.data && b.data.items.length === 0 ? (
        <Empty />
      ) : (
        <BreakdownTable caption="Top 10 users by cost" keyHeader="User" items={b.data?.items ?? []} other={b.data?.other ?? null} testId="table-users" />
      )}
    </Panel>
  );
}

function ByAgent({ overview }: { overview: Loaded<OverviewRest> }) {
  const b = breakdownOf(overview, 'agent');
  const items = b.data?.items ?? [];
  return (
    <Panel title="Cost by agent" error={b.error} loading={b.loading}>
      {b.data && items.length === 0 ? (
        <Empty />
      ) : (
        <ul className="progress-list" data-testid="list-agents">
          {items.map((i) => (
            <li key={label(i.key)}>
              <div className="progress-head">
                <span>{label(i.key)}</span>
                <span>
                  {formatUsd(i.costUsd)} · {formatPercent(i.sharePercent)}
                </span>
              </div>
              <progress max={100} value={i.sharePercent} aria-label={`${label(i.key)}: ${formatPercent(i.sharePercent)} of cost`} />
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function Unpriced({ overview }: { overview: Loaded<OverviewRest> }) {
  const b = breakdownOf(overview, 'model');
  const items = (b.data?.items ?? []).filter((i) => i.unpricedCalls > 0);
  const total = items.reduce((s, i) => s + i.unpricedCalls, 0);
  return (
    <Panel title="Unpriced calls" error={b.error} loading={b.loading} className={total > 0 ? 'warning' : ''}>
      {total === 0 ? (
        <p data-testid="unpriced-none">Every call in this period was priced.</p>
      ) : (
        <>
          <p className="warning-text" data-testid="unpriced-total">
            {formatCount(total)} calls have no price, so the totals above leave them out. Add their models to the operator price file (TOKENLEDGER_PRICES_FILE).
          </p>
          <TableScroll label="Unpriced calls by model">
            <table>
              <caption className="visually-hidden">Unpriced calls by model</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Unpriced calls</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={label(i.key)}>
                    <td>{label(i.key)}</td>
                    <td className="num">{formatCount(i.unpricedCalls)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
    </Panel>
  );
}

export function OverviewPage({ scope }: { scope: Scope }) {
  const key = JSON.stringify(scope);
  const first = useApi(
    () => loadOverviewFirst(scope),
    key,
    0,
    () => arrivedOverviewFirst(scope),
  );
  // The breakdowns' panels render after the cards and the daily chart (deferred), so the first
  // figures on screen wait neither for the breakdowns' request nor for drawing their charts.
  const later = useDeferredValue(useApi(() => loadOverviewRest(scope), key));
  return (
    <>
      <Cards overview={first} />
      <Unpriced overview={later} />
      <div className="grid">
        <DailyCost overview={first} interval={scope.period === 'today' ? 'hour' : 'day'} />
        <ByType overview={later} />
        <BarsWithTable overview={later} by="provider" title="Cost by provider" />
        <BarsWithTable overview={later} by="model" title="Cost by model" />
        <TopUsers overview={later} />
        <ByAgent overview={later} />
      </div>
    </>
  );
}
