import { Fragment, type ReactNode } from 'react';
import { getJson } from '../api';
import { Panel } from '../components/panel';
import { PriceSource } from '../components/price-source';
import { UnitPriceList } from '../components/unit-price-list';
import { formatCount, formatMs, formatUsdExact } from '../money';
import { BASE } from '../routes';
import type { CallRecord } from '../types';
import { useApi } from '../use-api';

const timeFormat = (tz: string) => new Intl.DateTimeFormat(undefined, { timeZone: tz, dateStyle: 'medium', timeStyle: 'medium' });

/** Labelled facts; one without a value shows "—". */
function Facts({ rows, testId }: { rows: [label: string, value: ReactNode][]; testId: string }) {
  return (
    <dl className="facts" data-testid={testId}>
      {rows.map(([label, value]) => (
        <Fragment key={label}>
          <dt>{label}</dt>
          <dd>{value ?? '—'}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

/** Token counts by kind; the parts of input and output are indented under their total. */
function TokenTable({ call }: { call: CallRecord }) {
  const { tokens, audioTokens } = call;
  const rows: [kind: string, count: number, part: boolean][] = [
    ['Input', tokens.input, false],
    ['cache read', tokens.cacheRead, true],
    ['cache write', tokens.cacheWrite, true],
    ['audio', audioTokens?.input ?? 0, true],
    ['Output', tokens.output, false],
    ['reasoning', tokens.reasoning, true],
    ['audio', audioTokens?.output ?? 0, true],
  ];
  return (
    <table data-testid="call-tokens">
      <caption className="visually-hidden">Tokens by kind</caption>
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col" className="num">
            Tokens
          </th>
        </tr>
      </thead>
      <tbody>
        {rows
          .filter(([, count, part]) => !part || count > 0)
          .map(([kind, count, part], i) => (
            <tr key={`${kind}-${i}`} data-kind={kind}>
              <th scope="row" className={part ? 'part' : undefined}>
                {part ? `of which ${kind}` : kind}
              </th>
              <td className="num">{formatCount(count)}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}

/** What else the call was billed by, when it was: images, audio seconds, characters, a payment. */
function otherUnits(call: CallRecord): [string, ReactNode][] {
  const rows: [string, ReactNode][] = [];
  if (call.imageCount !== null) rows.push(['Images', [formatCount(call.imageCount), call.imageSize, call.imageQuality].filter(Boolean).join(' · ')]);
  if (call.audioSeconds !== null) rows.push(['Audio', `${call.audioSeconds} s`]);
  if (call.characters !== null) rows.push(['Characters', formatCount(call.characters)]);
  if (call.paymentAmountUsd !== null) rows.push(['Payment', `${formatUsdExact(call.paymentAmountUsd)} through ${call.paymentGateway ?? 'an unnamed gateway'}`]);
  return rows;
}

function Cost({ call }: { call: CallRecord }) {
  if (call.costUsd === null)
    return (
      <p className="unpriced" data-testid="call-cost">
        Unpriced ({call.unpricedReason ?? 'no reason given'}): left out of every total. Add the model to the operator price file (TOKENLEDGER_PRICES_FILE).
      </p>
    );
  return (
    <p className="call-cost" data-testid="call-cost">
      {formatUsdExact(call.costUsd)}
    </p>
  );
}

function Trace({ call }: { call: CallRecord }) {
  const ids: [string, ReactNode][] = [
    ['Trace id', <code key="t">{call.traceId}</code>],
    ['Span id', <code key="s">{call.spanId}</code>],
  ];
  return (
    <>
      <Facts testId="call-trace" rows={ids} />
      {call.traceUrl ? (
        <a href={`${call.traceUrl}?uiFind=${call.spanId}`} target="_blank" rel="noreferrer" data-testid="call-trace-link">
          Open the trace in Jaeger
        </a>
      ) : (
        <p className="hint">Set TOKENLEDGER_JAEGER_URL on the service to open the trace in Jaeger.</p>
      )}
    </>
  );
}

/** One call explained: what it counted, the unit prices it was priced at and from where, what it cost, whom it is attributed to, and its trace. */
export function CallPage({ id, tz, onBack }: { id: string; tz: string; onBack: () => void }) {
  const c = useApi(() => getJson<CallRecord>(`/v1/reports/usage/${encodeURIComponent(id)}`), id);
  const call = c.data;
  const back = (
    <a
      href={`${BASE}/usage${location.search}`}
      onClick={(e) => {
        e.preventDefault();
        onBack();
      }}
    >
      ← Back to the usage explorer
    </a>
  );
  if (!call)
    return (
      <>
        {back}
        <Panel title="Call" error={c.error} loading={c.loading} />
      </>
    );
  const tags = Object.entries(call.tags);
  return (
    <>
      {back}
      <div className="call-grid" data-testid="call">
        <Panel title="Cost">
          <Cost call={call} />
          <Facts
            testId="call-pricing"
            rows={[
              ['Price source', <PriceSource key="p" source={call.priceSource} unpricedReason={call.unpricedReason} />],
              ['Price book version', call.priceBookVersion],
              ...(call.providedCostUsd !== null ? ([['Cost the emitter reported', formatUsdExact(call.providedCostUsd)]] as [string, ReactNode][]) : []),
              ...(call.batch ? ([['Batch API', 'yes (batch prices)']] as [string, ReactNode][]) : []),
              ...(call.estimated ? ([['Token counts', 'estimated by the instrumentation (the provider reported none)']] as [string, ReactNode][]) : []),
            ]}
          />
        </Panel>
        <Panel title="Unit prices">
          <UnitPriceList prices={call.unitPrices} testId="call-unit-prices" />
        </Panel>
        <Panel title="Tokens">
          <TokenTable call={call} />
          {otherUnits(call).length > 0 && <Facts testId="call-units" rows={otherUnits(call)} />}
        </Panel>
        <Panel title="The call">
          <Facts
            testId="call-facts"
            rows={[
              ['Time', timeFormat(tz).format(new Date(call.time))],
              ['Provider', call.provider],
              ['Model', call.requestModel && call.requestModel !== call.model ? `${call.model} (asked for ${call.requestModel})` : call.model],
              ['Operation', call.operation],
              ['Type', call.costType],
              ['Status', call.errorType ? `${call.status} (${call.errorType})` : call.status],
              ['Latency', formatMs(call.durationMs)],
              ['Instrumentation', call.source],
            ]}
          />
        </Panel>
        <Panel title="Attribution">
          <Facts
            testId="call-attribution"
            rows={[
              ['User', call.user],
              ['Agent', call.agent],
              ['Conversation', call.conversation],
              ['Feature', call.feature],
              ['Service', call.service],
              ['Environment', call.environment],
              ['Tags', tags.length ? tags.map(([k, v]) => `${k}=${v}`).join(', ') : null],
            ]}
          />
        </Panel>
        <Panel title="Trace">
          <Trace call={call} />
        </Panel>
      </div>
    </>
  );
}
