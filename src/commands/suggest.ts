/** Names longer than this are compared by their first this-many characters: the distance is quadratic in length. */
const MAX_COMPARED = 64;

/**
 * Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions, each substring
 * edited once): `rusia` → `russia` is 1, `suscribe` → `subscribe` is 1, `lsit` → `list` is 1.
 */
export function editDistance(a: string, b: string): number {
  a = a.slice(0, MAX_COMPARED);
  b = b.slice(0, MAX_COMPARED);
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known names closest to `input`, best first: within a third of its length (at least 2 edits), or
 * names that start with it. At most `limit`.
 */
export function nearest(input: string, known: Iterable<string>, limit = 3): string[] {
  const typed = input.toLowerCase();
  const allowed = Math.max(2, Math.floor(typed.length / 3));
  const scored: Array<[string, number]> = [];
  for (const name of known) {
    const d = editDistance(typed, name.toLowerCase());
    if (d <= allowed) scored.push([name, d]);
    else if (typed.length >= 3 && name.toLowerCase().startsWith(typed)) scored.push([name, allowed + 1]);
  }
  scored.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  return scored.slice(0, limit).map(([name]) => name);
}

/** ` — did you mean a, b or c?`, or nothing when no name is near. */
export function didYouMean(input: string, known: Iterable<string>): string {
  const near = nearest(input, known);
  if (near.length === 0) return '';
  const list = near.length === 1 ? near[0]! : `${near.slice(0, -1).join(', ')} or ${near.at(-1)}`;
  return ` — did you mean ${list}?`;
}
