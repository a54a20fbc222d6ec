import type { Counter } from '@opentelemetry/api';
import type { Labels } from './metric-labels';

interface Pending {
  counter: Counter;
  labels: Labels;
  amount: number;
}

/**
 * Makes every counter series start at 0 as Prometheus sees it. A series whose first sample is
 * already 1 has, for `increase()` and `rate()`, never increased: the first unpriced call of a model,
 * or the first dollar of a new feature, would be invisible to the alert rules. So a series is first
 * added at 0, and what it counts is held back until a scrape has served that 0; from then on adds go
 * straight to the counter.
 *
 * A series seen by no scrape yet keeps its amount here, so a scrape that fails or is never made
 * loses nothing: the next one that succeeds shows the 0, and the one after it the amount.
 */
export class ZeroFirstSeries {
  /** Series some scrape has served (keys: counter name and labels). */
  private readonly exposed = new Set<string>();
  private readonly pending = new Map<string, Pending>();

  /** Adds `amount` to the series, or holds it back while the series has not yet been scraped at 0. */
  add(counter: Counter, name: string, amount: number, labels: Labels): void {
    const key = seriesKey(name, labels);
    if (this.exposed.has(key)) {
      counter.add(amount, labels);
      return;
    }
    const pending = this.pending.get(key);
    if (pending) pending.amount += amount;
    else {
      counter.add(0, labels);
      this.pending.set(key, { counter, labels, amount });
    }
  }

  /** A series known before anything happens (a fixed label value): at 0 from the first scrape on. */
  declare(counter: Counter, name: string, labels: Labels = {}): void {
    this.add(counter, name, 0, labels);
  }

  /**
   * Called as a scrape starts: every series pending now is in that scrape at 0. The returned function,
   * called once the scrape has been served, releases their amounts into the counters. Two scrapes at
   * once release each series once.
   */
  scrapeStarted(): () => void {
    const served = [...this.pending.keys()];
    return () => {
      for (const key of served) {
        const pending = this.pending.get(key);
        if (!pending) continue;
        this.pending.delete(key);
        this.exposed.add(key);
        if (pending.amount !== 0) pending.counter.add(pending.amount, pending.labels);
      }
    };
  }
}

function seriesKey(name: string, labels: Labels): string {
  return JSON.stringify([
    name,
    ...Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  ]);
}
