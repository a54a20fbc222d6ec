import { Bar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatUsd, formatUsdTick } from '../money';

/** Colours with at least 3:1 contrast against the white panels. */
export const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#475569'];

export interface Datum {
  label: string;
  /** For geometry only. */
  value: number;
  /** The exact amount, shown in tooltips. */
  usd: string;
}

const usdTooltip = (_value: unknown, _name: unknown, item: { payload?: Datum }) => [formatUsd(item.payload?.usd), 'Cost'];

/** Recharts draws into SVG; the figure's caption and a hidden table give screen readers the numbers. */
function Figure({ caption, data, children }: { caption: string; data: Datum[]; children: React.ReactNode }) {
  return (
    <figure className="chart" aria-label={caption}>
      <div aria-hidden="true">{children}</div>
      <table className="visually-hidden">
        <caption>{caption}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{formatUsd(d.usd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function CostColumns({ caption, data, testId }: { caption: string; data: Datum[]; testId: string }) {
  return (
    <div data-testid={testId} data-points={data.length} data-total={data.reduce((s, d) => s + d.value, 0)}>
      <Figure caption={caption} data={data}>
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 8 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={16} />
            <YAxis tickFormatter={formatUsdTick} tick={{ fontSize: 11 }} width={72} />
            <Tooltip formatter={usdTooltip} />
            <Bar dataKey="value" fill={PALETTE[0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </Figure>
    </div>
  );
}

export function CostPie({ caption, data, testId }: { caption: string; data: Datum[]; testId: string }) {
  return (
    <div data-testid={testId} data-points={data.length}>
      <Figure caption={caption} data={data}>
        <ResponsiveContainer width="100%" height={240}>
          <PieChart accessibilityLayer={false}>
            <Pie data={data} dataKey="value" nameKey="label" innerRadius={50} outerRadius={90} isAnimationActive={false} rootTabIndex={-1}>
              {data.map((d, i) => (
                <Cell key={d.label} fill={PALETTE[i % PALETTE.length]} />
              ))}
            </Pie>
            <Tooltip formatter={usdTooltip} />
            <Legend />
          </PieChart>
        </ResponsiveContainer>
      </Figure>
    </div>
  );
}

export function CostBars({ caption, data, testId }: { caption: string; data: Datum[]; testId: string }) {
  return (
    <div data-testid={testId} data-points={data.length}>
      <Figure caption={caption} data={data}>
        <ResponsiveContainer width="100%" height={Math.max(120, data.length * 28 + 30)}>
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" tickFormatter={formatUsdTick} tick={{ fontSize: 11 }} />
            <YAxis type="category" dataKey="label" width={190} tick={{ fontSize: 11 }} />
            <Tooltip formatter={usdTooltip} />
            <Bar dataKey="value" isAnimationActive={false}>
              {data.map((d, i) => (
                <Cell key={d.label} fill={PALETTE[i % PALETTE.length]} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </Figure>
    </div>
  );
}
