import type { ReactNode } from 'react';
import { formatUsd } from '../money';

/** Colours with at least 3:1 contrast against the white panels. */
export const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#475569'];

export interface Datum {
  label: string;
  /** For geometry only. */
  value: number;
  /** The exact amount, shown in tooltips. */
  usd: string;
}

/**
 * A chart is drawn into SVG; the figure's caption and a hidden table give screen readers the numbers.
 * Nothing is drawn before there is data: mounting an empty chart costs as much as a full one and
 * would delay the overview's first figures.
 */
export function Figure({ caption, data, children }: { caption: string; data: Datum[]; children: ReactNode }) {
  if (data.length === 0) return null;
  return (
    <figure className="chart" aria-label={caption}>
      <div aria-hidden="true">{children}</div>
      {/* Hidden in a box of its own: a table grows to fit its rows whatever its width, so hidden itself it could widen the page. */}
      <div className="visually-hidden">
        <table>
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
      </div>
    </figure>
  );
}
