/**
 * "Did you mean": the known word closest to a mistyped one, by edit distance counting an insertion,
 * deletion, substitution or swap of two neighbouring letters as one edit (optimal string alignment,
 * the Damerau-Levenshtein variant git and most CLIs use), so `stauts` is one edit from `status`.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `word`, if it is close enough to be what was meant: at most 2 edits,
 * and fewer than half the word's letters (so `x` does not suggest `card`). Ties go to the first.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(w, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  return best.distance <= 2 && best.distance * 2 < Math.max(w.length, 2) ? best.candidate : undefined;
}

/**
 * The `count` candidates nearest to `word`, however far, for a value that must be one of a closed
 * set (an instance type): the user needs some valid value to go on from. Ties go to the candidate
 * sharing most of `word`'s start and end, so "ml.c5.huge" offers "ml.c5.large", then "ml.c5.xlarge"
 * before "ml.c5d.large", and "m5.large" offers "ml.m5.large" before "ml.c5.large".
 */
export function nearest(word: string, candidates: readonly string[], count = 2): string[] {
  const w = word.toLowerCase();
  const shared = (c: string) => {
    let start = 0;
    while (start < w.length && start < c.length && w[start] === c[start]) start++;
    let end = 0;
    while (end < w.length && end < c.length && w.at(-1 - end) === c.at(-1 - end)) end++;
    return start + end;
  };
  return candidates
    .map((candidate, index) => {
      const c = candidate.toLowerCase();
      return { candidate, index, distance: editDistance(w, c), shared: shared(c) };
    })
    .sort((a, b) => a.distance - b.distance || b.shared - a.shared || a.index - b.index)
    .slice(0, count)
    .map((s) => s.candidate);
}
