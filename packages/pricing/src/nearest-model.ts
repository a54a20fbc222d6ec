/** Edit distance (insertions, deletions, substitutions), case-insensitive, stopping early past `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, current[j]);
    }
    if (best > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length];
}

/**
 * The known model name closest to a miss (`gpt4o` → `gpt-4o`), for "did you mean": within a third
 * of the name's length in edits (at least 2), the nearest first, the shorter name on a tie. Null when
 * nothing is that close.
 */
export function nearestModel(model: string, known: Iterable<string>): string | null {
  const wanted = model.trim().toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  let best: { name: string; d: number } | null = null;
  for (const name of known) {
    const d = distance(wanted, name.toLowerCase(), best ? Math.min(best.d, limit) : limit);
    if (d > limit) continue;
    if (!best || d < best.d || (d === best.d && name.length < best.name.length)) best = { name, d };
  }
  return best?.name ?? null;
}
