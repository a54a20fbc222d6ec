import { formatUsd, nanosToUsd, percentChange } from '../../web/src/money';
import { addDays, rangeQuery, type Scope } from '../../web/src/scope';

describe('the dashboard formats money from exact decimal strings', () => {
  it('rounds to the cent half up from the exact string, not from a float', () => {
    // 1.005 is 1.00499999999999989... as a double: a float formatter shows $1.00.
    expect(formatUsd('1.005000000', 'en-US')).toBe('$1.01');
    expect(formatUsd('1234.564999999', 'en-US')).toBe('$1,234.56');
    expect(formatUsd('9007199254740993.010000000', 'en-US')).toBe('$9,007,199,254,740,993.01');
  });

  it('keeps significant digits of amounts under a cent, and shows zero as $0.00', () => {
    expect(formatUsd('0.000123000', 'en-US')).toBe('$0.000123');
    expect(formatUsd('0.000000001', 'en-US')).toBe('$0.000000001');
    expect(formatUsd('0.009994000', 'en-US')).toBe('$0.00999');
    expect(formatUsd('0.000000000', 'en-US')).toBe('$0.00');
    expect(formatUsd(null, 'en-US')).toBe('—');
  });

  it("follows the browser's locale", () => {
    expect(formatUsd('1234.5', 'de-DE')).toBe('1.234,50\u00a0$');
  });

  it('turns exact nanos back into the API’s decimal strings, and compares periods exactly', () => {
    expect(nanosToUsd(1_234_567_890_123n)).toBe('1234.567890123');
    expect(nanosToUsd(5n)).toBe('0.000000005');
    expect(percentChange('200', '250')).toBe(25);
    expect(percentChange('0', '250')).toBeNull();
  });
});

describe('the dashboard asks the report API for the chosen period', () => {
  const scope = (over: Partial<Scope>): Scope => ({ period: '30d', from: '2026-02-01', to: '2026-02-28', tz: 'UTC', filters: {}, ...over });

  it('moves calendar dates across month ends and leap days', () => {
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('sends today and month to date as periods, the last N days from local midnight, and a custom range with its last day included', () => {
    expect(rangeQuery(scope({ period: 'today', tz: 'Europe/Madrid' }))).toEqual({ tz: 'Europe/Madrid', period: 'today' });
    expect(rangeQuery(scope({ period: 'mtd' }))).toMatchObject({ period: 'month' });
    const sevenDays = rangeQuery(scope({ period: '7d' }));
    expect(sevenDays.from).toBe(addDays(new Date().toISOString().slice(0, 10), -6));
    expect(sevenDays.to).toBeUndefined();
    expect(rangeQuery(scope({ period: 'custom', filters: { provider: 'anthropic' } }))).toEqual({
      tz: 'UTC',
      provider: 'anthropic',
      from: '2026-02-01',
      to: '2026-03-01',
    });
  });
});
