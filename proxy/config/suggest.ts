/**
 * The one "did you mean" of haloscope: configuration keywords, command-line options of every
 * command, keys of a detection rules file. A word gets a suggestion when a candidate is within
 * a third of its length in edits (at least 2), so `balanse` -> `balance` and `--rotate-sise` ->
 * `--rotate-size`, while an unrelated word gets none rather than a random guess.
 */

/** Levenshtein distance (insertions, deletions, substitutions), one row of memory. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest candidate, if it is close enough to be a likely typo (the first of equals wins). */
export function suggest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === null) return null;
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}
