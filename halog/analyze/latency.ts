import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';

/**
 * hdr-histogram-js, loaded on first use: only summaries (`--summary`, `haloscope merge`) need
 * it, and loading it (its WebAssembly build, Intl formatters) cost ~50 ms of CPU in every
 * process and worker thread, a tenth of a whole report of 50 MB.
 */
let hdrModule: typeof Hdr | undefined;
function hdr(): typeof Hdr {
  return (hdrModule ??= createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr);
}

/**
 * Latency distributions of report rows: one series per row and timer, all the series of a
 * table kept in one SeriesStore (flat typed arrays indexed by series id = row * 6 + timer), so
 * recording a value allocates nothing and a table of 77 000 rows is a few dozen arrays, not
 * half a million objects for the garbage collector to walk.
 *
 * Precision: the buckets are HdrHistogram's with 3 significant digits (ms units, lowest
 * discernible value 1): every value below 2048 ms has its own bucket, so percentiles of such
 * values are exact; above, a bucket spans at most 1/1024 of its values, and a reported
 * percentile is the upper end of the bucket holding the exact one, capped by the exact max:
 * exact <= reported <= min(max, exact + exact/1024).
 * `max`, `mean` and counts are exact. The percentile is the nearest-rank one: the smallest
 * recorded value v such that at least p% of the values are <= v (HdrHistogram's definition).
 * The bucket arithmetic is HdrHistogram's own (countsArrayIndex, valueFromIndex,
 * highestEquivalentValue), re-stated on integers; test/report/percentiles.test.ts checks the
 * documented bounds against sorted values and that raw, counts, merged and HdrHistogram-encoded
 * forms give the same numbers (summaries made with hdr-histogram-js's own recording were also
 * byte-identical to these on a 10 MB log).
 *
 * Memory: a series keeps its first RAW_MAX values (one value inside its slot, then a block of
 * a shared Int32Array arena that doubles as it fills) and only then becomes a counts array
 * (Uint32Array, as long as its largest bucket needs: 8 KB for values under 2048 ms). So the
 * long tail of rows seen a few times costs a few bytes per value. Percentiles computed from
 * raw values use the same buckets, so a series gives the same numbers whichever form it is in
 * (this is what makes 1-thread and N-thread runs equal).
 *
 * Summaries (`--summary`) keep the documented form: exact n/sum/max plus the raw values of a
 * series of at most RAW_MAX values, or an HdrHistogram V2 compressed base64 histogram made with
 * hdr-histogram-js from the counts (readable by any HdrHistogram implementation).
 */
export const TIMERS = ['TR', 'Tw', 'Tc', 'Tr', 'Ta', 'Tt'] as const;
export type TimerName = (typeof TIMERS)[number];
export const TIMER_INDEX: Readonly<Record<TimerName, number>> = { TR: 0, Tw: 1, Tc: 2, Tr: 3, Ta: 4, Tt: 5 };
/** Series per row (one per timer). */
export const NTIMERS = TIMERS.length;

export const PERCENTILES = [50, 75, 90, 95, 99, 99.9] as const;
export const PCT_NAMES = ['p50', 'p75', 'p90', 'p95', 'p99', 'p99.9'] as const;
/** Numbers a series reports: one per PERCENTILES, then the max. */
export const NSTATS = PERCENTILES.length + 1;

/** Raw values kept before a series becomes a counts array (also the summary's raw/hdr limit). */
export const RAW_MAX = 256;
const SIGNIFICANT_DIGITS = 3;
/** Every value below this has a bucket of its own (3 significant digits: 2048 sub-buckets of 1). */
const EXACT_BELOW = 2048;
/** Bytes a series costs besides its values: n, sum, max (Float64), length, slot (Int32), class (Uint8). */
export const SERIES_BYTES = 33;

/** HdrHistogram's counts index of `v` (>= 0) with 3 significant digits and unit 1. */
export function bucketIndex(v: number): number {
  if (v < EXACT_BELOW) return v;
  const b = (v < 0x80000000 ? 31 - Math.clz32(v) : Math.floor(Math.log2(v))) - 10;
  return ((b + 1) << 10) + Math.floor(v / 2 ** b) - 1024;
}

