interface Window {
  startMs: number;
  skipped: number;
}

/**
 * Decides which of many similar events get a log line: the first of each key, then at most one per
 * window, saying how many were left out in between. The keys it remembers are bounded, so a flood
 * of distinct keys (random API keys) costs a fixed amount of memory: past the bound, new keys share
 * one window, and `take` says so.
 */
export class LogThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly overflow: Window = { startMs: -Infinity, skipped: 0 };

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 1000,
  ) {}

  /**
   * Null to stay quiet; else how many events of this key were left out since its last line, and
   * whether the key is one of the many that share a window once the bound is reached.
   */
  take(key: string, nowMs: number): { skipped: number; shared: boolean } | null {
    let window = this.windows.get(key);
    if (!window) {
      if (this.windows.size >= this.maxKeys) this.forgetEnded(nowMs);
      if (this.windows.size >= this.maxKeys) {
        const skipped = this.pass(this.overflow, nowMs);
        return skipped === null ? null : { skipped, shared: true };
      }
      this.windows.set(key, (window = { startMs: nowMs, skipped: 0 }));
      return { skipped: 0, shared: false };
    }
    const skipped = this.pass(window, nowMs);
    return skipped === null ? null : { skipped, shared: false };
  }

  private pass(window: Window, nowMs: number): number | null {
    if (nowMs - window.startMs < this.windowMs) {
      window.skipped++;
      return null;
    }
    const skipped = window.skipped;
    window.startMs = nowMs;
    window.skipped = 0;
    return skipped;
  }

  private forgetEnded(nowMs: number): void {
    for (const [key, window] of this.windows) if (nowMs - window.startMs >= this.windowMs) this.windows.delete(key);
  }
}
