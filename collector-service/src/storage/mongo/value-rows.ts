import type { Binary } from 'mongodb';
import type { UsageRecord } from '../../usage/usage-record';
import { addRecord, addSums, type Sums, zeroSums } from '../rollup-measures';
import type { RecordCorrection } from '../storage.port';
import { BUCKET_MS, ROLLUP_DIMENSIONS, type RollupDimension } from '../storage.port';
import { canonicalTagSet } from '../tag-sets';
import { CONVERSATION, valueKeysOf } from '../value-rollups';
import { recordDims, userPart } from './groups';
import { dayOf } from './rollup-docs';
import { type KeyPart, packRowBytes, packRows, type SumsRow, unpackRows } from './sums-table';

/**
 * The value rollups' rows (see value-rollups.ts): the sums per 15-minute bucket, breakdown
 * (`conversation`, `tag:<key>`) and value, keyed [bucket, by, value]. A batch holds those of its
 * records beside its groups; compaction keeps them in one document per tenant, UTC day and kind.
 *
 * Beside them, the conversations per group: keyed [bucket, CONVERSATION_GROUP, JSON of [conversation,
 * ...the record's dimensions (ROLLUP_DIMENSIONS order), its tag set]], so a breakdown by conversation
 * with a filter sums the rows whose group the filter keeps, without reading the raw records.
 */
export const VALUE_PARTS = 3;

/** The `by` of the conversations per group: not a breakdown's name (see isBreakdownBy), so it meets none. */
export const CONVERSATION_GROUP = 'conversation group';

/**
 * Which of a day's value documents holds a breakdown: conversations apart from tag values, so a
 * breakdown by tag reads few rows, and the conversations per group apart, so a breakdown by
 * conversation without a filter reads what it read before them.
 */
export type ValueKind = 'conversation' | 'tags' | 'conversation groups';
export const VALUE_KINDS: readonly ValueKind[] = ['conversation', 'tags', 'conversation groups'];
export const valueKind = (by: string): ValueKind => (by === CONVERSATION ? 'conversation' : by === CONVERSATION_GROUP ? 'conversation groups' : 'tags');

/**
 * The key parts of a conversation-per-group row as a day's parts document packs it (see
 * conversationColumnRow): [bucket, CONVERSATION_GROUP, conversation, ...dimensions, tag set], a column
 * each, so a read filtered on a dimension compares that column's indexes (see RowKeep) and makes only
 * the rows it keeps.
 */
export const CONVERSATION_COLUMNS = 4 + ROLLUP_DIMENSIONS.length;

/** A conversation-per-group row's key part holding a dimension, in CONVERSATION_COLUMNS' layout. */
export const conversationColumn = (dimension: RollupDimension): number => 3 + ROLLUP_DIMENSIONS.indexOf(dimension);

/** A conversation-per-group row's conversation, dimensions and tag set, whichever layout its key has (VALUE_PARTS or CONVERSATION_COLUMNS). */
const conversationParts = (key: readonly KeyPart[]): KeyPart[] => (key.length === VALUE_PARTS ? (JSON.parse(key[2] as string) as KeyPart[]) : key.slice(2));

/** A conversation-per-group row keyed as a day's parts document packs it: a column per part of its JSON (see CONVERSATION_COLUMNS). */
export const conversationColumnRow = (row: SumsRow): SumsRow => ({ key: [row.key[0], row.key[1], ...conversationParts(row.key)], sums: row.sums });

/** A conversation-per-group row keyed as batches and compaction sum them ([bucket, by, JSON]), whichever layout it was read in. */
export const conversationValueRow = (row: SumsRow): SumsRow =>
  row.key.length === VALUE_PARTS ? row : { key: [row.key[0], row.key[1], JSON.stringify(row.key.slice(2))], sums: row.sums };

/** A conversation-per-group row's conversation and group key ([bucket, ...dimensions, tag set], as groupRow makes it). */
export function conversationGroupOf(row: SumsRow): { conversation: string; group: KeyPart[] } {
  const [conversation, ...rest] = conversationParts(row.key);
  return { conversation: conversation as string, group: [row.key[0], ...rest] };
}

/** Where a conversation-per-group row's user is among its conversation, dimensions and tag set. */
const CONVERSATION_USER = 1 + ROLLUP_DIMENSIONS.indexOf('user');

/** The part of a day's conversations per group a conversation-per-group row is in: its user's (see userPart), as group days are split. */
export const conversationRowUserPart = (key: readonly KeyPart[]): number => userPart(conversationParts(key)[CONVERSATION_USER] as string | null);

/**
 * The days (UTC day starts) some value rows hold conversations of without their conversations per
 * group: rows written before those existed. A day's conversations per group are then not all known.
 */
export function daysWithoutConversationGroups(rows: readonly SumsRow[]): Set<number> {
  const withConversations = new Set<number>();
  const withGroups = new Set<number>();
  for (const { key } of rows) {
    if (key[1] === CONVERSATION) withConversations.add(dayOf(key[0] as number));
    else if (key[1] === CONVERSATION_GROUP) withGroups.add(dayOf(key[0] as number));
  }
  for (const day of withGroups) withConversations.delete(day);
  return withConversations;
}

/** Adds a record's sums (or takes them away, `sign` -1) to the rows of each breakdown it has a value for, and to its conversation's group. */
function addToRows(rows: Map<string, SumsRow>, r: UsageRecord, sign: 1 | -1): void {
  const bucket = Math.floor(r.timeMs / BUCKET_MS) * BUCKET_MS;
  const sums: Sums = zeroSums();
  addRecord(sums, r);
  const addTo = (key: KeyPart[]) => {
    const id = JSON.stringify(key);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { key, sums: zeroSums() }));
    addSums(row.sums, sums, sign);
  };
  for (const [by, value] of valueKeysOf(r)) addTo([bucket, by, value]);
  if (r.conversation !== null) addTo([bucket, CONVERSATION_GROUP, JSON.stringify([r.conversation, ...recordDims(r), canonicalTagSet(r.tags)])]);
}

/** The value rows of records added one by one, so records read from a cursor need not be held. */
export class ValueRowSums {
  private readonly rows = new Map<string, SumsRow>();

  add(r: UsageRecord): void {
    addToRows(this.rows, r, 1);
  }

  values(): SumsRow[] {
    return [...this.rows.values()];
  }
}

/** The value rows of some records. */
export function valueRows(records: Iterable<UsageRecord>): SumsRow[] {
  const rows = new ValueRowSums();
  for (const r of records) rows.add(r);
  return rows.values();
}

/** The value rows of the corrections' differences: next − previous. */
export function correctionValueRows(corrections: readonly RecordCorrection[]): SumsRow[] {
  const rows = new Map<string, SumsRow>();
  for (const { previous, next } of corrections) {
    addToRows(rows, previous, -1);
    addToRows(rows, next, 1);
  }
  return [...rows.values()];
}

const valueRowWhat = () => 'a batch value row';
export const packValues = (rows: readonly SumsRow[]): Binary => packRows(rows, VALUE_PARTS, valueRowWhat);
export const packValueBytes = (rows: readonly SumsRow[]): Buffer => packRowBytes(rows, VALUE_PARTS, valueRowWhat);
export const unpackValues = (blob: Binary): SumsRow[] => unpackRows(blob);
