import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceBook } from '../src';

const NOW = Date.parse('2026-11-01T12:00:00Z');

describe('fine-tuned models without published rates', () => {
  const book = PriceBook.load({ pricesFile: null });
  const usage = { provider: 'openai', model: 'ft:gpt-4.1-2025-04-14:acme:support:abc123', inputTokens: 1_000_000, outputTokens: 1_000_000, timestamp: NOW };

  it('are unpriced with reason fine_tuned_unpriced, never priced at the base model’s rate', () => {
    expect(book.price(usage)).toMatchObject({
      status: 'unpriced',
      reason: 'fine_tuned_unpriced',
      detail: expect.stringContaining('base model "gpt-4.1-2025-04-14"'),
    });
  });

  it('come with the price-file entry that prices them once its rates are filled in', () => {
    const result = book.price(usage);
    const suggestion = result.status === 'unpriced' ? result.suggestion : undefined;
    expect(suggestion).toContain('match: { starts_with: "ft:gpt-4.1-2025-04-14:acme:" }');
    // Pasted under `models:` in an operator file (with the fine-tuned rates $3 / $12 filled in), it prices the model.
    const file = join(mkdtempSync(join(tmpdir(), 'tokenledger-ft-')), 'prices.yaml');
    const filled = suggestion!.replace(/input_mtok: "[^"]*"/, 'input_mtok: "3"').replace(/output_mtok: "[^"]*"/, 'output_mtok: "12"');
    writeFileSync(file, `models:\n${filled.replace(/^/gm, '  ')}\n`);
    expect(PriceBook.load({ pricesFile: file }).price(usage)).toMatchObject({ status: 'priced', costUsd: '15.000000000', source: 'operator' });
  });

  it('leave other unknown models unknown', () => {
    expect(book.price({ provider: 'openai', model: 'gpt-99-imaginary', inputTokens: 1 })).toMatchObject({ reason: 'unknown_model' });
    expect(book.price({ provider: 'openai', model: 'gpt-99-imaginary', inputTokens: 1 })).not.toHaveProperty('suggestion');
  });
});

describe('the nearest known model', () => {
  const book = PriceBook.load({ pricesFile: null });
  it.each([
    ['openai', 'gpt4o', 'gpt-4o'],
    ['openai', 'gpt-4o-mnii', 'gpt-4o-mini'],
    ['anthropic', 'claude-sonet-4-5', 'claude-sonnet-4-5'],
  ])('of %s for "%s" is %s', (provider, model, nearest) => {
    expect(book.nearestModel(provider, model)).toBe(nearest);
  });

  it('is none when nothing is close', () => {
    expect(book.nearestModel('openai', 'a-completely-different-thing')).toBeNull();
  });
});
