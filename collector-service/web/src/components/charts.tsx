import { Bar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatUsd, formatUsdTick } from '../money';
import { type Datum, Figure, PALETTE } from './figure';

// Recharts is most of the dashboard's code: these charts load as a chunk of their own, after the
// overview's cards and daily chart (drawn without it, in column-chart.tsx) are on screen.

const usdTooltip = (_value: unknown, _name: unknown, item: { payload?: Datum }) => [formatUsd(item.payload?.usd), 'Cost'];

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
