import { formatUsd, formatUsdTick } from '../money';
import { type Datum, Figure, PALETTE } from './figure';
import { niceTicks } from './ticks';

const HEIGHT = 240;
const AXIS_WIDTH = 76;
const TOP = 10;
const BOTTOM = 24;
/** At most this many x-axis labels, so they fit a panel of any usual width without measuring it. */
const MAX_LABELS = 16;

const percent = (x: number) => `${x * 100}%`;

/** Narrow windows show every second label, phones every fourth (styles.css), so labels never overlap. */
const labelClass = (k: number) => (k % 4 === 0 ? undefined : k % 2 === 0 ? 'label-2nd' : 'label-odd');

/**
 * Cost per day or hour as columns, drawn as plain SVG: the overview's first chart, so it does not wait
 * for the charting library (about two thirds of the dashboard's code). The y axis is a fixed-width SVG
 * and the plot a second one whose columns are placed in percentages of its width, so the chart is
 * drawn in the first render, without measuring the page. Each column's exact amount is in its tooltip
 * and in the figure's table.
 */
export function CostColumns({ caption, data, testId }: { caption: string; data: Datum[]; testId: string }) {
  const ticks = niceTicks(Math.max(0, ...data.map((d) => d.value)));
  const top = ticks[ticks.length - 1];
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const band = 1 / Math.max(1, data.length);
  const labelEvery = Math.ceil(data.length / MAX_LABELS);
  return (
    <div data-testid={testId} data-points={data.length} data-total={data.reduce((s, d) => s + d.value, 0)}>
      <Figure caption={caption} data={data}>
        <div className="column-chart">
          <svg width={AXIS_WIDTH} height={HEIGHT} role="presentation">
            {ticks.map((t) => (
              <text key={t} x={AXIS_WIDTH - 6} y={y(t)} dy="0.32em" textAnchor="end">
                {formatUsdTick(t)}
              </text>
            ))}
          </svg>
          <svg width="100%" height={HEIGHT} role="presentation">
            {ticks.map((t) => (
              <line key={t} x1="0" x2="100%" y1={y(t)} y2={y(t)} stroke="#cbd5e1" strokeDasharray={t === 0 ? undefined : '3 3'} />
            ))}
            {data.map((d, i) => (
              <g key={d.label}>
                <rect
                  className="column"
                  x={percent((i + 0.1) * band)}
                  y={y(d.value)}
                  width={percent(0.8 * band)}
                  height={Math.max(0, y(0) - y(d.value))}
                  fill={PALETTE[0]}
                >
                  <title>{`${d.label}: ${formatUsd(d.usd)}`}</title>
                </rect>
                {i % labelEvery === 0 && (
                  <text x={percent((i + 0.5) * band)} y={HEIGHT - 6} textAnchor="middle" className={labelClass(i / labelEvery)}>
                    {d.label}
                  </text>
                )}
              </g>
            ))}
          </svg>
        </div>
      </Figure>
    </div>
  );
}
