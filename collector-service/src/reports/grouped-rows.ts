import { InputError } from '../http/input-error';
import { TooManyRowsError } from '../storage/rollup-rows';
import type { RollupQuery, RollupReader, RollupRow } from '../storage/storage.port';

/** What a query groups by, for messages: `user`, `provider and model`, `tag set`. */
const grouping = (query: RollupQuery) => [...query.groupBy, ...(query.byTagSet ? ['tag set'] : [])].join(' and ');

/**
 * A report's grouped read, at most `maxRows` rows (TOKENLEDGER_BREAKDOWN_MAX_VALUES): a range (with
 * its filters) holding more is a 400 naming `parameter` and the limit, and the store stops reading
 * there, so a report holds that many rows at most whatever the store holds.
 */
export async function groupedRows(
  storage: Pick<RollupReader, 'aggregate'>,
  query: RollupQuery & { maxRows: number },
  parameter = 'from',
): Promise<RollupRow[]> {
  try {
    return await storage.aggregate(query);
  } catch (err) {
    if (!(err instanceof TooManyRowsError)) throw err;
    throw tooManyValues(query.maxRows, grouping(query), parameter);
  }
}

/**
 * The 400 of a report whose range (with its filters) holds more than `maxValues` values of `what`
 * (TOKENLEDGER_BREAKDOWN_MAX_VALUES), naming `parameter`: one wording whichever read met them.
 */
export const tooManyValues = (maxValues: number, what: string, parameter: string) =>
  new InputError(
    'parameter',
    parameter,
    `this range holds more than ${maxValues.toLocaleString('en-US')} values of ${what} (TOKENLEDGER_BREAKDOWN_MAX_VALUES): narrow from/to or add a filter`,
  );
