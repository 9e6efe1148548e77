import * as hdr from 'hdr-histogram-js';

/**
 * Latency distributions of one report row: one series per timer, percentiles through
 * hdr-histogram-js.
 *
 * Precision: histograms keep 3 significant digits (HdrHistogram `numberOfSignificantValueDigits
 * = 3`, ms units). Every value below 2048 ms has its own bucket, so percentiles of such values
 * are exact; above, a bucket spans at most 1/1024 of its values, and a reported percentile is
 * the upper end of the bucket holding the exact one, capped by the exact max:
 * exact <= reported <= min(max, exact + exact/1024).
 * `max`, `mean` and counts are exact. The percentile is the nearest-rank one: the smallest
 * recorded value v such that at least p% of the values are <= v (HdrHistogram's definition).
 *
 * Memory: a series keeps its first RAW_MAX values in a plain array and only then allocates a
 * histogram (~9 KB each), so the long tail of rows seen a few times costs ~100 bytes per
 * series. Percentiles computed from the raw values use the same buckets, so a row gives the
 * same numbers whichever form it is in (this is what makes 1-thread and N-thread runs equal).
 */
export const TIMERS = ['TR', 'Tw', 'Tc', 'Tr', 'Ta', 'Tt'] as const;
export type TimerName = (typeof TIMERS)[number];
export const TIMER_INDEX: Readonly<Record<TimerName, number>> = { TR: 0, Tw: 1, Tc: 2, Tr: 3, Ta: 4, Tt: 5 };

export const PERCENTILES = [50, 75, 90, 95, 99, 99.9] as const;
export const PCT_NAMES = ['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9'] as const;
/** One zero per PERCENTILES: copied for each series' stats (a packed array, no fill() per row). */
const PCT_ZEROS: readonly number[] = PERCENTILES.map(() => 0);

/**
 * Raw values kept before a histogram is allocated: 256 values cost ~2 KB against ~9 KB for a
 * histogram, and sorting them is cheaper than walking 2048+ buckets when the report is printed.
 */
const RAW_MAX = 256;
const SIGNIFICANT_DIGITS = 3;
/** Estimated bytes of a histogram with values under 2048 ms (measured: 9.2 KB, Int32 counts). */
export const HISTOGRAM_BYTES = 9300;
/** A raw series: array header plus 8 bytes per value (V8 packed small integers). */
const RAW_SERIES_OVERHEAD = 48;

function newHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 32,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2048,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** The internals of JsHistogram we walk to get every percentile in one pass over the counts. */
interface JsHistogramInternals {
  countsArrayLength: number;
  /** The counts of TypedArrayHistogram (Int32Histogram); read directly, ~10x faster than getCountAtIndex(). */
  _counts?: Int32Array;
  totalCount: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
  lowestEquivalentValue(v: number): number;
}

const PROTO = newHistogram() as unknown as JsHistogramInternals;
const ulp = (x: number): number => Math.pow(2, Math.floor(Math.log2(x)) - 52);

/** HdrHistogram's rank for percentile p of n values (1-based), including its ulp guard. */
export function rankOf(p: number, n: number): number {
  const fp = (Math.min(p, 100) / 100) * n;
  return Math.max(Math.ceil(fp - (fp > 0 ? ulp(fp) : 0)), 1);
}

/**
 * The ranks of PERCENTILES for n values, memoized for small n: a report prints them for
 * every row and timer (2.8 M rankOf calls, each a log2 and a pow, for 77 k URLs), and most
 * rows hold few values, so the same n comes back again and again.
 */
const RANKS_MEMO_MAX = 4096;
const ranksMemo: (readonly number[] | undefined)[] = [];
export function ranksOf(n: number): readonly number[] {
  if (n <= RANKS_MEMO_MAX) return (ranksMemo[n] ??= PERCENTILES.map((p) => rankOf(p, n)));
  return PERCENTILES.map((p) => rankOf(p, n));
}

/** Every value below this has a bucket of its own (3 significant digits: 2048 sub-buckets of 1). */
const EXACT_BELOW = 2048;

/** The value HdrHistogram reports for a value in its bucket (the bucket's upper end). */
export function bucketTop(v: number): number {
  return v < EXACT_BELOW && v >= 0 ? v : PROTO.highestEquivalentValue(v);
}

export interface SeriesStats {
  count: number;
  mean: number;
  max: number;
  /** In PERCENTILES order. */
  pct: number[];
}

/** Serialized series: exact count/sum/max plus raw values or sparse `[index, count, ...]` pairs or an encoded histogram. */
export interface SeriesSnapshot {
  n: number;
  sum: number;
  max: number;
  raw?: number[];
  pairs?: number[];
  /** HdrHistogram V2 compressed base64 (readable by any HdrHistogram implementation). */
  hdr?: string;
}

