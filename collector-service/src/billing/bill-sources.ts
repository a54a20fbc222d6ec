import { billedAmountToNanos } from '@tokenledger/pricing';
import type { RetryPolicy } from '../channels/retry';
import { BillPullError, fetchAllPages } from './admin-fetch';
import { type BilledDay, type BilledLine, type BilledProvider, type BilledUsage, type Day, dayOf, dayStartMs, emptyUsage } from './billed-day';
import { sentText } from '../http/sent-text';

/** Where and how to reach one organization's admin API. */
export interface AdminAccess {
  key: string;
  baseUrl: string;
}

/** Pulls what one provider billed on each UTC day of [fromDay, toDay), as BilledDays (without their pull time). */
export type BillSource = (access: AdminAccess, fromMs: number, toMs: number, retry: RetryPolicy) => Promise<Omit<BilledDay, 'pulledAtMs'>[]>;

/** A count the bill must hold: a whole number, zero or more. */
function count(value: unknown, what: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new BillPullError(`${what} is not a whole number of zero or more: ${JSON.stringify(value)}`, true);
  return value;
}

function amount(text: unknown, unitsPerUsd: 1 | 100, what: string): bigint {
  try {
    return billedAmountToNanos(String(text), unitsPerUsd);
  } catch (err) {
    throw new BillPullError(`${what}: ${(err as Error).message}`, true);
  }
}

/** The days, in order, with their lines and usage merged per model. */
class DayBuilder {
  private readonly days = new Map<Day, { lines: BilledLine[]; usage: Map<string, BilledUsage> }>();

  constructor(private readonly provider: BilledProvider) {}

  day(day: Day) {
    let d = this.days.get(day);
    if (!d) this.days.set(day, (d = { lines: [], usage: new Map() }));
    return d;
  }

  usage(day: Day, model: string): BilledUsage {
    const usage = this.day(day).usage;
    let u = usage.get(model);
    if (!u) usage.set(model, (u = emptyUsage(model)));
    return u;
  }

  build(): Omit<BilledDay, 'pulledAtMs'>[] {
    return [...this.days]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([day, d]) => ({
        provider: this.provider,
        day,
        costNanos: d.lines.reduce((sum, l) => sum + BigInt(l.costNanos), 0n).toString(),
        lines: d.lines,
        usage: [...d.usage.values()],
      }));
  }
}

interface OpenAiBucket {
  start_time: number;
  results: Record<string, unknown>[];
}

/** OpenAI's line items name the model first: "gpt-4o-2024-08-06, input". */
const lineItemModel = (item: string): string | null => (item.includes(', ') ? item.slice(0, item.lastIndexOf(', ')) : null);

/** The usage endpoints whose per-model counts the reconciliation compares. */
const OPENAI_USAGE: [endpoint: string, add: (u: BilledUsage, r: Record<string, unknown>, what: string) => void][] = [
  [
    'completions',
    (u, r, what) => {
      u.inputTokens += count(r.input_tokens, `${what} input_tokens`);
      u.outputTokens += count(r.output_tokens, `${what} output_tokens`);
      u.cacheReadTokens += count(r.input_cached_tokens, `${what} input_cached_tokens`);
      u.cacheWriteTokens += count(r.input_cache_write_tokens, `${what} input_cache_write_tokens`);
    },
  ],
  ['embeddings', (u, r, what) => (u.inputTokens += count(r.input_tokens, `${what} input_tokens`))],
  ['images', (u, r, what) => (u.images += count(r.images, `${what} images`))],
  ['audio_speeches', (u, r, what) => (u.characters += count(r.characters, `${what} characters`))],
  ['audio_transcriptions', (u, r, what) => (u.audioSeconds += count(r.seconds, `${what} seconds`))],
];

/** OpenAI's amounts are JSON numbers: read their own digits, never the double JSON.parse makes of them. */
const keepAmountDigits = (key: string, value: unknown, context: { source?: string }) =>
  key === 'value' && typeof value === 'number' && context?.source !== undefined ? context.source : value;

/**
 * OpenAI's Costs API (`group_by=line_item`, amounts in USD) and Usage API (`group_by=model`) for
 * completions, embeddings, images, speech and transcriptions, daily buckets.
 */
