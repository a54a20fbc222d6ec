import { unitPriceLines } from '../unit-prices';

/** A call's or model's unit prices, one per line: "$2.50 per 1M input tokens". */
export function UnitPriceList({ prices, testId }: { prices: Record<string, string> | null; testId?: string }) {
  if (!prices || Object.keys(prices).length === 0) return <>—</>;
  return (
    <ul className="unit-prices" data-testid={testId}>
      {unitPriceLines(prices).map((line) => (
        <li key={line.unit} data-unit={line.unit}>
          <span className="amount">{line.amount}</span> {line.per}
        </li>
      ))}
    </ul>
  );
}
