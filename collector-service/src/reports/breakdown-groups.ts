import { InputError } from '../http/input-error';
import { TEXT_BOUNDS } from '../usage/billable-bounds';
import { addRecord, type Sums, totalsOf, zeroSums } from '../storage/rollup-measures';
import type { DimensionFilters, RollupDimension, RollupReader, RollupTotals, RecordsReader } from '../storage/storage.port';
import { CONVERSATION, isFiltered, TAG_PREFIX } from '../storage/value-rollups';
import { addTotals, zeroTotals } from './totals';
import { groupedRows, tooManyValues } from './grouped-rows';
import type { ReportRange } from './report-query';

/** The rollup dimensions a breakdown groups by, under their query names. */
export const BREAKDOWN_DIMENSIONS: Record<string, RollupDimension> = {
  type: 'costType',
  provider: 'provider',
  model: 'model',
  user: 'user',
  agent: 'agent',
  feature: 'feature',
  service: 'service',
};

/** What `by` may be, for messages and the API description. */
export const BREAKDOWN_BY_VALUES = [...Object.keys(BREAKDOWN_DIMENSIONS), CONVERSATION, `${TAG_PREFIX}<key>`];

/**
 * The most calls a conversation breakdown reads one by one, where the value rollups cannot answer
 * (a filter, or days stored before they existed: see the collector README, "Breakdowns by
 * conversation and by tag"). A range holding more is refused before anything is read.
 */
export const CONVERSATION_SCAN_CALLS = 200_000;

/** Whether `by` names a breakdown: a dimension, `conversation`, or `tag:` and a tag key as spans may carry it. */
export function isBreakdownBy(by: string): boolean {
  if (by in BREAKDOWN_DIMENSIONS || by === CONVERSATION) return true;
  const key = by.startsWith(TAG_PREFIX) ? by.slice(TAG_PREFIX.length) : '';
  return key.length > 0 && key.length <= TEXT_BOUNDS.length;
}

/** One row of a breakdown before ranking: a value (null: the calls without one) and its exact sums. */
export interface BreakdownGroup {
  key: string | null;
  totals: RollupTotals;
}

export interface BreakdownSource {
  storage: RollupReader & RecordsReader;
  tenant: string;
  range: ReportRange;
  filters: DimensionFilters;
  /** The most values a breakdown by conversation or tag key reads (TOKENLEDGER_BREAKDOWN_MAX_VALUES). */
  maxValues: number;
}

/**
 * The groups of a breakdown, whose sums add up exactly to the range's total: a dimension from its
 * rollups; a conversation or a tag key from the value rollups (see value-rollups.ts; a conversation
 * with a filter from the conversations per group mongo keeps), or, for days stored before those
 * existed (and with a filter on sqlite), from the raw records (conversation) or the rollups kept per
 * tag set (tag key, and any filtered tag key breakdown). For a tag key and a conversation, the calls without a value are the
 * total less every value's sums, so they are exact whatever the raw records still hold.
 */
export async function breakdownGroups(source: BreakdownSource, by: string): Promise<BreakdownGroup[]> {
  const dimension = BREAKDOWN_DIMENSIONS[by];
  if (dimension !== undefined) {
    const rows = await groupedRows(source.storage, { ...rollupScope(source), groupBy: [dimension], maxRows: source.maxValues }, 'by');
    return rows.map((r) => ({ key: r.key[dimension] ?? null, totals: r }));
  }
  const [total, byValue] = await Promise.all([totalOf(source), valueGroups(source, by)]);
  const groups: BreakdownGroup[] = [...byValue].map(([key, totals]) => ({ key, totals }));
  const without = groups.reduce((rest, g) => addTotals(rest, g.totals, -1), addTotals(zeroTotals(), total));
  if (without.calls !== 0 || without.costNanos !== 0n) groups.push({ key: null, totals: without });
  return groups;
}

const rollupScope = (s: BreakdownSource) => ({ tenant: s.tenant, fromMs: s.range.fromMs, toMs: s.range.toMs, filters: s.filters });

/**
 * The sums per value of `conversation` or `tag:<key>`: from the value rollups where they answer (with
 * a filter, a conversation's where the store keeps its conversations per group), the rest as before them.
 */
