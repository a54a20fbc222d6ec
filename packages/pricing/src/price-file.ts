import { readFileSync } from 'node:fs';
import { catalogProviderId } from '@tokenledger/semconv';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { type Decimal, parseDecimal } from './decimal';
import type { MatchRule } from './match';
import { type Price, type PriceTable, readPrice, TOKEN_PRICE_KEYS } from './price-table';
import type { PriceSource } from './types';

/** A bad price file: the message names the file, the line and the field, and says what was expected. */
export class PriceBookError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | null,
    readonly field: string | null,
  ) {
    super(message);
    this.name = 'PriceBookError';
  }
}

export interface PriceEntry {
  source: PriceSource;
  /** Catalog provider id (`openai`, `google`, ...). */
  provider: string;
  match: MatchRule;
  /** What `models` lists for it. */
  label: string;
  prices: PriceTable;
  /** Epoch ms, inclusive. */
  effectiveFrom: number;
  /** Epoch ms, exclusive. */
  effectiveTo: number;
  citation: string | null;
}

export interface Multiplier {
  provider: string | null;
  match: MatchRule | null;
  multiplier: Decimal;
  effectiveFrom: number;
  effectiveTo: number;
}

export interface GatewayFee {
  gateway: string;
  percent: Decimal;
  fixedUsd: Decimal;
  citation: string | null;
}

export interface PriceFile {
  path: string;
  content: string;
  version: string | null;
  entries: PriceEntry[];
  batch: Multiplier[];
  discounts: Multiplier[];
  gateways: GatewayFee[];
}

type Path = (string | number)[];

/** Reads and validates a price file (our supplemental data, or an operator's overrides). */
export function readPriceFile(path: string, source: PriceSource): PriceFile {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PriceBookError(`${path}: cannot read the price file: ${(err as Error).message}`, path, null, null);
  }
  const lines = new LineCounter();
  const doc = parseDocument(content, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new PriceBookError(`${path}:${lines.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}`, path, lines.linePos(e.pos[0]).line, null);
  }
  return new PriceFileReader(path, content, doc, lines, source).read();
}

class PriceFileReader {
  constructor(
    private readonly path: string,
    private readonly content: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly source: PriceSource,
  ) {}