/** The lowest value of bucket `i` (HdrHistogram valueFromIndex). */
export function bucketLow(i: number): number {
  if (i < EXACT_BELOW) return i;
  const b = (i >> 10) - 1;
  return ((i & 1023) + 1024) * 2 ** b;
}

/** The value HdrHistogram reports for bucket `i`: its upper end (highestEquivalentValue). */
export function bucketTopOf(i: number): number {
  if (i < EXACT_BELOW) return i;
  const b = (i >> 10) - 1;
  return ((i & 1023) + 1025) * 2 ** b - 1;
}

/** The value HdrHistogram reports for a value in its bucket (the bucket's upper end). */
export function bucketTop(v: number): number {
  return v < EXACT_BELOW && v >= 0 ? v : bucketTopOf(bucketIndex(v));
}

/** Counts array length holding bucket `i`: powers of two up to 2048, then whole HdrHistogram buckets of 1024. */
function histLength(i: number): number {
  if (i < EXACT_BELOW) {
    let n = 16;
    while (n <= i) n <<= 1;
    return n;
  }
  return EXACT_BELOW + (((i - EXACT_BELOW) >> 10) + 1) * 1024;
}

const ulp = (x: number): number => Math.pow(2, Math.floor(Math.log2(x)) - 52);

/** HdrHistogram's rank for percentile p of n values (1-based), including its ulp guard. */
export function rankOf(p: number, n: number): number {
  const fp = (Math.min(p, 100) / 100) * n;
  return Math.max(Math.ceil(fp - (fp > 0 ? ulp(fp) : 0)), 1);
}

/**
 * The ranks of PERCENTILES for n values, memoized for small n: a report asks for them for
 * every row and timer, and most rows hold few values, so the same n comes back again and again.
 */
const RANKS_MEMO_MAX = 4096;
const ranksMemo: (readonly number[] | undefined)[] = [];
export function ranksOf(n: number): readonly number[] {
  if (n <= RANKS_MEMO_MAX) return (ranksMemo[n] ??= PERCENTILES.map((p) => rankOf(p, n)));
  return PERCENTILES.map((p) => rankOf(p, n));
}

export interface SeriesStats {
  count: number;
  mean: number;
  max: number;
  /** In PERCENTILES order. */
  pct: number[];
}

/** Serialized series: exact count/sum/max plus raw values or sparse `[value, count, ...]` pairs or an encoded histogram. */
export interface SeriesSnapshot {
  n: number;
  sum: number;
  max: number;
  raw?: number[];
  pairs?: number[];
  /** HdrHistogram V2 compressed base64 (readable by any HdrHistogram implementation). */
  hdr?: string;
}

/**
 * A SeriesStore's own arrays, handed from a worker thread to the main thread as they are
 * (SeriesStore.move; the buffers go in the postMessage transfer list, so nothing is copied
 * or packed): series t has n/sum/max at `tot[3t]`, len/slot at `ls[2t]`, cls at `cls[t]`, raw
 * blocks in `arena`, counts arrays in `hists`, exactly as in the store.
 */
export interface MovedSeries {
  tot: Float64Array;
  ls: Int32Array;
  cls: Uint8Array;
  arena: Int32Array;
  hists: (Uint32Array | null)[];
}

function newHistogram(): Hdr.Histogram {
  return hdr().build({
    bitBucketSize: 32,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2048,
    autoResize: true,
    useWebAssembly: false,
  });
}

/** The internals of JsHistogram read when decoding a summary's histogram. */
interface JsHistogramInternals {
  countsArrayLength: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
}

/** A typed array of `n` elements holding `a`'s first elements. */
function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

/** Raw blocks hold 2, 4, ... RAW_MAX values: class c holds 2 << c. */
const MAX_CLASS = Math.log2(RAW_MAX) - 1;
const scratch = new Int32Array(RAW_MAX);
/** `scratch.subarray(0, n)`, made once per length. */
const scratchViews: (Int32Array | undefined)[] = [];