export class LatencySeries {
  n = 0;
  sum = 0;
  max = 0;
  raw: number[] | null = null;
  h: hdr.Histogram | null = null;

  record(v: number): void {
    this.n++;
    this.sum += v;
    if (v > this.max) this.max = v;
    this.#push(v);
  }

  #push(v: number): void {
    if (this.h !== null) {
      this.h.recordValue(v);
      return;
    }
    if (this.raw === null) this.raw = [v];
    else {
      this.raw.push(v);
      if (this.raw.length > RAW_MAX) this.#promote();
    }
  }

  /**
   * Adds a packed partial series (worker results): exact n/sum/max plus `data[start, end)`,
   * raw values or (value, count) pairs, recorded straight into this series.
   */
  addPacked(n: number, sum: number, max: number, data: Float64Array, start: number, end: number, pairs: boolean): void {
    if (n === 0) return;
    if (pairs) {
      if (this.h === null) {
        const h = newHistogram();
        if (this.raw) for (const v of this.raw) h.recordValue(v);
        this.raw = null;
        this.h = h;
      }
      for (let i = start; i < end; i += 2) this.h.recordValueWithCount(data[i]!, data[i + 1]!);
    } else {
      for (let i = start; i < end; i++) this.#push(data[i]!);
    }
    this.n += n;
    this.sum += sum;
    if (max > this.max) this.max = max;
  }

  /** Appends this series to a packed stream: tag (0 none, 1 raw, 2 pairs), n, sum, max, length, data. */
  pack(w: F64Writer): void {
    if (this.n === 0) {
      w.push(0);
      return;
    }
    if (this.h === null) {
      const raw = this.raw!;
      w.push(1);
      w.push(this.n);
      w.push(this.sum);
      w.push(this.max);
      w.push(raw.length);
      for (const v of raw) w.push(v);
      return;
    }
    const h = this.h as unknown as JsHistogramInternals;
    w.push(2);
    w.push(this.n);
    w.push(this.sum);
    w.push(this.max);
    const lenAt = w.length;
    w.push(0);
    let len = 0;
    const counts = h._counts;
    for (let i = 0; i < h.countsArrayLength; i++) {
      const c = counts ? counts[i]! : h.getCountAtIndex(i);
      if (c !== 0) {
        w.push(h.valueFromIndex(i));
        w.push(c);
        len += 2;
      }
    }
    w.set(lenAt, len);
  }

  #promote(): void {
    const h = newHistogram();
    for (const v of this.raw!) h.recordValue(v);
    this.raw = null;
    this.h = h;
  }

  bytes(): number {
    return this.h ? HISTOGRAM_BYTES : this.raw ? RAW_SERIES_OVERHEAD + 8 * this.raw.length : 0;
  }

  stats(): SeriesStats {
    const pct = PCT_ZEROS.slice();
    if (this.n === 0) return { count: 0, mean: 0, max: 0, pct };
    if (this.h === null) {
      // a typed array sorts numerically in native code (a comparator sort of a JS array cost
      // more than reading the log for a 77 k-URL report)
      const sorted = new Float64Array(this.raw!).sort();
      const ranks = ranksOf(sorted.length);
      for (let i = 0; i < ranks.length; i++) pct[i] = bucketTop(sorted[ranks[i]! - 1]!);
    } else {
      const h = this.h as unknown as JsHistogramInternals;
      const total = h.totalCount;
      const ranks = ranksOf(total);
      const counts = h._counts;
      let k = 0;
      let acc = 0;
      for (let i = 0; i < h.countsArrayLength && k < ranks.length; i++) {
        const c = counts ? counts[i]! : h.getCountAtIndex(i);
        if (c === 0) continue;
        acc += c;
        while (k < ranks.length && acc >= ranks[k]!) pct[k++] = h.highestEquivalentValue(h.valueFromIndex(i));
      }
    }
    // A bucket's top can pass the exact max (3006 -> 3007): the max bounds every percentile.
    for (let i = 0; i < pct.length; i++) if (pct[i]! > this.max) pct[i] = this.max;
    return { count: this.n, mean: this.sum / this.n, max: this.max, pct };
  }

  /** Adds another series (exact: buckets add up). */
  mergeSeries(o: LatencySeries): void {
    if (o.n === 0) return;
    if (o.h !== null) {
      if (this.h === null) {
        const h = newHistogram();
        if (this.raw) for (const v of this.raw) h.recordValue(v);
        this.raw = null;
        this.h = h;
      }
      this.h.add(o.h);
    } else {
      for (const v of o.raw!) {
        if (this.h !== null) this.h.recordValue(v);
        else {
          (this.raw ??= []).push(v);
          if (this.raw.length > RAW_MAX) this.#promote();
        }
      }
    }
    this.n += o.n;
    this.sum += o.sum;
    if (o.max > this.max) this.max = o.max;
  }

  /** Calls `fn(value, count)` per distinct value (raw) or per histogram bucket (its lowest value), ascending. */
  forEachValue(fn: (value: number, count: number) => void): void {
    if (this.raw) {
      const sorted = new Float64Array(this.raw).sort();
      for (const v of sorted) fn(v, 1);
    } else if (this.h) {
      const h = this.h as unknown as JsHistogramInternals;
      for (let i = 0; i < h.countsArrayLength; i++) {
        const c = h.getCountAtIndex(i);
        if (c !== 0) fn(h.valueFromIndex(i), c);
      }
    }
  }

  snapshot(encoded: boolean): SeriesSnapshot {
    const s: SeriesSnapshot = { n: this.n, sum: this.sum, max: this.max };
    if (this.raw) s.raw = this.raw.slice();
    else if (this.h) {
      if (encoded) s.hdr = hdr.encodeIntoCompressedBase64(this.h);
      else {
        const h = this.h as unknown as JsHistogramInternals;
        const pairs: number[] = [];
        for (let i = 0; i < h.countsArrayLength; i++) {
          const c = h.getCountAtIndex(i);
          if (c !== 0) pairs.push(h.valueFromIndex(i), c);
        }
        s.pairs = pairs;
      }
    }
    return s;
  }

  static from(s: SeriesSnapshot): LatencySeries {
    const l = new LatencySeries();
    l.n = s.n;
    l.sum = s.sum;
    l.max = s.max;
    if (s.raw) l.raw = s.raw.slice();
    else if (s.pairs) {
      const h = newHistogram();
      for (let i = 0; i < s.pairs.length; i += 2) h.recordValueWithCount(s.pairs[i]!, s.pairs[i + 1]!);
      l.h = h;
    } else if (s.hdr) {
      const h = newHistogram();
      const decoded = hdr.decodeFromCompressedBase64(s.hdr, 32, false);
      h.add(decoded);
      l.h = h;
    }
    return l;
  }
}

