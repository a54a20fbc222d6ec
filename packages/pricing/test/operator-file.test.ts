import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceBook, PriceBookError } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'tokenledger-prices-'));
function fileWith(content: string): string {
  const path = join(dir, `prices-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, content);
  return path;
}

function loadError(content: string): PriceBookError {
  const path = fileWith(content);
  try {
    PriceBook.load({ pricesFile: path });
  } catch (err) {
    if (err instanceof PriceBookError) return err;
    throw err;
  }
  throw new Error('the file loaded, but it should have been refused');
}

describe('a bad operator price file stops the start with file, line and field', () => {
  it.each([
    [
      'a price that is not a decimal',
      'models:\n  - provider: openai\n    model: gpt-4o\n    effective_from: 2026-01-01\n    prices:\n      input_mtok: "abc"\n',
      6,
      'models[0].prices.input_mtok',
      /must be a non-negative decimal string/,
    ],
    [
      'a price written as a YAML number (would be a float)',
      'models:\n  - provider: openai\n    model: gpt-4o\n    effective_from: 2026-01-01\n    prices:\n      input_mtok: 2.5\n',
      6,
      'models[0].prices.input_mtok',
      /decimal string/,
    ],
    [
      'a missing effective date',
      'models:\n  - provider: openai\n    model: gpt-4o\n    prices:\n      input_mtok: "2"\n',
      2,
      'models[0].effective_from',
      /is required/,
    ],
    [
      'an end before the start',
      'models:\n  - provider: openai\n    model: gpt-4o\n    effective_from: 2026-02-01\n    effective_to: 2026-01-01\n    prices:\n      input_mtok: "2"\n',
      5,
      'models[0].effective_to',
      /must be after effective_from/,
    ],
    [
      'an unknown price key',
      'models:\n  - provider: openai\n    model: gpt-4o\n    effective_from: 2026-01-01\n    prices:\n      input_per_token: "2"\n',
      6,
      'models[0].prices.input_per_token',
      /is not a known price/,
    ],
    [
      'a discount without a multiplier',
      'discounts:\n  - provider: anthropic\n    effective_from: 2026-01-01\n',
      2,
      'discounts[0].multiplier',
      /must be a non-negative decimal string/,
    ],
  ])('%s', (_name, content, line, field, message) => {
    const err = loadError(content);
    expect(err.line).toBe(line);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`${err.file}:${line}: ${field}`);
  });

  it('names the file and line of a YAML syntax error', () => {
    const err = loadError('models:\n  - provider: openai\n    model: [unclosed\n');
    expect(err.message).toMatch(/prices-.*\.yaml:\d+: not valid YAML/);
  });

  it('names a file that does not exist', () => {
    expect(() => PriceBook.load({ pricesFile: join(dir, 'missing.yaml') })).toThrow(/missing\.yaml: cannot read the price file/);
  });

  it('reads TOKENLEDGER_PRICES_FILE when no file is given', () => {
    const path = fileWith('models:\n  - provider: openai\n    model: gpt-4o\n    effective_from: 2020-01-01\n    prices:\n      input_mtok: "1"\n');
    const before = process.env.TOKENLEDGER_PRICES_FILE;
    process.env.TOKENLEDGER_PRICES_FILE = path;
    try {
      expect(PriceBook.load().price({ provider: 'openai', model: 'gpt-4o', inputTokens: 1_000_000 })).toMatchObject({
        costUsd: '1.000000000',
        source: 'operator',
      });
    } finally {
      if (before === undefined) delete process.env.TOKENLEDGER_PRICES_FILE;
      else process.env.TOKENLEDGER_PRICES_FILE = before;
    }
  });
});
