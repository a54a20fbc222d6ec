import { eachRow, type KeyPart, packRows, type RowKeep, type SumsRow, unpackRows } from '../../src/storage/mongo/sums-table';
import { NUMBER_MEASURES, zeroSums } from '../../src/storage/rollup-measures';
import { jsonColumns } from '../support/old-stores';

/** Sums with every measure set from `i`, some negative (a correction), up to the largest safe integers, the cost as given. */
function sumsOf(i: number, costNanos: bigint) {
  const sums = zeroSums();
  sums.costNanos = costNanos;
  NUMBER_MEASURES.forEach((m, k) => {
    const count = i === 2 ? Number.MAX_SAFE_INTEGER : (i * 90_000_037 + k) % 2 ** (k * 5);
    sums[m.name] = m.kind === 'duration' ? i * 812.25 - 7.5 : (i % 3 === 0 ? -1 : 1) * count + 0;
  });
  return sums;
}

/** 70,000 rows of 4 key parts: a bucket, a value of 3 (or none), one of 300 and a value of its own; costs from -2^63 + 1 to 2^63 - 1. */
const rows: SumsRow[] = Array.from({ length: 70_000 }, (_, i) => ({
  key: [1_780_000_000_000 + (i % 7) * 900_000, i % 4 === 3 ? null : `model-${i % 3}`, `user-${i % 300}`, `chat-${i}`],
  sums: sumsOf(i, i === 0 ? 2n ** 63n - 1n : i === 1 ? -(2n ** 63n - 1n) : BigInt(i) * 9_007_199_254_741n - 5n),
}));

describe('packed tables of sums (mongo)', () => {
  it('read back every key part and sum exactly: costs past 2^53 and negative, fractional durations, no value, dictionaries past 256 and 65,536 values', () => {
    expect(unpackRows(packRows(rows, 4, () => 'a row'))).toEqual(rows);
    expect(unpackRows(packRows([], 4, () => 'a row'))).toEqual([]);
  });

  it('make only the rows whose columns hold the filter values, asking `keep` of those alone', () => {
    const blob = packRows(rows, 4, () => 'a row');
    const asked: (readonly KeyPart[])[] = [];
    const keep: RowKeep = Object.assign(
      (key: readonly KeyPart[]) => {
        asked.push(key);
        return key[3] !== 'chat-12';
      },
      { columns: [[1, null] as const, [2, 'user-3'] as const] },
    );
    const expected = rows.filter((r) => r.key[1] === null && r.key[2] === 'user-3');
    expect(expected.length).toBeGreaterThan(10);
    expect(unpackRows(blob, keep)).toEqual(expected.filter((r) => r.key[3] !== 'chat-12'));
    expect(asked).toEqual(expected.map((r) => r.key));
    // A value no row holds: nothing is made.
    asked.length = 0;
    const none: RowKeep = Object.assign(() => true, { columns: [[2, 'user-300'] as const] });
    eachRow(blob, none, () => asked.push([]));
    expect(asked).toEqual([]);
  });

  it('read tables packed as JSON columns by the versions before, filters alike', () => {
    const some = rows.slice(0, 2_000);
    const old = jsonColumns(some, 4);
    expect(unpackRows(old)).toEqual(some);
    const keep: RowKeep = Object.assign(() => true, { columns: [[1, 'model-2'] as const] });
    expect(unpackRows(old, keep)).toEqual(some.filter((r) => r.key[1] === 'model-2'));
  });

  it('leave a filter on a part a table has no column for (rows keyed in fewer parts) to `keep`, dictionary or JSON columns', () => {
    const some = rows.slice(0, 2_000);
    const keep: RowKeep = Object.assign((key: readonly KeyPart[]) => key.length === 4 && key[2] === 'user-3', {
      columns: [[2, 'user-3'] as const, [6, 'user-3'] as const],
    });
    const expected = some.filter((r) => r.key[2] === 'user-3');
    expect(expected.length).toBeGreaterThan(5);
    expect(
      unpackRows(
        packRows(some, 4, () => 'a row'),
        keep,
      ),
    ).toEqual(expected);
    expect(unpackRows(jsonColumns(some, 4), keep)).toEqual(expected);
  });
});