/** A growable Float64Array (packed worker snapshots: one buffer instead of many small objects). */
export class F64Writer {
  buf = new Float64Array(1 << 16);
  length = 0;

  push(v: number): void {
    if (this.length === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.length++] = v;
  }

  set(i: number, v: number): void {
    this.buf[i] = v;
  }

  finish(): Float64Array {
    return this.buf.slice(0, this.length);
  }
}

/** The six series of a row, created on first use. */
export class LatencySet {
  readonly series: (LatencySeries | null)[] = [null, null, null, null, null, null];

  record(t: number, v: number): void {
    (this.series[t] ??= new LatencySeries()).record(v);
  }

  /** Empties every series, keeping the objects (recycled rows of a sketch). */
  reset(): void {
    for (const s of this.series) {
      if (!s) continue;
      s.n = 0;
      s.sum = 0;
      s.max = 0;
      s.h = null;
      if (s.raw) s.raw.length = 0;
    }
  }

  get(t: number): LatencySeries | null {
    return this.series[t]!;
  }

  bytes(): number {
    let b = 0;
    for (const s of this.series) if (s) b += s.bytes();
    return b;
  }

  merge(o: LatencySet): void {
    o.series.forEach((s, i) => {
      if (s) (this.series[i] ??= new LatencySeries()).mergeSeries(s);
    });
  }

  snapshot(encoded: boolean): (SeriesSnapshot | null)[] {
    return this.series.map((s) => (s ? s.snapshot(encoded) : null));
  }

  pack(w: F64Writer): void {
    for (const s of this.series) {
      if (s) s.pack(w);
      else w.push(0);
    }
  }

  /** Reads six packed series from `data` at `p` into this set; returns the position after them. */
  addPacked(data: Float64Array, p: number): number {
    for (let i = 0; i < 6; i++) {
      const tag = data[p++]!;
      if (tag === 0) continue;
      const n = data[p]!;
      const sum = data[p + 1]!;
      const max = data[p + 2]!;
      const len = data[p + 3]!;
      p += 4;
      (this.series[i] ??= new LatencySeries()).addPacked(n, sum, max, data, p, p + len, tag === 2);
      p += len;
    }
    return p;
  }

  static from(snaps: (SeriesSnapshot | null)[]): LatencySet {
    const l = new LatencySet();
    snaps.forEach((s, i) => {
      if (s) l.series[i] = LatencySeries.from(s);
    });
    return l;
  }
}
