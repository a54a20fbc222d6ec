import { getJson } from '../api';
import { Empty, Panel } from '../components/panel';
import { PriceSource } from '../components/price-source';
import { TableScroll } from '../components/table-scroll';
import { UnitPriceList } from '../components/unit-price-list';
import { formatCount, formatUsd } from '../money';
import { rangeQuery, type Scope } from '../scope';
import type { ModelsReport } from '../types';
import { useApi } from '../use-api';

/** Which models were used, how each was priced, which have no price, and the operator file in force. */
export function ModelsPage({ scope }: { scope: Scope }) {
  const m = useApi(() => getJson<ModelsReport>('/v1/ui/models', rangeQuery(scope)), JSON.stringify(scope));
  const book = m.data?.priceBook;
  const toPrice = (m.data?.models ?? []).filter((r) => r.priceFileEntry);
  return (
    <>
      <Panel title="Price book in force" error={m.error} loading={m.loading}>
        {book && (
          <dl className="facts" data-testid="price-book">
            <dt>Version</dt>
            <dd>{book.version}</dd>
            <dt>Catalog</dt>
            <dd>
              {book.catalog.package} {book.catalog.version}
            </dd>
            <dt>Supplemental prices</dt>
            <dd>{book.supplemental.version ?? 'unversioned'}</dd>
            <dt>Operator override file</dt>
            <dd data-testid="operator-file">
              {book.operator ? `${book.operator.path} (sha256 ${book.operator.sha256.slice(0, 12)}…)` : 'none (TOKENLEDGER_PRICES_FILE is not set)'}
            </dd>
          </dl>
        )}
      </Panel>
      <Panel title="Models used" error={m.error} loading={m.loading}>
        {m.data && m.data.models.length === 0 ? (
          <Empty />
        ) : (
          <TableScroll label="Models used in the period">
            <table data-testid="models-table">
              <caption className="visually-hidden">Models used in the period, with how each was priced</caption>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Model</th>
                  <th scope="col" className="num">
                    Calls
                  </th>
                  <th scope="col" className="num">
                    Unpriced calls
                  </th>
                  <th scope="col" className="num">
                    Cost
                  </th>
                  <th scope="col">Price source (newest call)</th>
                  <th scope="col">Unit prices</th>
                </tr>
              </thead>
              <tbody>
                {(m.data?.models ?? []).map((r) => (
                  <tr key={`${r.provider}/${r.model}`} className={r.unpricedCalls > 0 ? 'row-warning' : undefined}>
                    <td>{r.provider ?? '—'}</td>
                    <td>{r.model ?? '—'}</td>
                    <td className="num">{formatCount(r.calls)}</td>
                    <td className="num">{r.unpricedCalls > 0 ? <strong>{formatCount(r.unpricedCalls)}</strong> : 0}</td>
                    <td className="num">{r.calls > 0 && r.unpricedCalls === r.calls ? <span className="unpriced">unpriced</span> : formatUsd(r.costUsd)}</td>
                    <td>
                      <PriceSource source={r.priceSource} unpricedReason={r.unpricedReason} />
                    </td>
                    <td className="prices">
                      <UnitPriceList prices={r.unitPrices} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Panel>
      {toPrice.length > 0 && (
        <Panel title="Prices to add">
          <p>
            These fine-tuned models have no published rates in the price book. Add each entry under <code>models:</code> in the operator price file (
            <code>TOKENLEDGER_PRICES_FILE</code>) with the fine-tuned rates from the provider&apos;s price list, then restart the service.
          </p>
          {toPrice.map((r) => (
            <figure key={`${r.provider}/${r.model}`} className="price-entry" data-testid="price-file-entry">
              <figcaption>
                {r.provider} {r.model}
              </figcaption>
              <pre>{r.priceFileEntry}</pre>
            </figure>
          ))}
        </Panel>
      )}
    </>
  );
}