  private fail(at: Path, message: string): never {
    const node = this.doc.getIn(at, true) as { range?: [number, number, number] } | undefined;
    const parent = at.length > 0 ? (this.doc.getIn(at.slice(0, -1), true) as { range?: [number, number, number] } | undefined) : undefined;
    const offset = node?.range?.[0] ?? parent?.range?.[0];
    const line = offset === undefined ? null : this.lines.linePos(offset).line;
    const field = at
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '');
    throw new PriceBookError(`${this.path}${line === null ? '' : `:${line}`}: ${field} ${message}`, this.path, line, field);
  }

  private value(at: Path): unknown {
    const v = this.doc.getIn(at);
    return v !== null && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v;
  }

  private list(at: Path): number {
    const node = this.doc.getIn(at, true);
    if (node === undefined || node === null) return 0;
    if (!isSeq(node)) this.fail(at, 'must be a list');
    return node.items.length;
  }

  private text(at: Path, required: boolean): string | null {
    const v = this.value(at);
    if (v === undefined || v === null) {
      if (required) this.fail(at, 'is required');
      return null;
    }
    if (typeof v !== 'string' && typeof v !== 'number') this.fail(at, `must be a string, got ${JSON.stringify(v)}`);
    return String(v);
  }

  private decimal(at: Path): Decimal {
    const v = this.value(at);
    const d = typeof v === 'string' ? parseDecimal(v) : null;
    if (!d) this.fail(at, `must be a non-negative decimal string like "2.50", got ${JSON.stringify(v)}`);
    return d;
  }

  private date(at: Path, required: boolean, fallback: number): number {
    const v = this.value(at);
    if (v === undefined || v === null) {
      if (required) this.fail(at, 'is required (a date like 2026-01-01 or an ISO date-time)');
      return fallback;
    }
    const text = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
    if (Number.isNaN(ms)) this.fail(at, `must be a date like 2026-01-01 or an ISO date-time, got ${JSON.stringify(v)}`);
    return ms;
  }

  private matchRule(at: Path): { match: MatchRule; label: string } {
    const model = this.value([...at, 'model']);
    const match = this.value([...at, 'match']);
    if (typeof model === 'string' && model) return { match: { equals: model }, label: model };
    if (match && typeof match === 'object') {
      if (!validRule(match)) this.fail([...at, 'match'], 'must be one of equals, starts_with, ends_with, contains, regex, or, and');
      return { match: match as MatchRule, label: ruleLabel(match as MatchRule) };
    }
    this.fail([...at, 'model'], 'is required (or give match:)');
  }

  private table(at: Path): PriceTable {
    const node = this.doc.getIn(at, true);
    if (!isMap(node)) this.fail(at, 'must be a map of prices');
    const table: PriceTable = { tokens: {} };
    for (const item of node.items) {
      const key = String((item.key as { value?: unknown })?.value ?? item.key);
      const here = [...at, key];
      if ((TOKEN_PRICE_KEYS as readonly string[]).includes(key)) {
        const raw = this.value(here);
        const price: Price | null = typeof raw === 'number' ? null : readPrice(raw);
        if (!price) this.fail(here, `must be a non-negative decimal string like "2.50" (or { base, tiers }), got ${JSON.stringify(raw)}`);
        table.tokens[key as (typeof TOKEN_PRICE_KEYS)[number]] = price;
      } else if (key === 'requests_kcount') table.requestsKcount = this.decimal(here);
      else if (key === 'audio_hours' || key === 'input_audio_hours') table.audioHours = this.decimal(here);
      else if (key === 'input_mchars') table.inputMchars = this.decimal(here);
      else if (key === 'images') table.images = this.images(here);
      else this.fail(here, `is not a known price (use ${[...TOKEN_PRICE_KEYS, 'requests_kcount', 'audio_hours', 'input_mchars', 'images'].join(', ')})`);
    }
    return table;
  }

  private images(at: Path): Record<string, Record<string, Decimal>> {
    const byQuality = this.value(at);
    if (!byQuality || typeof byQuality !== 'object') this.fail(at, 'must map quality → size → price');
    const out: Record<string, Record<string, Decimal>> = {};
    for (const [quality, sizes] of Object.entries(byQuality as Record<string, unknown>)) {
      if (!sizes || typeof sizes !== 'object') this.fail([...at, quality], 'must map size → price');
      out[quality.toLowerCase()] = {};
      for (const size of Object.keys(sizes)) {
        if (size !== '*' && !/^\d+x\d+$/.test(size)) this.fail([...at, quality, size], 'must be a size like 1024x1024 or *');
        out[quality.toLowerCase()][size] = this.decimal([...at, quality, size]);
      }
    }
    return out;
  }

  private multipliers(key: 'batch' | 'discounts'): Multiplier[] {
    const out: Multiplier[] = [];
    for (let i = 0; i < this.list([key]); i++) {
      const at = [key, i];
      const provider = this.text([...at, 'provider'], key === 'batch');
      const hasModel = this.value([...at, 'model']) !== undefined || this.value([...at, 'match']) !== undefined;
      out.push({
        provider: provider === null ? null : catalogProviderId(provider),
        match: hasModel ? this.matchRule(at).match : null,
        multiplier: this.decimal([...at, 'multiplier']),
        effectiveFrom: this.date([...at, 'effective_from'], false, -Infinity),
        effectiveTo: this.date([...at, 'effective_to'], false, Infinity),
      });
    }
    return out;
  }

  read(): PriceFile {
    const root = this.doc.contents;
    if (root !== null && !isMap(root)) this.fail([], 'the file must be a map with models, discounts, ...');
    const operator = this.source === 'operator';
    const entries: PriceEntry[] = [];
    for (let i = 0; i < this.list(['models']); i++) {
      const at = ['models', i];
      const { match, label } = this.matchRule(at);
      const from = this.date([...at, 'effective_from'], operator, -Infinity);
      const to = this.date([...at, 'effective_to'], false, Infinity);
      if (to <= from) this.fail([...at, 'effective_to'], 'must be after effective_from');
      entries.push({
        source: this.source,
        provider: catalogProviderId(this.text([...at, 'provider'], true)!),
        match,
        label,
        prices: this.table([...at, 'prices']),
        effectiveFrom: from,
        effectiveTo: to,
        citation: this.text([...at, 'source'], false),
      });
    }
    const gateways: GatewayFee[] = [];
    for (let i = 0; i < this.list(['payment_gateways']); i++) {
      const at = ['payment_gateways', i];
      gateways.push({
        gateway: this.text([...at, 'gateway'], true)!.toLowerCase(),
        percent: this.decimal([...at, 'percent']),
        fixedUsd: this.decimal([...at, 'fixed_usd']),
        citation: this.text([...at, 'source'], false),
      });
    }
    return {
      path: this.path,
      content: this.content,
      version: this.text(['version'], false),
      entries,
      batch: this.multipliers('batch'),
      discounts: this.multipliers('discounts'),
      gateways,
    };
  }
}

function validRule(rule: unknown): boolean {
  if (!rule || typeof rule !== 'object') return false;
  const keys = Object.keys(rule);
  if (keys.length !== 1) return false;
  const [key] = keys;
  const value = (rule as Record<string, unknown>)[key];
  if (key === 'or' || key === 'and') return Array.isArray(value) && value.every(validRule);
  if (['equals', 'starts_with', 'ends_with', 'contains'].includes(key)) return typeof value === 'string';
  if (key === 'regex') {
    if (typeof value !== 'string') return false;
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  }
  return false;
}

function ruleLabel(rule: MatchRule): string {
  if ('equals' in rule) return rule.equals;
  if ('starts_with' in rule) return `${rule.starts_with}*`;
  if ('ends_with' in rule) return `*${rule.ends_with}`;
  if ('contains' in rule) return `*${rule.contains}*`;
  if ('regex' in rule) return rule.regex === '.*' ? '*' : `/${rule.regex}/`;
  if ('or' in rule) return rule.or.map(ruleLabel).join(' | ');
  return rule.and.map(ruleLabel).join(' & ');
}
