import { decodeRecord, encodeRecord } from '../../src/storage/record-codec';
import { record } from '../support/records';

describe('stored record text', () => {
  it('keeps audio tokens and money exactly through a round trip', () => {
    const r = record({ audioTokens: { input: 1000, output: 20 }, costNanos: 11_250_000n, providedCostNanos: 7n });
    expect(decodeRecord(encodeRecord(r))).toEqual(r);
  });

  it('decodes a record stored before audio tokens were read, as having none', () => {
    const { audioTokens: _dropped, ...older } = JSON.parse(encodeRecord(record())) as Record<string, unknown>;
    expect('audioTokens' in older).toBe(false);
    expect(decodeRecord(JSON.stringify(older)).audioTokens).toBeNull();
  });
});
