import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '..', 'bin', 'tokenledger-price.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TOKENLEDGER_PRICES_FILE: '' } });
/** What --json prints, as far as these tests read it: a price result with its amounts as decimal text. */
type JsonPrice = { status: string; reason?: string; costUsd?: string; unitPrices?: Record<string, string>; didYouMean?: string };
const readJson = (stdout: string) => JSON.parse(stdout) as JsonPrice;
const json = (...args: string[]) => readJson(cli(...args, '--json').stdout);

describe('tokenledger-price', () => {
  it('prints the cost with its breakdown', () => {
    const run = cli('--provider', 'openai', '--model', 'gpt-4o', '--input-tokens', '1500', '--output-tokens', '2000');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\$0\.023750000 {2}openai gpt-4o$/m);
    expect(run.stdout).toMatch(/input_tokens\s+1500 × \$0\.0000025 = \$0\.00375/);
    expect(run.stdout).toMatch(/output_tokens\s+2000 × \$0\.00001 = \$0\.02/);
  });

  it('prints one JSON object with --json', () => {
    const run = cli(
      '--provider',
      'anthropic',
      '--model',
      'claude-3-5-sonnet-20241022',
      '--input-tokens',
      '1500',
      '--cached-input-tokens',
      '1000',
      '--cache-write-tokens',
      '200',
      '--output-tokens',
      '2000',
      '--json',
    );
    const out = readJson(run.stdout);
    expect(out).toMatchObject({ status: 'priced', costNanos: '31950000', costUsd: '0.031950000', source: 'catalog' });
    expect(out.unitPrices).toMatchObject({ cache_read_tokens: '0.0000003', cache_write_tokens: '0.00000375' });
  });

  it('prices images, audio, speech, fees and batch usage', () => {
    expect(json('--provider', 'openai', '--model', 'dall-e-3', '--images', '1', '--size', '1024x1792', '--quality', 'hd').costUsd).toBe('0.120000000');
    expect(json('--provider', 'openai', '--model', 'whisper-1', '--audio-seconds', '60').costUsd).toBe('0.006000000');
    expect(json('--provider', 'openai', '--model', 'tts-1-hd', '--characters', '1000').costUsd).toBe('0.030000000');
    expect(json('--amount', '10.00', '--gateway', 'stripe').costUsd).toBe('0.590000000');
    expect(json('--provider', 'openai', '--model', 'gpt-4o', '--input-tokens', '1500', '--output-tokens', '2000', '--batch').costUsd).toBe('0.011875000');
    expect(json('--provider', 'openai', '--model', 'o3', '--input-tokens', '1000000', '--at', '2025-06-01').costUsd).toBe('10.000000000');
  });

  it('reports an unknown model as unpriced with its reason and exit code 1', () => {
    const run = cli('--provider', 'openai', '--model', 'gpt-99', '--input-tokens', '1', '--json');
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'unpriced', reason: 'unknown_model' });
  });

  it('suggests the nearest known model for a miss', () => {
    const run = cli('--provider', 'openai', '--model', 'gpt4o', '--input-tokens', '1');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^unpriced \(unknown_model\): no price for model "gpt4o" of provider "openai"; did you mean gpt-4o\?$/m);
    expect(JSON.parse(cli('--provider', 'openai', '--model', 'gpt4o', '--input-tokens', '1', '--json').stdout)).toMatchObject({
      reason: 'unknown_model',
      didYouMean: 'gpt-4o',
    });
  });

  it('prints the price-file entry that would price a fine-tuned model without published rates', () => {
    const run = cli('--provider', 'openai', '--model', 'ft:gpt-4.1-2025-04-14:acme::abc123', '--input-tokens', '1', '--at', '2026-11-01');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('unpriced (fine_tuned_unpriced)');
    expect(run.stdout).toContain(
      [
        '- provider: openai',
        '  match: { starts_with: "ft:gpt-4.1-2025-04-14:acme:" }',
        '  effective_from: 2026-11-01',
        '  prices: { input_mtok: "2", output_mtok: "8" }',
      ].join('\n'),
    );
  });

  it('prices audio, image and video tokens and 1-hour cache writes given on the command line', () => {
    // 300 text × $4 + 100 cached text × $0.40 + 300 audio × $32 + 200 cached audio × $0.40 + 100 image × $5 + 50 out × $16 + 250 audio out × $64
    const realtime = [
      '--provider',
      'openai',
      '--model',
      'gpt-realtime',
      '--input-tokens',
      '1000',
      '--cached-input-tokens',
      '300',
      '--audio-input-tokens',
      '500',
      '--cached-audio-tokens',
      '200',
    ];
    expect(json(...realtime, '--image-input-tokens', '100', '--output-tokens', '300', '--audio-output-tokens', '250').costUsd).toBe('0.028220000');
    // 3,000 × $3 + 1,000 × $0.30 + 2,000 × $3.75 + 4,000 × $6 + 500 × $15
    expect(
      json(
        '--provider',
        'anthropic',
        '--model',
        'claude-sonnet-4-5',
        '--input-tokens',
        '10000',
        '--cached-input-tokens',
        '1000',
        '--cache-write-tokens',
        '6000',
        '--cache-write-1h-tokens',
        '4000',
        '--output-tokens',
        '500',
      ).costUsd,
    ).toBe('0.048300000');
  });

  it.each([
    [['--provider', 'openai', '--model', 'gpt-4o', '--input-tokens', 'lots'], /--input-tokens must be a non-negative integer/],
    [['--model', 'gpt-4o'], /--provider is required/],
    [['--provider', 'openai', '--model', 'gpt-4o', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['--amount', '10'], /--amount and --gateway go together/],
    [['--provider', 'openai', '--model', 'gpt-4o', '--at', 'yesterday'], /--at must be an ISO 8601 date/],
  ])('prints usage and exits 2 on bad arguments %j', (args, message) => {
    const run = cli(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Usage:');
  });

  it('lists priced models of a provider', () => {
    const run = cli('models', '--provider', 'openai');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toContain('openai\tgpt-4o\tcatalog');
    expect(lines.some((l) => l.startsWith('openai\ttts-1-hd') && l.endsWith('\tsupplemental'))).toBe(true);
    expect(lines.every((l) => l.startsWith('openai\t'))).toBe(true);
  });
});
