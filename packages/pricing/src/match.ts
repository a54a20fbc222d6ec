/** The model-matching rules of the price catalog, used for our own data files too. */
export type MatchRule =
  { equals: string } | { starts_with: string } | { ends_with: string } | { contains: string } | { regex: string } | { or: MatchRule[] } | { and: MatchRule[] };

const regexCache = new Map<string, RegExp>();

/** Case-insensitive, as the catalog compares model names. */
export function matches(rule: MatchRule, model: string): boolean {
  const name = model.toLowerCase();
  if ('equals' in rule) return name === rule.equals.toLowerCase();
  if ('starts_with' in rule) return name.startsWith(rule.starts_with.toLowerCase());
  if ('ends_with' in rule) return name.endsWith(rule.ends_with.toLowerCase());
  if ('contains' in rule) return name.includes(rule.contains.toLowerCase());
  if ('regex' in rule) {
    let re = regexCache.get(rule.regex);
    if (!re) regexCache.set(rule.regex, (re = new RegExp(rule.regex)));
    return re.test(model);
  }
  if ('or' in rule) return rule.or.some((r) => matches(r, model));
  if ('and' in rule) return rule.and.every((r) => matches(r, model));
  return false;
}

const COMPACT_DATE = /-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/**
 * The names to try for a model as reported, most specific first: the name itself; without a
 * `models/` prefix (Gemini); with a compact date suffix spelled out (`-20240806` → `-2024-08-06`,
 * as providers name snapshots both ways); and for `vendor/model` forms (OpenRouter, Bedrock ids),
 * the part after the last slash.
 */
export function modelCandidates(model: string): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (name && !names.includes(name)) names.push(name);
  };
  const trimmed = model.trim();
  add(trimmed);
  const unprefixed = trimmed.replace(/^models\//, '');
  add(unprefixed);
  add(unprefixed.replace(COMPACT_DATE, '-$1-$2-$3'));
  const slash = unprefixed.lastIndexOf('/');
  if (slash >= 0) {
    const tail = unprefixed.slice(slash + 1);
    add(tail);
    add(tail.replace(COMPACT_DATE, '-$1-$2-$3'));
  }
  return names;
}
