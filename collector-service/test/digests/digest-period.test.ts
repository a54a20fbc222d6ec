import { latestDuePeriod, previousPeriod } from '../../src/digests/digest-period';

const iso = (ms: number) => new Date(ms).toISOString();
const due = (s: Parameters<typeof latestDuePeriod>[0], now: string) => {
  const p = latestDuePeriod(s, Date.parse(now));
  return [iso(p.startMs), iso(p.endMs), iso(p.dueMs)];
};

describe('the period a digest is due for', () => {
  const daily = { cadence: 'daily' as const, weekday: null, hour: 8, timezone: 'UTC' };

  it('is the day before once the hour has come, and the day before that until then', () => {
    expect(due(daily, '2026-11-25T08:00:00Z')).toEqual(['2026-11-24T00:00:00.000Z', '2026-11-25T00:00:00.000Z', '2026-11-25T08:00:00.000Z']);
    expect(due(daily, '2026-11-25T07:59:59.999Z')).toEqual(['2026-11-23T00:00:00.000Z', '2026-11-24T00:00:00.000Z', '2026-11-24T08:00:00.000Z']);
  });

  it('follows the local days of its time zone, a 23-hour DST day included', () => {
    const madrid = { ...daily, hour: 0, timezone: 'Europe/Madrid' };
    // 29 March 2026: clocks go from 02:00 to 03:00 in Madrid.
    expect(due(madrid, '2026-03-29T22:00:00Z')).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    const previous = previousPeriod(madrid, { startMs: Date.parse('2026-03-29T22:00:00Z') });
    expect([iso(previous.startMs), iso(previous.endMs)]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  });

  it('is the seven local days before its weekday for a weekly digest', () => {
    const monday = { cadence: 'weekly' as const, weekday: 'monday' as const, hour: 9, timezone: 'Europe/Madrid' };
    // Wednesday 25 November: the week that ended on Monday the 23rd, sent that Monday at 09:00 Madrid.
    expect(due(monday, '2026-11-25T12:00:00Z')).toEqual(['2026-11-15T23:00:00.000Z', '2026-11-22T23:00:00.000Z', '2026-11-23T08:00:00.000Z']);
    // Monday 30 November before 09:00 Madrid: still that week; from 09:00 the next.
    expect(due(monday, '2026-11-30T07:59:00Z')[0]).toBe('2026-11-15T23:00:00.000Z');
    expect(due(monday, '2026-11-30T08:00:00Z')).toEqual(['2026-11-22T23:00:00.000Z', '2026-11-29T23:00:00.000Z', '2026-11-30T08:00:00.000Z']);
    const friday = { ...monday, weekday: 'friday' as const, timezone: 'UTC' };
    expect(due(friday, '2026-11-27T09:00:00Z')).toEqual(['2026-11-20T00:00:00.000Z', '2026-11-27T00:00:00.000Z', '2026-11-27T09:00:00.000Z']);
  });
});