/**
 * Many latency series in flat arrays. Series `s` has its count n, sum and max at `tot[3s]`,
 * `tot[3s + 1]`, `tot[3s + 2]`, and len and slot at `ls[2s]`, `ls[2s + 1]`: interleaved, so
 * that recording a value of a row seen rarely (a third of the lines of a large URL report)
 * misses the cache twice rather than five times, once per separate array. It is in one of
 * three forms:
 * - len 0 or 1: no value, or one value held in its slot itself (most rows are seen once);
 * - len 2..RAW_MAX: raw values in insertion order at `arena[slot]`, in a block of
 *   `2 << cls[s]` values;
 * - len -1: a counts array, `hists[slot]`, indexed by HdrHistogram bucket.
 */
export class SeriesStore {
  capacity: number;
  /** n, sum, max of series s at 3s, 3s + 1, 3s + 2. */
  tot: Float64Array;
  /** len and slot of series s at 2s, 2s + 1. */
  ls: Int32Array;
  cls: Uint8Array;
  #arena: Int32Array;
  #arenaTop = 0;
  /** Free raw blocks by class (offsets into the arena). */
  #free: number[][] = Array.from({ length: MAX_CLASS + 1 }, () => []);
  hists: (Uint32Array | null)[] = [];
  #freeHists: number[] = [];
  /** Estimated bytes of the values (raw blocks and counts arrays), kept up to date. */
  valueBytes = 0;

  /** `valueBytes`: bytes of raw values to make room for at once (grown past it by copying). */
  constructor(capacity = 1024, valueBytes = 1 << 14) {
    this.capacity = capacity;
    this.#arena = new Int32Array(Math.max(1 << 12, Math.min(1 << 28, valueBytes >> 2)));
    this.tot = new Float64Array(3 * capacity);
    this.ls = new Int32Array(2 * capacity);
    this.cls = new Uint8Array(capacity);
  }

  /** Makes room for series ids below `n`. */
  ensure(n: number): void {
    if (n <= this.capacity) return;
    let c = this.capacity;
    while (c < n) c *= 2;
    this.capacity = c;
    this.tot = grown(this.tot, 3 * c);
    this.ls = grown(this.ls, 2 * c);
    this.cls = grown(this.cls, c);
  }

  /** Values recorded in series `s`. */
  count(s: number): number {
    return this.tot[3 * s]!;
  }

  record(s: number, v: number): void {
    this.tot[3 * s]!++;
    this.tot[3 * s + 1]! += v;
    if (v > this.tot[3 * s + 2]!) this.tot[3 * s + 2] = v;
    this.#push(s, v);
  }

