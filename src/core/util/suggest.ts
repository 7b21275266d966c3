/** "Did you mean": the closest candidate by edit distance, case-insensitively. */
import { distance } from 'fastest-levenshtein';

export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const score = distance(needle, c.toLowerCase());
    if (score < bestScore || (score === bestScore && best !== undefined && c < best)) {
      best = c;
      bestScore = score;
    }
  }
  if (best === undefined) return undefined;
  // Only suggest when the candidate is reasonably near: at most a third of the length, at least 2 edits allowed.
  const limit = Math.max(2, Math.ceil(Math.max(needle.length, best.length) / 3));
  return bestScore <= limit ? best : undefined;
}

/** Stable string compare for deterministic ordering (no locale dependence). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Natural compare for control ids: CC6.2 < CC6.10, A.5.9 < A.5.10. */
export function compareIds(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return compareStrings(x, y);
  }
  return pa.length - pb.length || compareStrings(a, b);
}
