import { formatCount, formatUsd } from '../money';
import type { BreakdownItem } from '../types';
import { TableScroll } from './table-scroll';

/** A cost that leaves out unpriced calls says so: "unpriced", or the priced part and how many were left out. */
function Cost({ item }: { item: BreakdownItem }) {
  if (item.calls > 0 && item.unpricedCalls === item.calls) return <span className="unpriced">unpriced</span>;
  if (item.unpricedCalls > 0)
    return (
      <>
        {formatUsd(item.costUsd)} <span className="unpriced">+{formatCount(item.unpricedCalls)} unpriced</span>
      </>
    );
  return <>{formatUsd(item.costUsd)}</>;
}

/** Cost, tokens and calls per key, the rest summed as "other". */
export function BreakdownTable({
  caption,
  keyHeader,
  items,
  other,
  testId,
  noneLabel = '(none)',
}: {
  caption: string;
  keyHeader: string;
  items: BreakdownItem[];
  other: BreakdownItem | null;
  testId?: string;
  /** What the row of the calls without a value says. */
  noneLabel?: string;
}) {
  const rows = other ? [...items, other] : items;
  return (
    <TableScroll label={caption}>
      <table data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{keyHeader}</th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Tokens
            </th>
            <th scope="col" className="num">
              Calls
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((i, n) => (
            <tr key={`${i.key}-${n}`}>
              <td>{i.key ?? noneLabel}</td>
              <td className="num">
                <Cost item={i} />
              </td>
              <td className="num">{formatCount(i.tokens.input + i.tokens.output)}</td>
              <td className="num">{formatCount(i.calls)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
