import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findProvider } from '@pydantic/genai-prices';
import { type MatchRule, matches, modelCandidates } from './match';
import { type PriceTable, readPrice, TOKEN_PRICE_KEYS } from './price-table';

/**
 * The pydantic genai-prices catalog (bundled, offline: prices are never fetched at run time). We use
 * its data and matching rules, not its float arithmetic.
 */
type CatalogPrices = Record<string, unknown>;
interface CatalogModel {
  id: string;
  match: MatchRule;
  prices:
    | CatalogPrices
    | { constraint?: { type: 'start_date'; start_date: string } | { type: 'time_of_date'; start_time: string; end_time: string }; prices: CatalogPrices }[];
}
interface CatalogProvider {
  id: string;
  models: CatalogModel[];
  fallback_model_providers?: string[];
}

export const CATALOG_PACKAGE = '@pydantic/genai-prices';
export const CATALOG_VERSION: string = (
  JSON.parse(readFileSync(join(dirname(require.resolve(CATALOG_PACKAGE)), '..', 'package.json'), 'utf8')) as { version: string }
).version.replace(/^v/, '');

export interface CatalogMatch {
  provider: string;
  model: CatalogModel;
}

function provider(id: string): CatalogProvider | undefined {
  return findProvider({ providerId: id });
}

function findIn(providerId: string, names: string[], seen: Set<string>): CatalogMatch | null {
  if (seen.has(providerId)) return null;
  seen.add(providerId);
  const p = provider(providerId);
  if (!p) return null;
  for (const name of names) {
    const model = p.models.find((m) => matches(m.match, name));
    if (model) return { provider: p.id, model };
  }
  for (const fallback of p.fallback_model_providers ?? []) {
    const found = findIn(fallback, names, seen);
    if (found) return found;
  }
  return null;
}

/**
 * The catalog entry for a model: in the given provider (and its declared fallbacks), then, for a
 * `vendor/model` name, under the vendor; Azure deployments fall back to OpenAI's model names.
 */
export function findCatalogModel(providerId: string, model: string): CatalogMatch | null {
  const names = modelCandidates(model);
  const seen = new Set<string>();
  const direct = findIn(providerId, names, seen);
  if (direct) return direct;
  if (providerId === 'azure') {
    const viaOpenAi = findIn('openai', names, seen);
    if (viaOpenAi) return viaOpenAi;
  }
  const slash = model.indexOf('/');
  if (slash > 0 && !model.startsWith('models/')) return findIn(model.slice(0, slash).toLowerCase(), names, seen);
  return null;
}

/** The first model of a catalog provider whose id passes `test`. */
export function findCatalogModelById(providerId: string, test: (id: string) => boolean): CatalogMatch | null {
  const p = provider(providerId);
  const model = p?.models.find((m) => test(m.id));
  return p && model ? { provider: p.id, model } : null;
}

function secondsOfDay(time: string): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/.exec(time);
  if (!m) return NaN;
  let seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (m[4] && m[4] !== 'Z') {
    const sign = m[4][0] === '-' ? -1 : 1;
    seconds -= sign * (Number(m[4].slice(1, 3)) * 3600 + Number(m[4].slice(4, 6)) * 60);
  }
  return (seconds + 86400) % 86400;
}

/** The catalog prices in force at `at`: the last dated entry that has started, or a time-of-day window (UTC) that contains it. */
export function catalogPricesAt(model: CatalogModel, time: number): CatalogPrices {
  if (!Array.isArray(model.prices)) return model.prices;
  const at = new Date(time);
  for (let i = model.prices.length - 1; i >= 0; i--) {
    const { constraint, prices } = model.prices[i];
    if (!constraint) return prices;
    if (constraint.type === 'start_date' && at.getTime() >= Date.parse(`${constraint.start_date}T00:00:00Z`)) return prices;
    if (constraint.type === 'time_of_date') {
      const now = at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds();
      const start = secondsOfDay(constraint.start_time);
      const end = secondsOfDay(constraint.end_time);
      const inside = end < start ? now >= start || now < end : now >= start && now < end;
      if (inside) return prices;
    }
  }
  return model.prices[0].prices;
}

/** Turns a catalog price map into our PriceTable, keeping only the dimensions tokenledger meters. */
export function tableFromCatalogPrices(prices: CatalogPrices): PriceTable {
  const table: PriceTable = { tokens: {} };
  for (const key of TOKEN_PRICE_KEYS) {
    if (prices[key] === undefined) continue;
    const price = readPrice(prices[key]);
    if (price) table.tokens[key] = price;
  }
  const scalar = (key: string) => {
    const price = prices[key] === undefined ? null : readPrice(prices[key]);
    return price && !('tiers' in price) ? price : undefined;
  };
  table.requestsKcount = scalar('requests_kcount');
  table.audioHours = scalar('input_audio_hours') ?? scalar('audio_hours');
  table.inputMchars = scalar('input_mchars');
  return table;
}

/** Every model id of one catalog provider (or all of them), for `tokenledger-price models`. */
export function catalogModels(providerId?: string): { provider: string; model: string }[] {
  const ids = providerId ? [providerId] : ALL_PROVIDER_IDS;
  return ids.flatMap((id) => (provider(id)?.models ?? []).map((m) => ({ provider: id, model: m.id })));
}

/** The catalog's provider ids (the package exposes lookups, not the list, so we probe its known ids). */
const ALL_PROVIDER_IDS = [
  'openai',
  'anthropic',
  'google',
  'mistral',
  'groq',
  'deepseek',
  'x-ai',
  'cohere',
  'perplexity',
  'aws',
  'azure',
  'openrouter',
  'together',
  'fireworks',
  'novita',
  'cerebras',
  'moonshotai',
  'avian',
  'huggingface',
  'ovhcloud',
].filter((id) => provider(id) !== undefined);
