import { loadLogSettings } from '../../src/logging/service-logger';

describe('TOKENLEDGER_LOG_FORMAT and TOKENLEDGER_LOG_LEVEL', () => {
  it('colours text only for a terminal, and never with NO_COLOR or in JSON', () => {
    expect(loadLogSettings({}, true)).toEqual({ format: 'text', level: 'info', colors: true });
    expect(loadLogSettings({}, false).colors).toBe(false);
    expect(loadLogSettings({ NO_COLOR: '1' }, true).colors).toBe(false);
    expect(loadLogSettings({ TOKENLEDGER_LOG_FORMAT: 'json' }, true)).toEqual({ format: 'json', level: 'info', colors: false });
  });

  it('refuses an unknown format or level, naming the variable and the choices', () => {
    expect(() => loadLogSettings({ TOKENLEDGER_LOG_FORMAT: 'xml' })).toThrow('TOKENLEDGER_LOG_FORMAT must be "text" or "json", got "xml"');
    expect(() => loadLogSettings({ TOKENLEDGER_LOG_LEVEL: 'verbose' })).toThrow('TOKENLEDGER_LOG_LEVEL must be one of error, warn, info, debug, got "verbose"');
  });
});
