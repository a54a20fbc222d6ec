import { localLabel, localSteps } from '../../src/time/periods';

const hoursOf = (fromIso: string, toIso: string, tz: string) =>
  localSteps('hour', Date.parse(fromIso), Date.parse(toIso), tz).map((ms) => localLabel(ms, tz, 'hour'));

describe('the local hours of a report range', () => {
  it('are 23 on the day Madrid moves its clocks forward, 02:00 skipped', () => {
    const hours = hoursOf('2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 'Europe/Madrid');
    expect(hours).toHaveLength(23);
    expect(hours.slice(0, 4)).toEqual(['2026-03-29T00:00:00+01:00', '2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-29T04:00:00+02:00']);
    expect(hours.at(-1)).toBe('2026-03-29T23:00:00+02:00');
  });

  it('are 25 on the day New York moves them back, 01:00 twice', () => {
    const hours = hoursOf('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 'America/New_York');
    expect(hours).toHaveLength(25);
    expect(hours.slice(1, 4)).toEqual(['2026-11-01T01:00:00-04:00', '2026-11-01T01:00:00-05:00', '2026-11-01T02:00:00-05:00']);
  });

  it('start at the local hour containing the range start, then every hour up to its end', () => {
    expect(hoursOf('2026-11-24T12:20:00Z', '2026-11-24T15:00:00Z', 'Asia/Kathmandu')).toEqual([
      '2026-11-24T18:00:00+05:45',
      '2026-11-24T19:00:00+05:45',
      '2026-11-24T20:00:00+05:45',
    ]);
  });

  it('follow a half-hour clock change by the hour that passed, as Lord Howe Island lives it', () => {
    // 2026-04-05 02:00 at +11:00 becomes 01:30 at +10:30.
    expect(hoursOf('2026-04-04T13:00:00Z', '2026-04-04T17:00:00Z', 'Australia/Lord_Howe')).toEqual([
      '2026-04-05T00:00:00+11:00',
      '2026-04-05T01:00:00+11:00',
      '2026-04-05T01:30:00+10:30',
      '2026-04-05T02:30:00+10:30',
    ]);
  });
});