async function valueGroups(source: BreakdownSource, by: string): Promise<Map<string, RollupTotals>> {
  const { fromMs, toMs } = source.range;
  const answered =
    isFiltered(source.filters) && by !== CONVERSATION
      ? { values: [], more: false, uncovered: [{ fromMs, toMs }] }
      : await source.storage.valueSums({ tenant: source.tenant, fromMs, toMs, by, filters: source.filters, maxValues: source.maxValues });
  if (answered.more) throw tooManyValues(source.maxValues, by, 'by');
  const byValue = new Map<string, RollupTotals>();
  for (const { value, totals } of answered.values) sumInto(byValue, value, totals);
  for (const range of answered.uncovered) {
    const part = { ...source, range: { ...source.range, ...range } };
    const groups = by === CONVERSATION ? await conversations(part, await totalOf(part)) : await tagValues(part, by.slice(TAG_PREFIX.length));
    for (const g of groups) sumInto(byValue, g.key!, g.totals);
  }
  if (byValue.size > source.maxValues) throw tooManyValues(source.maxValues, by, 'by');
  return byValue;
}

async function totalOf(source: BreakdownSource): Promise<RollupTotals> {
  const total = zeroTotals();
  for (const row of await source.storage.aggregate({ ...rollupScope(source), groupBy: [] })) addTotals(total, row);
  return total;
}

/**
 * The range's sums per tag set, each with its [key, value] pairs; a range (with its filters) holding
 * more than TOKENLEDGER_BREAKDOWN_MAX_VALUES tag sets is a 400 naming `parameter`.
 */
async function tagSets(source: BreakdownSource, parameter: string): Promise<{ pairs: [string, string][]; totals: RollupTotals }[]> {
  const rows = await groupedRows(source.storage, { ...rollupScope(source), byTagSet: true, groupBy: [], maxRows: source.maxValues }, parameter);
  return rows.map((row) => ({ pairs: JSON.parse(row.key.tags!) as [string, string][], totals: row }));
}

/** Sums `totals` into the group of `key`. */
function sumInto(groups: Map<string, RollupTotals>, key: string, totals: RollupTotals): void {
  const into = groups.get(key);
  if (into) addTotals(into, totals);
  else groups.set(key, addTotals(zeroTotals(), totals));
}

/** The sums per value of a tag key, from the sums per tag set: each set holds the key once at most. */
async function tagValues(source: BreakdownSource, key: string): Promise<BreakdownGroup[]> {
  const byValue = new Map<string, RollupTotals>();
  for (const set of await tagSets(source, 'by')) {
    const pair = set.pairs.find(([k]) => k === key);
    if (pair) sumInto(byValue, pair[1], set.totals);
  }
  return [...byValue].map(([value, totals]) => ({ key: value, totals }));
}

/** The sums of the calls carrying each tag key (a call counts once under each of its keys). */
export async function tagKeyGroups(source: BreakdownSource): Promise<BreakdownGroup[]> {
  const byKey = new Map<string, RollupTotals>();
  for (const set of await tagSets(source, 'from')) for (const [key] of set.pairs) sumInto(byKey, key, set.totals);
  return [...byKey].map(([key, totals]) => ({ key, totals }));
}

/**
 * The sums per conversation id of the range's raw records, once the rollups say they are few enough
 * to read; refused as soon as they hold more conversations than a breakdown may (so memory stays
 * bounded by TOKENLEDGER_BREAKDOWN_MAX_VALUES, not by the range).
 */
async function conversations(source: BreakdownSource, total: RollupTotals): Promise<BreakdownGroup[]> {
  if (total.calls > CONVERSATION_SCAN_CALLS) {
    throw new InputError(
      'parameter',
      'by',
      `a breakdown by conversation reads every call of its range, and this one holds ${total.calls.toLocaleString('en-US')}; ` +
        `at most ${CONVERSATION_SCAN_CALLS.toLocaleString('en-US')}: narrow from/to or add a filter`,
    );
  }
  const byConversation = new Map<string, Sums>();
  for await (const r of source.storage.streamRecords(rollupScope(source))) {
    if (r.conversation === null) continue;
    let sums = byConversation.get(r.conversation);
    if (!sums) {
      byConversation.set(r.conversation, (sums = zeroSums()));
      if (byConversation.size > source.maxValues) throw tooManyValues(source.maxValues, CONVERSATION, 'by');
    }
    addRecord(sums, r);
  }
  return [...byConversation].map(([conversation, sums]) => ({ key: conversation, totals: totalsOf(sums) }));
}
