/** Where a bad input came from: a JSON body field or a query parameter. */
export type InputKind = 'field' | 'parameter';

/**
 * A request input is wrong: answered 400 by InputErrorFilter with the field or parameter named, so
 * the caller knows what to fix. `problem` says what the value must be.
 */
export class InputError extends Error {
  constructor(
    readonly kind: InputKind,
    readonly input: string,
    readonly problem: string,
  ) {
    super(kind === 'field' ? `${input} ${problem}` : `${input}: ${problem}`);
  }
}

const SUB_PATH = '\u0000';

/**
 * A rule's message about one part of the value it checks (`[1]` of an array, `.team` of a map), so
 * the error names that part (`thresholds[1]`, `scope.tags.team`) rather than the whole property.
 */
export function aboutPart(part: string, problem: string): string {
  return `${SUB_PATH}${part}${SUB_PATH}${problem}`;
}

/** The part a rule's message is about (empty for the whole value) and its problem. */
export function partOf(message: string): { part: string; problem: string } {
  if (!message.startsWith(SUB_PATH)) return { part: '', problem: message };
  const end = message.indexOf(SUB_PATH, 1);
  return { part: message.slice(1, end), problem: message.slice(end + 1) };
}
