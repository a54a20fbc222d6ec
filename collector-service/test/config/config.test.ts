import { describeStore, loadConfig } from '../../src/config/config';

describe('where the store lives', () => {
  it('defaults to tokenledger.sqlite in $HOME/.local/share/tokenledger, not the working directory', () => {
    const config = loadConfig({ HOME: '/home/ada' });
    expect(config.dataDir).toBe('/home/ada/.local/share/tokenledger');
    expect(config.sqlitePath).toBe('/home/ada/.local/share/tokenledger/tokenledger.sqlite');
  });

  it('uses an absolute XDG_DATA_HOME and ignores a relative one, as the XDG spec says', () => {
    expect(loadConfig({ HOME: '/home/ada', XDG_DATA_HOME: '/data' }).sqlitePath).toBe('/data/tokenledger/tokenledger.sqlite');
    expect(loadConfig({ HOME: '/home/ada', XDG_DATA_HOME: 'data' }).sqlitePath).toBe('/home/ada/.local/share/tokenledger/tokenledger.sqlite');
  });

  it('puts the store in TOKENLEDGER_DATA_DIR when it is set, and TOKENLEDGER_SQLITE_PATH wins over both', () => {
    expect(loadConfig({ HOME: '/home/ada', TOKENLEDGER_DATA_DIR: '/srv/tl' }).sqlitePath).toBe('/srv/tl/tokenledger.sqlite');
    expect(loadConfig({ HOME: '/home/ada', TOKENLEDGER_DATA_DIR: '/srv/tl', TOKENLEDGER_SQLITE_PATH: '/tmp/x.sqlite' }).sqlitePath).toBe('/tmp/x.sqlite');
  });

  it('describes a mongo store by its URI without the password', () => {
    const config = loadConfig({ TOKENLEDGER_STORE: 'mongo', MONGODB_URI: 'mongodb://app:s3cret@db1:27017,db2:27017/tokenledger?replicaSet=rs0' });
    expect(describeStore(config)).toBe('mongo mongodb://app:***@db1:27017,db2:27017/tokenledger?replicaSet=rs0');
    expect(describeStore(loadConfig({ TOKENLEDGER_SQLITE_PATH: '/tmp/x.sqlite' }))).toBe('sqlite /tmp/x.sqlite');
  });
});

describe('the mongo store', () => {
  it('keeps 400,000 rows of compacted documents decoded unless TOKENLEDGER_MONGO_CACHED_ROWS says otherwise, and names the setting when it is not a count', () => {
    expect(loadConfig({}).mongoCachedRows).toBe(400_000);
    expect(loadConfig({ TOKENLEDGER_MONGO_CACHED_ROWS: '0' }).mongoCachedRows).toBe(0);
    expect(loadConfig({ TOKENLEDGER_MONGO_CACHED_ROWS: '2000000' }).mongoCachedRows).toBe(2_000_000);
    expect(() => loadConfig({ TOKENLEDGER_MONGO_CACHED_ROWS: 'lots' })).toThrow(/TOKENLEDGER_MONGO_CACHED_ROWS/);
    expect(() => loadConfig({ TOKENLEDGER_MONGO_CACHED_ROWS: '-1' })).toThrow(/TOKENLEDGER_MONGO_CACHED_ROWS/);
  });
});

describe('the budget sync', () => {
  it('starts a round every 1000 ms unless TOKENLEDGER_BUDGET_SYNC_MS says otherwise (0: none on a timer), and names the setting when it is not a count of milliseconds', () => {
    expect(loadConfig({}).budgetSyncMs).toBe(1000);
    expect(loadConfig({ TOKENLEDGER_BUDGET_SYNC_MS: '250' }).budgetSyncMs).toBe(250);
    expect(loadConfig({ TOKENLEDGER_BUDGET_SYNC_MS: '0' }).budgetSyncMs).toBe(0);
    for (const bad of ['1s', '-1', '1.5', '600001']) {
      expect(() => loadConfig({ TOKENLEDGER_BUDGET_SYNC_MS: bad })).toThrow(`TOKENLEDGER_BUDGET_SYNC_MS must be a whole number from 0 to 600000, got "${bad}"`);
    }
  });
});
