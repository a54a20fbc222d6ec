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
  --cache-write-1h-tokens N   1-hour cache writes (part of the cache writes)
  --audio-input-tokens N      --cached-audio-tokens N (part of the audio and the cache reads)
  --image-input-tokens N      --cached-image-tokens N     --video-input-tokens N
  --audio-output-tokens N     --image-output-tokens N     (parts of input or output)
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
  'cache-write-1h-tokens': { type: 'string' },
  'audio-input-tokens': { type: 'string' },
  'cached-audio-tokens': { type: 'string' },
  'image-input-tokens': { type: 'string' },
  'cached-image-tokens': { type: 'string' },
  'video-input-tokens': { type: 'string' },
  'audio-output-tokens': { type: 'string' },
  'image-output-tokens': { type: 'string' },
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
    inputAudioTokens: count('audio-input-tokens', str('audio-input-tokens')),
    outputAudioTokens: count('audio-output-tokens', str('audio-output-tokens')),
    details: {
      cacheWrite1hTokens: count('cache-write-1h-tokens', str('cache-write-1h-tokens')),
      cacheAudioReadTokens: count('cached-audio-tokens', str('cached-audio-tokens')),
      inputImageTokens: count('image-input-tokens', str('image-input-tokens')),
      cacheImageReadTokens: count('cached-image-tokens', str('cached-image-tokens')),
      inputVideoTokens: count('video-input-tokens', str('video-input-tokens')),
      outputImageTokens: count('image-output-tokens', str('image-output-tokens')),
    },
    images: images === undefined ? undefined : { count: images, size: str('size'), quality: str('quality') },
    audioSeconds: seconds === undefined ? undefined : Number(seconds),
    characters: count('characters', str('characters')),
    payment: amount !== undefined ? { amountUsd: amount, gateway: gateway! } : undefined,
    batch: values.batch === true ? true : undefined,
  };
}

function describe(result: PriceResult, didYouMean: string | null): string {
  if (result.status === 'unpriced') {
    return [
      `unpriced (${result.reason}): ${result.detail}${didYouMean ? `; did you mean ${didYouMean}?` : ''}`,
      ...(result.suggestion ? ['price-file entry that would price it:', result.suggestion] : []),
      `price book ${result.priceBookVersion}`,
    ].join('\n');
  }
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
    const usage = usageFrom(values);
    const result = book.price(usage);
    const didYouMean = result.status === 'unpriced' && result.reason === 'unknown_model' ? book.nearestModel(usage.provider, usage.model) : null;
    if (values.json) {
      out(JSON.stringify(didYouMean ? { ...result, didYouMean } : result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    } else out(describe(result, didYouMean));
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
