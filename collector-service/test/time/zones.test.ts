import { checkZone, TimeZoneError } from '../../src/time/periods';

describe('checking a time zone name', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers a zone it has already found valid without building a date formatter', () => {
    checkZone('Pacific/Chatham');
    const formatters = jest.spyOn(Intl, 'DateTimeFormat');
    expect(checkZone('Pacific/Chatham')).toBe('Pacific/Chatham');
    expect(formatters).not.toHaveBeenCalled();
  });

  it('rejects an unknown zone every time it is asked, naming it', () => {
    for (let i = 0; i < 2; i++)
      expect(() => checkZone('Fantasia/Castle')).toThrow(
        new TimeZoneError('"Fantasia/Castle" is not an IANA time zone (e.g. UTC, Europe/Madrid, America/New_York)'),
      );
  });

  it('still accepts valid zones once many spellings of one zone have filled what it remembers', () => {
    const spellings = Array.from({ length: 2048 }, (_, i) =>
      [...'america/new_york'].map((c, bit) => (bit < 11 && (i >> bit) & 1 ? c.toUpperCase() : c)).join(''),
    );
    for (const zone of spellings) expect(checkZone(zone)).toBe(zone);
    expect(checkZone('Asia/Kathmandu')).toBe('Asia/Kathmandu');
    expect(() => checkZone('Asia/Atlantis')).toThrow(TimeZoneError);
  });
});