export const openAiBill: BillSource = async (access, fromMs, toMs, retry) => {
  const headers = { authorization: `Bearer ${access.key}` };
  const range = (path: string, limit: number, groupBy: string) => {
    const url = new URL(`${access.baseUrl.replace(/\/+$/, '')}${path}`);
    url.searchParams.set('start_time', String(fromMs / 1000));
    url.searchParams.set('end_time', String(toMs / 1000));
    url.searchParams.set('bucket_width', '1d');
    url.searchParams.append('group_by[]', groupBy);
    url.searchParams.set('limit', String(limit));
    return url;
  };
  const days = new DayBuilder('openai');
  const costs = await fetchAllPages<OpenAiBucket>(range('/organization/costs', 180, 'line_item'), headers, 'OpenAI costs API', retry, keepAmountDigits);
  for (const bucket of costs) {
    const day = dayOf(count(bucket.start_time, 'OpenAI costs bucket start_time') * 1000);
    const d = days.day(day);
    for (const r of bucket.results ?? []) {
      const value = (r.amount as { value?: unknown } | undefined)?.value;
      const currency = (r.amount as { currency?: unknown } | undefined)?.currency;
      if (currency !== undefined && sentText(currency).toLowerCase() !== 'usd')
        throw new BillPullError(`OpenAI costs on ${day} are in ${sentText(currency)}; only USD is read`, true);
      const item = typeof r.line_item === 'string' ? r.line_item : 'total';
      d.lines.push({ item, model: lineItemModel(item), costNanos: amount(value ?? '0', 1, `OpenAI cost of ${item} on ${day}`).toString() });
    }
  }
  for (const [endpoint, add] of OPENAI_USAGE) {
    const buckets = await fetchAllPages<OpenAiBucket>(range(`/organization/usage/${endpoint}`, 31, 'model'), headers, `OpenAI usage API (${endpoint})`, retry);
    for (const bucket of buckets) {
      const day = dayOf(count(bucket.start_time, `OpenAI ${endpoint} bucket start_time`) * 1000);
      for (const r of bucket.results ?? []) {
        const u = days.usage(day, typeof r.model === 'string' ? r.model : '(unknown)');
        const what = `OpenAI ${endpoint} usage of ${u.model} on ${day}:`;
        add(u, r, what);
        if (r.num_model_requests !== undefined) u.requests = (u.requests ?? 0) + count(r.num_model_requests, `${what} num_model_requests`);
      }
    }
  }
  return days.build().filter((d) => dayStartMs(d.day) >= fromMs && dayStartMs(d.day) < toMs);
};

interface AnthropicBucket {
  starting_at: string;
  results: Record<string, unknown>[];
}

function anthropicDay(bucket: AnthropicBucket): Day {
  const ms = Date.parse(bucket.starting_at);
  if (Number.isNaN(ms)) throw new BillPullError(`Anthropic report bucket starting_at is not a time: ${JSON.stringify(bucket.starting_at)}`, true);
  return dayOf(ms);
}

/**
 * Anthropic's Admin API: the usage report of the Messages API (`group_by[]=model`; input is
 * uncached + cache reads + cache writes, as the GenAI conventions count it) and the cost report
 * (`group_by[]=description`, amounts as decimal strings of cents), daily buckets.
 */
export const anthropicBill: BillSource = async (access, fromMs, toMs, retry) => {
  const headers = { 'x-api-key': access.key, 'anthropic-version': '2023-06-01' };
  const range = (path: string, groupBy: string) => {
    const url = new URL(`${access.baseUrl.replace(/\/+$/, '')}${path}`);
    url.searchParams.set('starting_at', new Date(fromMs).toISOString());
    url.searchParams.set('ending_at', new Date(toMs).toISOString());
    url.searchParams.set('bucket_width', '1d');
    url.searchParams.append('group_by[]', groupBy);
    url.searchParams.set('limit', '31');
    return url;
  };
  const days = new DayBuilder('anthropic');
  const costs = await fetchAllPages<AnthropicBucket>(range('/v1/organizations/cost_report', 'description'), headers, 'Anthropic cost report', retry);
  for (const bucket of costs) {
    const day = anthropicDay(bucket);
    const d = days.day(day);
    for (const r of bucket.results ?? []) {
      if (r.currency !== undefined && r.currency !== 'USD')
        throw new BillPullError(`Anthropic costs on ${day} are in ${sentText(r.currency)}; only USD is read`, true);
      const item = typeof r.description === 'string' ? r.description : typeof r.cost_type === 'string' ? r.cost_type : 'total';
      d.lines.push({
        item,
        model: typeof r.model === 'string' ? r.model : null,
        costNanos: amount(r.amount ?? '0', 100, `Anthropic cost of ${item} on ${day}`).toString(),
      });
    }
  }
  const usage = await fetchAllPages<AnthropicBucket>(range('/v1/organizations/usage_report/messages', 'model'), headers, 'Anthropic usage report', retry);
  for (const bucket of usage) {
    const day = anthropicDay(bucket);
    for (const r of bucket.results ?? []) {
      const u = days.usage(day, typeof r.model === 'string' ? r.model : '(unknown)');
      const what = `Anthropic usage of ${u.model} on ${day}:`;
      const creation = (r.cache_creation ?? {}) as Record<string, unknown>;
      const cacheRead = count(r.cache_read_input_tokens, `${what} cache_read_input_tokens`);
      const cacheWrite =
        count(creation.ephemeral_5m_input_tokens, `${what} ephemeral_5m_input_tokens`) +
        count(creation.ephemeral_1h_input_tokens, `${what} ephemeral_1h_input_tokens`);
      u.inputTokens += count(r.uncached_input_tokens, `${what} uncached_input_tokens`) + cacheRead + cacheWrite;
      u.cacheReadTokens += cacheRead;
      u.cacheWriteTokens += cacheWrite;
      u.outputTokens += count(r.output_tokens, `${what} output_tokens`);
    }
  }
  return days.build().filter((d) => dayStartMs(d.day) >= fromMs && dayStartMs(d.day) < toMs);
};

export const BILL_SOURCES: Record<BilledProvider, BillSource> = { openai: openAiBill, anthropic: anthropicBill };
