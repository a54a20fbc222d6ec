import { parseArgs } from 'node:util';
import { PriceBook } from './price-book';
import { PriceBookError } from './price-file';
import type { PriceResult, UsageInput } from './types';

const USAGE = `Usage:
  tokenledger-price --provider P --model M [options]     price one usage
  tokenledger-price models [--provider P]                 list priced models

Options (token counts follow the GenAI convention: --input-tokens INCLUDES cached tokens):
  --operation OP              chat, embeddings, image_generation, audio_transcription, speech, payment
  --input-tokens N            --output-tokens N
  --cached-input-tokens N     cache reads (part of input)
  --cache-write-tokens N      cache writes (part of input)
  --reasoning-tokens N        part of output
  --images N --size WxH --quality Q
  --audio-seconds S           --characters N
  --amount USD --gateway G    a payment gateway fee (stripe, mercadopago)
  --batch                     sent through the provider's batch API
  --at DATE                   price in force at this date (ISO 8601); default now
  --prices-file FILE          operator overrides (default: TOKENLEDGER_PRICES_FILE)
  --json                      one JSON object
  -h, --help`;

class UsageError extends Error {}

const OPTIONS = {
  provider: { type: 'string' },
  model: { type: 'string' },
  operation: { type: 'string' },
  'input-tokens': { type: 'string' },
  'output-tokens': { type: 'string' },
  'cached-input-tokens': { type: 'string' },
  'cache-write-tokens': { type: 'string' },
  'reasoning-tokens': { type: 'string' },
  images: { type: 'string' },
  size: { type: 'string' },
  quality: { type: 'string' },
  'audio-seconds': { type: 'string' },
  characters: { type: 'string' },
  amount: { type: 'string' },
  gateway: { type: 'string' },
  batch: { type: 'boolean' },
  at: { type: 'string' },
  'prices-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

function usageFrom(values: Record<string, string | boolean | undefined>): UsageInput {
  const str = (k: string) => values[k] as string | undefined;
  const operation = str('operation');
  const gateway = str('gateway');
  const amount = str('amount');
  if ((amount === undefined) !== (gateway === undefined)) throw new UsageError('--amount and --gateway go together');
  if (amount !== undefined && !/^\d+(\.\d{1,9})?$/.test(amount)) throw new UsageError(`--amount must be a decimal amount in USD like 10.00, got "${amount}"`);
  const provider = str('provider') ?? gateway;
  const model = str('model') ?? gateway;
  if (!provider) throw new UsageError('--provider is required');
  if (!model) throw new UsageError('--model is required');
  const at = str('at');
  if (at !== undefined && Number.isNaN(Date.parse(at))) throw new UsageError(`--at must be an ISO 8601 date, got "${at}"`);
  const seconds = str('audio-seconds');
  if (seconds !== undefined && !/^\d+(\.\d+)?$/.test(seconds)) throw new UsageError(`--audio-seconds must be a non-negative number, got "${seconds}"`);
  const images = count('images', str('images'));
  return {
    provider,
    model,
    operation: operation ?? (amount !== undefined ? 'payment' : undefined),
    timestamp: at === undefined ? undefined : Date.parse(at),
    inputTokens: count('input-tokens', str('input-tokens')),
    outputTokens: count('output-tokens', str('output-tokens')),
    cacheReadTokens: count('cached-input-tokens', str('cached-input-tokens')),
    cacheWriteTokens: count('cache-write-tokens', str('cache-write-tokens')),
    reasoningTokens: count('reasoning-tokens', str('reasoning-tokens')),
    images: images === undefined ? undefined : { count: images, size: str('size'), quality: str('quality') },
    audioSeconds: seconds === undefined ? undefined : Number(seconds),
    characters: count('characters', str('characters')),
    payment: amount !== undefined ? { amountUsd: amount, gateway: gateway! } : undefined,
    batch: values.batch === true ? true : undefined,
  };
}

function describe(result: PriceResult): string {
  if (result.status === 'unpriced') return `unpriced (${result.reason}): ${result.detail}\nprice book ${result.priceBookVersion}`;
  const width = Math.max(...result.lines.map((l) => l.unit.length), 4);
  const rows = result.lines.map((l) => `  ${l.unit.padEnd(width)}  ${l.quantity} × $${l.unitPriceUsd} = $${l.costUsd}`);
  return [
    `$${result.costUsd}  ${result.matched.provider} ${result.matched.model}`,
    ...rows,
    ...(result.discount ? [`  discount × ${result.discount}`] : []),
    `source ${result.sourceVersion}, price book ${result.priceBookVersion}`,
  ].join('\n');
}

/** Runs the CLI; returns the exit code (0 ok, 1 unpriced, 2 bad arguments or price file). */
export function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    err(`tokenledger-price: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  try {
    const book = PriceBook.load({ pricesFile: values['prices-file'] });
    if (positionals[0] === 'models') {
      const models = book.models(values.provider);
      if (values.json) out(JSON.stringify(models));
      else for (const m of models) out(`${m.provider}\t${m.model}\t${m.source}`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unknown command "${positionals[0]}"`);
    const result = book.price(usageFrom(values));
    if (values.json) {
      out(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    } else out(describe(result));
    return result.status === 'priced' ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`tokenledger-price: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof PriceBookError) {
      err(`tokenledger-price: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
