/** Tags a query or a budget asks for: a record matches when its tags include every one of these key=value pairs. */
export type TagFilter = Readonly<Record<string, string>>;

/**
 * A record's tags as one string, the same for the same tags in any order: the JSON of its
 * [key, value] pairs sorted by key. Null when the record has no tags, so untagged records need no
 * tag rollup at all. Rollups group by this string; a tag filter is answered by keeping the groups
 * whose set includes it.
 */
export function canonicalTagSet(tags: Readonly<Record<string, string>> | null | undefined): string | null {
  if (!tags) return null;
  const keys = Object.keys(tags);
  if (keys.length === 0) return null;
  keys.sort();
  return JSON.stringify(keys.map((k) => [k, tags[k]]));
}

/** Whether a filter asks for anything (an empty or missing filter matches every record). */
export const hasTagFilter = (filter: TagFilter | undefined): filter is TagFilter => filter !== undefined && Object.keys(filter).length > 0;

/** Whether tags include every key=value of the filter. */
export function tagsInclude(tags: Readonly<Record<string, string>> | null | undefined, filter: TagFilter | undefined): boolean {
  if (!hasTagFilter(filter)) return true;
  if (!tags) return false;
  for (const [key, value] of Object.entries(filter)) if (!Object.hasOwn(tags, key) || tags[key] !== value) return false;
  return true;
}

/** Whether a canonical tag set (see canonicalTagSet) includes every key=value of the filter. */
export function tagSetIncludes(canonical: string | null | undefined, filter: TagFilter | undefined): boolean {
  if (!hasTagFilter(filter)) return true;
  if (!canonical) return false;
  return tagsInclude(Object.fromEntries(JSON.parse(canonical) as [string, string][]), filter);
}