  /** Adds a value to the distribution of `s` (n/sum/max are the caller's). */
  #push(s: number, v: number): void {
    const len = this.ls[2 * s]!;
    if (len === -1) {
      const i = bucketIndex(v);
      let h = this.hists[this.ls[2 * s + 1]!]!;
      if (i >= h.length) h = this.#growHist(s, i);
      h[i]!++;
    } else if (len === 0) {
      this.ls[2 * s + 1] = v;
      this.ls[2 * s] = 1;
    } else if (len === 1) {
      const off = this.#alloc(0);
      this.#arena[off] = this.ls[2 * s + 1]!;
      this.#arena[off + 1] = v;
      this.ls[2 * s + 1] = off;
      this.cls[s] = 0;
      this.ls[2 * s] = 2;
    } else if ((len & (len - 1)) !== 0) {
      // A block holds 2 << cls values and is replaced by the next class only when full, so it
      // is full exactly when len is a power of two: the append path need not read cls[s],
      // another cache line for a row seen rarely.
      this.#arena[this.ls[2 * s + 1]! + len] = v;
      this.ls[2 * s] = len + 1;
    } else if (len < RAW_MAX) {
      // len = 2 << c.
      const c = 30 - Math.clz32(len);
      const off = this.#alloc(c + 1);
      const old = this.ls[2 * s + 1]!;
      // A loop, not copyWithin: blocks are 2 to 128 values, where the native call costs more than the copy.
      const arena = this.#arena;
      for (let k = 0; k < len; k++) arena[off + k] = arena[old + k]!;
      this.#release(old, c);
      this.#arena[off + len] = v;
      this.ls[2 * s + 1] = off;
      this.cls[s] = c + 1;
      this.ls[2 * s] = len + 1;
    } else {
      this.#toHist(s);
      this.#push(s, v);
    }
  }

  #alloc(c: number): number {
    const free = this.#free[c]!;
    this.valueBytes += 8 << c;
    if (free.length) return free.pop()!;
    const size = 2 << c;
    if (this.#arenaTop + size > this.#arena.length) this.#arena = grown(this.#arena, Math.max(this.#arena.length * 2, this.#arenaTop + size));
    const off = this.#arenaTop;
    this.#arenaTop += size;
    return off;
  }

  #release(off: number, c: number): void {
    this.#free[c]!.push(off);
    this.valueBytes -= 8 << c;
  }

  #newHist(length: number): number {
    const h = new Uint32Array(length);
    this.valueBytes += 4 * length;
    const id = this.#freeHists.pop();
    if (id === undefined) return this.hists.push(h) - 1;
    this.hists[id] = h;
    return id;
  }

  #growHist(s: number, i: number): Uint32Array {
    const id = this.ls[2 * s + 1]!;
    const old = this.hists[id]!;
    const h = new Uint32Array(histLength(i));
    h.set(old);
    this.valueBytes += 4 * (h.length - old.length);
    this.hists[id] = h;
    return h;
  }

  /** Turns the raw values of `s` into a counts array. */
  #toHist(s: number): void {
    const len = this.ls[2 * s]!;
    if (len === -1) return;
    let top = 0;
    const vals = this.#rawValues(s);
    for (let k = 0; k < len; k++) if (vals[k]! > top) top = vals[k]!;
    const id = this.#newHist(histLength(bucketIndex(top)));
    const h = this.hists[id]!;
    for (let k = 0; k < len; k++) h[bucketIndex(vals[k]!)]!++;
    if (len >= 2) this.#release(this.ls[2 * s + 1]!, this.cls[s]!);
    this.ls[2 * s + 1] = id;
    this.ls[2 * s] = -1;
  }

  /** The raw values of `s` (len >= 0) as a view; valid until the store changes. */
  #rawValues(s: number): Int32Array {
    const len = this.ls[2 * s]!;
    if (len === 1) {
      scratch[0] = this.ls[2 * s + 1]!;
      return scratch.subarray(0, 1);
    }
    if (len === 0) return scratch.subarray(0, 0);
    const off = this.ls[2 * s + 1]!;
    return this.#arena.subarray(off, off + len);
  }

  /** Empties `s` (rows recycled or dropped by a sketch), returning its memory. */
  clear(s: number): void {
    const len = this.ls[2 * s]!;
    if (len === -1) {
      const id = this.ls[2 * s + 1]!;
      this.valueBytes -= 4 * this.hists[id]!.length;
      this.hists[id] = null;
      this.#freeHists.push(id);
    } else if (len >= 2) this.#release(this.ls[2 * s + 1]!, this.cls[s]!);
    this.ls[2 * s] = 0;
    this.ls[2 * s + 1] = 0;
    this.tot[3 * s] = 0;
    this.tot[3 * s + 1] = 0;
    this.tot[3 * s + 2] = 0;
  }

  /** Raw values (insertion order) when `s` holds at most RAW_MAX values, else null. */
  raw(s: number): number[] | null {
    if (this.ls[2 * s] === -1) return null;
    return Array.from(this.#rawValues(s));
  }

  /**
   * Writes the NSTATS numbers of `s` (PERCENTILES, then max) at `out[o]`; NaN when `s` has no
   * value. Returns whether it had one.
   */
  statsInto(s: number, out: Float64Array, o: number): boolean {
    const n = this.tot[3 * s]!;
    const max = this.tot[3 * s + 2]!;
    if (n === 0) {
      out.fill(Number.NaN, o, o + NSTATS);
      return false;
    }
    const len = this.ls[2 * s]!;
    const ranks = ranksOf(n);
    if (len === 1) {
      // bucketTop(v) >= v = max: capped to the max.
      out.fill(max, o, o + NSTATS);
      return true;
    }
    if (len >= 2) {
      const off = this.ls[2 * s + 1]!;
      const arena = this.#arena;
      const sorted = scratch;
      if (len <= 24) {
        // Insertion sort: most rows hold a few values, where a native sort call costs more.
        for (let i = 0; i < len; i++) {
          const v = arena[off + i]!;
          let j = i;
          while (j > 0 && sorted[j - 1]! > v) {
            sorted[j] = sorted[j - 1]!;
            j--;
          }
          sorted[j] = v;
        }
      } else {
        for (let i = 0; i < len; i++) sorted[i] = arena[off + i]!;
        (scratchViews[len] ??= scratch.subarray(0, len)).sort();
      }
      for (let k = 0; k < ranks.length; k++) out[o + k] = bucketTop(sorted[ranks[k]! - 1]!);
    } else {
      const h = this.hists[this.ls[2 * s + 1]!]!;
      let k = 0;
      let acc = 0;
      for (let i = 0; i < h.length && k < ranks.length; i++) {
        const c = h[i]!;
        if (c === 0) continue;
        acc += c;
        while (k < ranks.length && acc >= ranks[k]!) out[o + k++] = bucketTopOf(i);
      }
    }
    // A bucket's top can pass the exact max (3006 -> 3007): the max bounds every percentile.
    for (let k = 0; k < PERCENTILES.length; k++) if (out[o + k]! > max) out[o + k] = max;
    out[o + PERCENTILES.length] = max;
    return true;
  }

  stats(s: number): SeriesStats {
    const out = new Float64Array(NSTATS);
    if (!this.statsInto(s, out, 0)) return { count: 0, mean: 0, max: 0, pct: PERCENTILES.map(() => 0) };
    return { count: this.tot[3 * s]!, mean: this.tot[3 * s + 1]! / this.tot[3 * s]!, max: this.tot[3 * s + 2]!, pct: Array.from(out.subarray(0, PERCENTILES.length)) };
  }

  /** Calls `fn(value, count)` per distinct raw value or per bucket (its lowest value), ascending. */
  forEachValue(s: number, fn: (value: number, count: number) => void): void {
    const len = this.ls[2 * s]!;
    if (len === -1) {
      const h = this.hists[this.ls[2 * s + 1]!]!;
      for (let i = 0; i < h.length; i++) if (h[i] !== 0) fn(bucketLow(i), h[i]!);
    } else {
      const sorted = Float64Array.from(this.#rawValues(s)).sort();
      for (const v of sorted) fn(v, 1);
    }
  }

  /** Adds exact n/sum/max of a partial series whose values were (or will be) added to the distribution. */
  addTotals(s: number, n: number, sum: number, max: number): void {
    this.tot[3 * s]! += n;
    this.tot[3 * s + 1]! += sum;
    if (max > this.tot[3 * s + 2]!) this.tot[3 * s + 2] = max;
  }

  /** Adds `count` values of bucket `i` (merges of histograms); the series becomes a counts array. */
  addCount(s: number, i: number, count: number): void {
    if (this.ls[2 * s] !== -1) this.#toHist(s);
    let h = this.hists[this.ls[2 * s + 1]!]!;
    if (i >= h.length) h = this.#growHist(s, i);
    h[i]! += count;
  }

  /**
   * This store's arrays for another thread (see MovedSeries). The store must not record
   * anything after its arrays were transferred: their buffers are then detached.
   */
  move(): MovedSeries {
    return { tot: this.tot, ls: this.ls, cls: this.cls, arena: this.#arena, hists: this.hists };
  }

  /**
   * Adds series `t` of a moved store (or of another store's `move()`, not transferred) into `s`
   * of this one; exact: raw values are copied, histogram buckets add up.
   */
  addMovedSeries(s: number, m: MovedSeries, t: number): void {
    const n = m.tot[3 * t]!;
    if (n === 0) return;
    const len = m.ls[2 * t]!;
    if (len === -1) {
      const src = m.hists[m.ls[2 * t + 1]!]!;
      if (this.ls[2 * s] !== -1) this.#toHist(s);
      let h = this.hists[this.ls[2 * s + 1]!]!;
      if (src.length > h.length) h = this.#growHist(s, src.length - 1);
      for (let k = 0; k < src.length; k++) h[k]! += src[k]!;
    } else if (len === 1) this.#push(s, m.ls[2 * t + 1]!);
    else if (len >= 2 && this.ls[2 * s] === 0) {
      // An empty series takes the block as it is (same class: the block holds len values).
      const c = m.cls[t]!;
      const at = this.#alloc(c);
      const from = m.ls[2 * t + 1]!;
      const arena = this.#arena;
      const src = m.arena;
      for (let k = 0; k < len; k++) arena[at + k] = src[from + k]!;
      this.ls[2 * s + 1] = at;
      this.cls[s] = c;
      this.ls[2 * s] = len;
    } else {
      const from = m.ls[2 * t + 1]!;
      for (let k = 0; k < len; k++) this.#push(s, m.arena[from + k]!);
    }
    this.addTotals(s, n, m.tot[3 * t + 1]!, m.tot[3 * t + 2]!);
  }

  /** `encoded`: histograms as HdrHistogram V2 compressed base64 (summaries); otherwise value/count pairs. */
  snapshot(s: number, encoded: boolean): SeriesSnapshot | null {
    const n = this.tot[3 * s]!;
    if (n === 0) return null;
    const snap: SeriesSnapshot = { n, sum: this.tot[3 * s + 1]!, max: this.tot[3 * s + 2]! };
    if (this.ls[2 * s] !== -1) snap.raw = this.raw(s)!;
    else {
      const h = this.hists[this.ls[2 * s + 1]!]!;
      if (encoded) {
        const hh = newHistogram();
        for (let i = 0; i < h.length; i++) if (h[i] !== 0) hh.recordValueWithCount(bucketLow(i), h[i]!);
        snap.hdr = hdr().encodeIntoCompressedBase64(hh);
      } else {
        const pairs: number[] = [];
        for (let i = 0; i < h.length; i++) if (h[i] !== 0) pairs.push(bucketLow(i), h[i]!);
        snap.pairs = pairs;
      }
    }
    return snap;
  }

  /** Adds a serialized series into `s`. Throws on values that are not timers (int32 >= 0). */
  addSnapshot(s: number, snap: SeriesSnapshot): void {
    if (snap.raw) {
      for (const v of snap.raw) {
        if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new RangeError(`latency value ${v} is not a timer in ms`);
        this.#push(s, v);
      }
    } else if (snap.pairs) {
      for (let i = 0; i < snap.pairs.length; i += 2) this.addCount(s, bucketIndex(snap.pairs[i]!), snap.pairs[i + 1]!);
    } else if (snap.hdr) {
      const h = hdr().decodeFromCompressedBase64(snap.hdr, 32, false) as unknown as JsHistogramInternals;
      for (let i = 0; i < h.countsArrayLength; i++) {
        const c = h.getCountAtIndex(i);
        if (c !== 0) this.addCount(s, bucketIndex(h.valueFromIndex(i)), c);
      }
    }
    this.addTotals(s, snap.n, snap.sum, snap.max);
  }
}

/**
 * One series on its own (tests, and anything that wants a single distribution): a
 * SeriesStore of one, with the same numbers.
 */
export class LatencySeries {
  readonly #st = new SeriesStore(1);

  get n(): number {
    return this.#st.count(0);
  }

  /** Raw values while at most RAW_MAX were recorded, else null. */
  get raw(): number[] | null {
    return this.#st.raw(0);
  }

  record(v: number): void {
    this.#st.record(0, v);
  }

  stats(): SeriesStats {
    return this.#st.stats(0);
  }

  mergeSeries(o: LatencySeries): void {
    this.#st.addMovedSeries(0, o.#st.move(), 0);
  }

  forEachValue(fn: (value: number, count: number) => void): void {
    this.#st.forEachValue(0, fn);
  }

  snapshot(encoded: boolean): SeriesSnapshot {
    return this.#st.snapshot(0, encoded) ?? { n: 0, sum: 0, max: 0 };
  }

  static from(s: SeriesSnapshot): LatencySeries {
    const l = new LatencySeries();
    l.#st.addSnapshot(0, s);
    // An empty histogram snapshot still makes a histogram (tests force the form this way).
    if (s.pairs || s.hdr) l.#st.addCount(0, 0, 0);
    return l;
  }
}
