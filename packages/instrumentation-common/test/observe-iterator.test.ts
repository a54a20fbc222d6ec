import { observeAsyncIterator, type IteratorObserver } from '../src';

/** A stream of 0..n-1 whose values arrive asynchronously, as an SDK's do; it fails at `failAt`. */
async function* numbers(n: number, failAt?: number) {
  for (let i = 0; i < n; i++) {
    await Promise.resolve();
    if (i === failAt) throw new Error(`failed at ${i}`);
    yield i;
  }
}

function recorder(): IteratorObserver<number> & { items: number[]; ends: unknown[] } {
  const items: number[] = [];
  const ends: unknown[] = [];
  return { items, ends, item: (v) => items.push(v), end: (e) => ends.push(e ?? 'ok') };
}

describe('observeAsyncIterator', () => {
  it('passes every value through and ends once when exhausted', async () => {
    const obs = recorder();
    const got: number[] = [];
    for await (const v of observeAsyncIterator(numbers(4), obs)) got.push(v);
    expect(got).toEqual([0, 1, 2, 3]);
    expect(obs.items).toEqual([0, 1, 2, 3]);
    expect(obs.ends).toEqual(['ok']);
  });

  it('ends once with what was seen when the app breaks out early', async () => {
    const obs = recorder();
    for await (const v of observeAsyncIterator(numbers(10), obs)) if (v === 2) break;
    expect(obs.items).toEqual([0, 1, 2]);
    expect(obs.ends).toEqual(['ok']);
  });

  it('rethrows the source error untouched and ends with it', async () => {
    const obs = recorder();
    const it = observeAsyncIterator(numbers(5, 3), obs);
    await expect(
      (async () => {
        for await (const _ of it) void _;
      })(),
    ).rejects.toThrow('failed at 3');
    expect(obs.items).toEqual([0, 1, 2]);
    expect((obs.ends[0] as Error).message).toBe('failed at 3');
    expect(obs.ends).toHaveLength(1);
  });

  it('never lets an observer fault reach the app', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const got: number[] = [];
    const faulty: IteratorObserver<number> = {
      item: () => {
        throw new Error('observer bug');
      },
      end: () => {
        throw new Error('observer bug at end');
      },
    };
    for await (const v of observeAsyncIterator(numbers(3), faulty)) got.push(v);
    expect(got).toEqual([0, 1, 2]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
