/** Sliding-window peak of a per-second series (the window rules: flood, brute force, crawl). */

export interface WindowPeak {
  /** Largest sum over any `seconds`-long window. */
  count: number;
  /** Start of that window, in seconds. */
  start: number;
}

/**
 * Highest count over any window of `seconds` consecutive seconds of flat `[second, count, ...]`
 * pairs (two pointers over sorted keys). When the whole series adds up to less than `needed`,
 * the total is returned as is: it bounds the peak from above and no threshold can be reached
 * (most clients: no sort, no Map).
 */
export function windowPeak(series: readonly number[] | undefined, seconds: number, needed = Number.POSITIVE_INFINITY): WindowPeak {
  if (!series || series.length === 0) return { count: 0, start: 0 };
  if (series.length === 2) return { count: series[1]!, start: series[0]! };
  let total = 0;
  for (let i = 1; i < series.length; i += 2) total += series[i]!;
  if (total < needed) return { count: total, start: series[0]! };
  const w = new Map<number, number>();
  for (let i = 0; i < series.length; i += 2) w.set(series[i]!, (w.get(series[i]!) ?? 0) + series[i + 1]!);
  const keys = [...w.keys()].sort((a, b) => a - b);
  let best = 0;
  let bestStart = keys[0]!;
  let sum = 0;
  let lo = 0;
  for (let hi = 0; hi < keys.length; hi++) {
    sum += w.get(keys[hi]!)!;
    while (keys[hi]! - keys[lo]! >= seconds) sum -= w.get(keys[lo++]!)!;
    if (sum > best) {
      best = sum;
      bestStart = keys[lo]!;
    }
  }
  return { count: best, start: bestStart };
}
