import { LogThrottle } from '../../src/ingest/log-throttle';

describe('LogThrottle', () => {
  it('lets the first event of a key through, then one a minute, saying how many it left out', () => {
    const throttle = new LogThrottle(60_000);
    expect(throttle.take('401/tl_ingest_a', 0)).toEqual({ skipped: 0, shared: false });
    expect(throttle.take('401/tl_ingest_a', 1_000)).toBeNull();
    expect(throttle.take('401/tl_ingest_a', 59_999)).toBeNull();
    expect(throttle.take('401/tl_ingest_b', 30_000)).toEqual({ skipped: 0, shared: false });
    expect(throttle.take('401/tl_ingest_a', 60_000)).toEqual({ skipped: 2, shared: false });
    expect(throttle.take('401/tl_ingest_a', 61_000)).toBeNull();
  });

  it('remembers a bounded number of keys: past it, new keys share one window', () => {
    const throttle = new LogThrottle(60_000, 2);
    expect(throttle.take('a', 0)).toEqual({ skipped: 0, shared: false });
    expect(throttle.take('b', 0)).toEqual({ skipped: 0, shared: false });
    expect(throttle.take('c', 1)).toEqual({ skipped: 0, shared: true });
    expect(throttle.take('d', 2)).toBeNull();
    // Once a remembered key's window has ended, its place is free again.
    expect(throttle.take('e', 60_000)).toEqual({ skipped: 0, shared: false });
  });
});
