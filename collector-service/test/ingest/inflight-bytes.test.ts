import { InflightBytes } from '../../src/ingest/inflight-bytes';

describe('the budget of request bytes in flight', () => {
  it('lends bytes until the budget is full, and takes back every byte of a released lease once', () => {
    const budget = new InflightBytes(100);
    const first = budget.acquire(60)!;
    expect(budget.acquire(50)).toBeNull();
    const second = budget.acquire(30)!;
    expect(second.grow(20)).toBe(false);
    expect(second.grow(10)).toBe(true);
    expect(budget.heldBytes).toBe(100);
    first.release();
    first.release();
    expect(budget.heldBytes).toBe(40);
    expect(first.grow(1)).toBe(false);
    second.release();
    expect(budget.heldBytes).toBe(0);
  });
});
