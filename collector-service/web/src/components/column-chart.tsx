import { useLayoutEffect, useRef, useState } from 'react';
import { formatUsd, formatUsdTick } from '../money';
import { type Datum, Figure, PALETTE } from './figure';
import { niceTicks } from './ticks';

const HEIGHT = 240;
const MARGIN = { top: 10, right: 12, bottom: 24, left: 76 };
/** Room one x-axis label needs ("11-24", "23:00"). */
const LABEL_PX = 44;

/** The width the chart may take: its container's, followed as the page resizes (measured before paint). */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current!;
    setWidth(el.getBoundingClientRect().width);
    const observer = new ResizeObserver(([entry]) => setWidth(entry.contentRect.width));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

/**
 * Cost per day or hour as columns, drawn as plain SVG: the overview's first chart, so it does not wait
 * for the charting library (about two thirds of the dashboard's code). Each column's exact amount is in
 * its tooltip and in the figure's table.
 */
export function CostColumns({ caption, data, testId }: { caption: string; data: Datum[]; testId: string }) {
  const [ref, width] = useWidth();
  const ticks = niceTicks(Math.max(0, ...data.map((d) => d.value)));
  const top = ticks[ticks.length - 1];
  const plotWidth = Math.max(0, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const band = data.length ? plotWidth / data.length : 0;
  const labelEvery = Math.max(1, Math.ceil(LABEL_PX / (band || 1)));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  return (
    <div data-testid={testId} data-points={data.length} data-total={data.reduce((s, d) => s + d.value, 0)} ref={ref}>
      <Figure caption={caption} data={data}>
        {width > 0 && (
          <svg className="column-chart" width={width} height={HEIGHT} role="presentation">
            {ticks.map((t) => (
              <g key={t}>
                <line x1={MARGIN.left} x2={MARGIN.left + plotWidth} y1={y(t)} y2={y(t)} stroke="#cbd5e1" strokeDasharray={t === 0 ? undefined : '3 3'} />
                <text x={MARGIN.left - 6} y={y(t)} dy="0.32em" textAnchor="end">
                  {formatUsdTick(t)}
                </text>
              </g>
            ))}
            {data.map((d, i) => (
              <g key={d.label}>
                <rect className="column" x={MARGIN.left + i * band + band * 0.1} y={y(d.value)} width={band * 0.8} height={Math.max(0, y(0) - y(d.value))} fill={PALETTE[0]}>
                  <title>{`${d.label}: ${formatUsd(d.usd)}`}</title>
                </rect>
                {i % labelEvery === 0 && (
                  <text x={MARGIN.left + (i + 0.5) * band} y={HEIGHT - 6} textAnchor="middle">
                    {d.label}
                  </text>
                )}
              </g>
            ))}
          </svg>
        )}
      </Figure>
    </div>
  );
}
