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
 * Memory: a row keeps its first RAW_MAX lines as they came (a tuple of five Int32 values per
 * line, in a block of a shared arena that doubles as it fills) and only then turns each of
 * its series into a counts array (Uint32Array, as long as its largest bucket needs: 8 KB for
 * values under 2048 ms). So the long tail of rows seen a few times costs a few bytes per
 * value. Percentiles computed from raw values use the same buckets, so a series gives the
 * same numbers whichever form it is in (this is what makes 1-thread and N-thread runs equal).
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

/** Lines a row keeps as raw values before its series become counts arrays (so also the summary's raw/hdr limit). */
export const RAW_MAX = 256;
const SIGNIFICANT_DIGITS = 3;
/** Every value below this has a bucket of its own (3 significant digits: 2048 sub-buckets of 1). */
const EXACT_BELOW = 2048;
/** Bytes a series costs besides its values: n, sum, max (Float64), histogram id (Int32), and its share of the row's length, slot and class, rounded up. */
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
 * Kept in one typed array (n's ranks at n * PERCENTILES.length, 0 until made): a JS array
 * written at scattered n turned into a dictionary, whose lookups were ~65 ms of the 1 GB URL
 * report's print.
 */
const RANKS_MEMO_MAX = 4096;
const NPCT = PERCENTILES.length;
/** The ranks by n, then room for those of one n past RANKS_MEMO_MAX. */
const ranks = new Int32Array((RANKS_MEMO_MAX + 2) * NPCT);
function ranksAt(n: number): number {
  const at = n <= RANKS_MEMO_MAX ? n * NPCT : (RANKS_MEMO_MAX + 1) * NPCT;
  if (ranks[at] === 0 || n > RANKS_MEMO_MAX) for (let k = 0; k < NPCT; k++) ranks[at + k] = rankOf(PERCENTILES[k]!, n);
  return at;
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
 * or packed): the fields of the same names in the store, laid out as it documents.
 */
export interface MovedSeries {
  meta: Int32Array;
  cls: Uint8Array;
  arena: Int32Array;
  tot: Float64Array;
  histOf: Int32Array;
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

/** A row's first lines go in a block of 1, 2, 4 or ROOT_LINES tuples (class c holds 1 << c), moved to the next class as it fills. */
const ROOT_CLASS = 3;
const ROOT_LINES = 1 << ROOT_CLASS;
/** Its later lines, in chunks of CHUNK_LINES tuples chained behind it: nothing is moved again. */
const CHUNK_LINES = 16;
/** Words of a chunk before its tuples: the offset of the chunk (or root block) before it. */
const CHUNK_HEAD = 1;
const scratch = new Int32Array(RAW_MAX);
/** `scratch.subarray(0, n)`, made once per length. */
const scratchViews: (Int32Array | undefined)[] = [];
/** Radix sort's buffer and byte counts (sortScratch; the counts are all zero between calls). */
const radixTmp = new Int32Array(RAW_MAX);
const radixLow = new Int32Array(256);
const radixHigh = new Int32Array(256);

/**
 * Sorts `scratch[0, n)` (values >= 0, the largest `max`) ascending. Below 2^16, as latencies in
 * ms mostly are, by a radix sort on the low byte then the high byte (one pass when all are
 * below 256); above, natively. The native sort of a typed array costs ~20 ns a value here: 60
 * values (a client's lines in `report clients`) took 1.29 us against 0.63 us, 200 took 5.1 us
 * against 1.4 us (mostly small values and a few up to 3 s, warm).
 */
function sortScratch(n: number, max: number): void {
  if (max >= 65536) {
    (scratchViews[n] ??= scratch.subarray(0, n)).sort();
    return;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) radixLow[scratch[i]! & 255]!++;
  for (let b = 0; b < 256; b++) {
    const c = radixLow[b]!;
    radixLow[b] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const v = scratch[i]!;
    radixTmp[radixLow[v & 255]!++] = v;
  }
  radixLow.fill(0);
  if (max < 256) {
    for (let i = 0; i < n; i++) scratch[i] = radixTmp[i]!;
    return;
  }
  const top = (max >> 8) + 1;
  for (let i = 0; i < n; i++) radixHigh[radixTmp[i]! >> 8]!++;
  sum = 0;
  for (let b = 0; b < top; b++) {
    const c = radixHigh[b]!;
    radixHigh[b] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const v = radixTmp[i]!;
    scratch[radixHigh[v >> 8]!++] = v;
  }
  radixHigh.fill(0, 0, top);
}

/** Sum and max of the values the last #gather() copied. */
let gatherSum = 0;
let gatherMax = 0;

/**
 * Int32 words per raw line: TR, Tw, Tc, Tr, then Ta or Tt in one word (an HTTP line has Ta, a
 * TCP line Tt, never both): Ta as itself (>= 0), Tt as -2 - Tt (<= -2), -1 for none.
 */
const LINE_WORDS = 5;

/** The block class that holds `n` >= 1 lines (n <= ROOT_LINES): the smallest c with 1 << c >= n. */
const classFor = (n: number): number => (n <= 1 ? 0 : 32 - Math.clz32(n - 1));

const CHUNK_SIZE = CHUNK_HEAD + CHUNK_LINES * LINE_WORDS;
/** Segments of the raw row last located by `segmentsOf`: the word offset of its first tuple and its tuple count, in line order. */
const MAX_SEGMENTS = 1 + Math.ceil((RAW_MAX - ROOT_LINES) / CHUNK_LINES);
const segStart = new Int32Array(MAX_SEGMENTS);
const segLines = new Int32Array(MAX_SEGMENTS);

/**
 * Fills segStart/segLines with where the `len` tuples of a raw row are, the row's last block
 * or chunk being at `tail` of `arena`; returns how many segments. A row of up to ROOT_LINES
 * lines is one block; past it, the chunks are found from the last one back (each names the one
 * before it, the first names the root block).
 */
function segmentsOf(arena: Int32Array, tail: number, len: number): number {
  if (len <= ROOT_LINES) {
    segStart[0] = tail;
    segLines[0] = len;
    return 1;
  }
  const chunks = Math.ceil((len - ROOT_LINES) / CHUNK_LINES);
  let c = tail;
  for (let j = chunks; j >= 1; j--) {
    segStart[j] = c + CHUNK_HEAD;
    segLines[j] = j === chunks ? len - ROOT_LINES - (chunks - 1) * CHUNK_LINES : CHUNK_LINES;
    c = arena[c]!;
  }
  segStart[0] = c;
  segLines[0] = ROOT_LINES;
  return chunks + 1;
}

/**
 * The latency series of many rows in flat arrays; series `s` is timer `s % NTIMERS` of row
 * `(s / NTIMERS) | 0`. A row is in one of two forms:
 * - raw (`meta[2r]` = len >= 0): its first RAW_MAX lines as tuples of LINE_WORDS Int32
 *   (-1 = no value), in insertion order. The first ROOT_LINES are in a block of `1 << cls[r]`
 *   tuples (the smallest power of two that holds them, so a block is full exactly when len is
 *   a power of two), the later ones in chunks of CHUNK_LINES chained behind it (segmentsOf);
 *   `arena[meta[2r + 1]]` is the last block or chunk. A series' n, sum and max are computed
 *   from the tuples when asked for. Chunks instead of doubling blocks: the 50 000 rows of
 *   `report clients` (60 lines each) touched twice their tuples' memory, every moved block
 *   left behind, and fresh memory is slow to fault in (docs/reports.md, ninth pass).
 * - histogram (`meta[2r]` = -1): series s has exact n, sum, max at `tot[3s]` and a counts
 *   array indexed by HdrHistogram bucket, `hists[histOf[s] - 1]` (histOf 0: no value yet).
 * A line of a row seen rarely thus writes one tuple next to the row's other lines and one
 * length word: per-series totals, lengths and value blocks were a cache miss each, ~125 ns per
 * value, and recording five timers cost twice what recording one did (`report clients` on 1 GB).
 */
export class SeriesStore {
  capacity: number;
  meta: Int32Array;
  cls: Uint8Array;
  #arena: Int32Array;
  #arenaTop = 0;
  /** Free tuple blocks by class (offsets into the arena). */
  #free: number[][] = Array.from({ length: ROOT_CLASS + 1 }, () => []);
  /** Free chunks (offsets into the arena). */
  #freeChunks: number[] = [];
  tot: Float64Array;
  histOf: Int32Array;
  hists: (Uint32Array | null)[] = [];
  #freeHists: number[] = [];
  /** Estimated bytes of the values (tuple blocks and counts arrays), kept up to date. */
  valueBytes = 0;

  /** `capacity`: series ids to make room for; `valueBytes`: bytes of tuples to make room for at once (grown past it by copying). */
  constructor(capacity = 1024, valueBytes = 1 << 14) {
    // Whole rows: row-wide operations (merges, histogram conversion) visit all six series.
    const rows = Math.ceil(capacity / NTIMERS);
    this.capacity = capacity = rows * NTIMERS;
    this.#arena = new Int32Array(Math.max(1 << 12, Math.min(1 << 28, valueBytes >> 2)));
    this.meta = new Int32Array(2 * rows);
    this.cls = new Uint8Array(rows);
    this.tot = new Float64Array(3 * capacity);
    this.histOf = new Int32Array(capacity);
  }

  /** Makes room for series ids below `n`. */
  ensure(n: number): void {
    if (n <= this.capacity) return;
    let c = this.capacity;
    while (c < n) c *= 2;
    const rows = Math.ceil(c / NTIMERS);
    this.capacity = c = rows * NTIMERS;
    this.meta = grown(this.meta, 2 * rows);
    this.cls = grown(this.cls, rows);
    this.tot = grown(this.tot, 3 * c);
    this.histOf = grown(this.histOf, c);
  }

  /**
   * Records one line of row `r`: series `r * NTIMERS + t` gets `vt` (-1: nothing). Values are
   * timers in ms, int32 >= 0. A line has Ta (v4) or Tt (v5), not both (see LINE_WORDS); given
   * both, they are recorded as two lines.
   */
  recordRow(r: number, v0: number, v1: number, v2: number, v3: number, v4: number, v5: number): void {
    if (v4 >= 0 && v5 >= 0) {
      this.recordRow(r, v0, v1, v2, v3, v4, -1);
      this.recordRow(r, -1, -1, -1, -1, -1, v5);
      return;
    }
    const meta = this.meta;
    const len = meta[2 * r]!;
    if (len === -1) {
      const s = r * NTIMERS;
      if (v0 >= 0) this.#histValue(s, v0);
      if (v1 >= 0) this.#histValue(s + 1, v1);
      if (v2 >= 0) this.#histValue(s + 2, v2);
      if (v3 >= 0) this.#histValue(s + 3, v3);
      if (v4 >= 0) this.#histValue(s + 4, v4);
      if (v5 >= 0) this.#histValue(s + 5, v5);
      return;
    }
    if (len === RAW_MAX) {
      this.#toHistRow(r);
      this.recordRow(r, v0, v1, v2, v3, v4, v5);
      return;
    }
    const at = this.#tupleAt(r, len);
    const arena = this.#arena;
    arena[at] = v0;
    arena[at + 1] = v1;
    arena[at + 2] = v2;
    arena[at + 3] = v3;
    arena[at + 4] = v4 >= 0 ? v4 : v5 >= 0 ? -2 - v5 : -1;
    meta[2 * r] = len + 1;
  }

  /** Records `v` in series `s` alone. */
  record(s: number, v: number): void {
    const r = (s / NTIMERS) | 0;
    const t = s - r * NTIMERS;
    this.recordRow(r, t === 0 ? v : -1, t === 1 ? v : -1, t === 2 ? v : -1, t === 3 ? v : -1, t === 4 ? v : -1, t === 5 ? v : -1);
  }

  /** Where line `len` (0-based, below RAW_MAX) of raw row `r`, holding `len` lines, goes: in its block, grown or chained as needed. */
  #tupleAt(r: number, len: number): number {
    let off = this.meta[2 * r + 1]!;
    if (len < ROOT_LINES) {
      // No block yet, or a full one: the only times the class is read.
      if ((len & (len - 1)) === 0) off = this.#resize(r, len, len + 1);
      return off + len * LINE_WORDS;
    }
    const k = (len - ROOT_LINES) % CHUNK_LINES;
    if (k === 0) {
      const c = this.#allocChunk();
      this.#arena[c] = off;
      this.meta[2 * r + 1] = off = c;
    }
    return off + CHUNK_HEAD + k * LINE_WORDS;
  }

  /** Gives raw row `r` (holding `len` lines) a block for `need` <= ROOT_LINES lines; returns its offset. */
  #resize(r: number, len: number, need: number): number {
    const c = classFor(need);
    const to = this.#alloc(c);
    if (len > 0) {
      const from = this.meta[2 * r + 1]!;
      const arena = this.#arena;
      // A loop, not copyWithin: blocks are small, where the native call costs more than the copy.
      for (let k = 0; k < len * LINE_WORDS; k++) arena[to + k] = arena[from + k]!;
      this.#release(from, this.cls[r]!);
    }
    this.meta[2 * r + 1] = to;
    this.cls[r] = c;
    return to;
  }

  #histValue(s: number, v: number): void {
    const tot = this.tot;
    tot[3 * s]!++;
    tot[3 * s + 1]! += v;
    if (v > tot[3 * s + 2]!) tot[3 * s + 2] = v;
    const i = bucketIndex(v);
    this.#histWith(s, i)[i]!++;
  }

  /** The counts array of series `s` (made or grown as needed) holding bucket `i`. */
  #histWith(s: number, i: number): Uint32Array {
    const id = this.histOf[s]! - 1;
    const h = id < 0 ? this.#newHist(s, i) : this.hists[id]!;
    return i < h.length ? h : this.#growHist(s, i);
  }

  #alloc(c: number): number {
    const free = this.#free[c]!;
    this.valueBytes += (4 * LINE_WORDS) << c;
    if (free.length) return free.pop()!;
    const size = LINE_WORDS << c;
    if (this.#arenaTop + size > this.#arena.length) this.#arena = grown(this.#arena, Math.max(this.#arena.length * 2, this.#arenaTop + size));
    const off = this.#arenaTop;
    this.#arenaTop += size;
    return off;
  }

  #release(off: number, c: number): void {
    this.#free[c]!.push(off);
    this.valueBytes -= (4 * LINE_WORDS) << c;
  }

  #allocChunk(): number {
    this.valueBytes += 4 * CHUNK_SIZE;
    const free = this.#freeChunks.pop();
    if (free !== undefined) return free;
    if (this.#arenaTop + CHUNK_SIZE > this.#arena.length) this.#arena = grown(this.#arena, Math.max(this.#arena.length * 2, this.#arenaTop + CHUNK_SIZE));
    const off = this.#arenaTop;
    this.#arenaTop += CHUNK_SIZE;
    return off;
  }

  /** Frees the block and chunks of raw row `r` (holding `len` > 0 lines). */
  #releaseRaw(r: number, len: number): void {
    const n = segmentsOf(this.#arena, this.meta[2 * r + 1]!, len);
    this.#release(segStart[0]!, this.cls[r]!);
    for (let j = 1; j < n; j++) {
      this.#freeChunks.push(segStart[j]! - CHUNK_HEAD);
      this.valueBytes -= 4 * CHUNK_SIZE;
    }
  }

  /** A counts array for series `s`, long enough for bucket `i`. */
  #newHist(s: number, i: number): Uint32Array {
    const h = new Uint32Array(histLength(i));
    this.valueBytes += 4 * h.length;
    let id = this.#freeHists.pop();
    if (id === undefined) id = this.hists.push(h) - 1;
    else this.hists[id] = h;
    this.histOf[s] = id + 1;
    return h;
  }

  #growHist(s: number, i: number): Uint32Array {
    const id = this.histOf[s]! - 1;
    const old = this.hists[id]!;
    const h = new Uint32Array(histLength(i));
    h.set(old);
    this.valueBytes += 4 * (h.length - old.length);
    this.hists[id] = h;
    return h;
  }

  /** Turns raw row `r` into the histogram form. */
  #toHistRow(r: number): void {
    const len = this.meta[2 * r]!;
    if (len === -1) return;
    for (let t = 0; t < NTIMERS; t++) {
      const s = r * NTIMERS + t;
      const n = this.#gather(s);
      if (n === 0) continue;
      const h = this.#newHist(s, bucketIndex(gatherMax));
      for (let k = 0; k < n; k++) h[bucketIndex(scratch[k]!)]!++;
      this.tot[3 * s] = n;
      this.tot[3 * s + 1] = gatherSum;
      this.tot[3 * s + 2] = gatherMax;
    }
    if (len > 0) this.#releaseRaw(r, len);
    this.meta[2 * r] = -1;
    this.meta[2 * r + 1] = 0;
  }

  /** Copies the values of series `s` of a raw row into `scratch` (insertion order); returns how many (sets gatherSum, gatherMax). */
  #gather(s: number): number {
    const r = (s / NTIMERS) | 0;
    const len = this.meta[2 * r]!;
    const arena = this.#arena;
    const t = s - r * NTIMERS;
    // Tt shares the last word with Ta, stored as -2 - Tt.
    const tt = t === 5;
    const word = tt ? 4 : t;
    let n = 0;
    let sum = 0;
    let max = 0;
    const segments = segmentsOf(arena, this.meta[2 * r + 1]!, len);
    for (let g = 0; g < segments; g++) {
      let at = segStart[g]! + word;
      for (let k = segLines[g]!; k > 0; k--, at += LINE_WORDS) {
        const w = arena[at]!;
        const v = tt ? -2 - w : w;
        if (v < 0) continue;
        scratch[n++] = v;
        sum += v;
        if (v > max) max = v;
      }
    }
    gatherSum = sum;
    gatherMax = max;
    return n;
  }

  #isHist(s: number): boolean {
    return this.meta[2 * ((s / NTIMERS) | 0)] === -1;
  }

  /** Values recorded in series `s`. */
  count(s: number): number {
    return this.#isHist(s) ? this.tot[3 * s]! : this.#gather(s);
  }

  /** Empties row `r` (rows recycled or dropped by a sketch), returning its memory. */
  clearRow(r: number): void {
    const len = this.meta[2 * r]!;
    if (len === -1) {
      for (let s = r * NTIMERS; s < (r + 1) * NTIMERS; s++) {
        const id = this.histOf[s]! - 1;
        if (id >= 0) {
          this.valueBytes -= 4 * this.hists[id]!.length;
          this.hists[id] = null;
          this.#freeHists.push(id);
        }
        this.histOf[s] = 0;
        this.tot[3 * s] = 0;
        this.tot[3 * s + 1] = 0;
        this.tot[3 * s + 2] = 0;
      }
    } else if (len > 0) this.#releaseRaw(r, len);
    this.meta[2 * r] = 0;
    this.meta[2 * r + 1] = 0;
  }

  /** Reads the first word of row `r`'s last block (brings it into the cache ahead of use). */
  touchRow(r: number): number {
    const at = this.meta[2 * r + 1]!;
    return this.meta[2 * r]! > 0 ? this.#arena[at]! : at;
  }

  /** Raw values (insertion order) while the row of `s` holds at most RAW_MAX lines, else null. */
  raw(s: number): number[] | null {
    if (this.#isHist(s)) return null;
    return Array.from(scratch.subarray(0, this.#gather(s)));
  }

  /**
   * Writes the NSTATS numbers of `s` (PERCENTILES, then max) at `out[o]`; NaN when `s` has no
   * value. Returns whether it had one.
   */
  statsInto(s: number, out: Float64Array, o: number): boolean {
    const r = (s / NTIMERS) | 0;
    if (this.meta[2 * r] === 1) {
      // One line (most rows of a URL or client report): every statistic is its value, read
      // in place, without gathering it or calling fill.
      const t = s - r * NTIMERS;
      const w = this.#arena[this.meta[2 * r + 1]! + (t === 5 ? 4 : t)]!;
      const v = t === 5 ? -2 - w : w;
      const x = v < 0 ? Number.NaN : v;
      for (let k = 0; k < NSTATS; k++) out[o + k] = x;
      return v >= 0;
    }
    const hist = this.#isHist(s);
    const n = hist ? this.tot[3 * s]! : this.#gather(s);
    const max = hist ? this.tot[3 * s + 2]! : gatherMax;
    if (n === 0) {
      out.fill(Number.NaN, o, o + NSTATS);
      return false;
    }
    const at = ranksAt(n);
    if (n === 1 && !hist) {
      // bucketTop(v) >= v = max: capped to the max.
      out.fill(max, o, o + NSTATS);
      return true;
    }
    if (!hist) {
      // The values are in scratch; sort them there.
      if (n <= 24) {
        // Insertion sort: most rows hold a few values, where a native sort call costs more.
        for (let i = 1; i < n; i++) {
          const v = scratch[i]!;
          let j = i;
          while (j > 0 && scratch[j - 1]! > v) {
            scratch[j] = scratch[j - 1]!;
            j--;
          }
          scratch[j] = v;
        }
      } else sortScratch(n, max);
      for (let k = 0; k < NPCT; k++) out[o + k] = bucketTop(scratch[ranks[at + k]! - 1]!);
    } else {
      const h = this.hists[this.histOf[s]! - 1]!;
      let k = 0;
      let acc = 0;
      for (let i = 0; i < h.length && k < NPCT; i++) {
        const c = h[i]!;
        if (c === 0) continue;
        acc += c;
        while (k < NPCT && acc >= ranks[at + k]!) out[o + k++] = bucketTopOf(i);
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
    const { n, sum, max } = this.#totals(s);
    return { count: n, mean: sum / n, max, pct: Array.from(out.subarray(0, PERCENTILES.length)) };
  }

  #totals(s: number): { n: number; sum: number; max: number } {
    if (this.#isHist(s)) return { n: this.tot[3 * s]!, sum: this.tot[3 * s + 1]!, max: this.tot[3 * s + 2]! };
    const n = this.#gather(s);
    return { n, sum: gatherSum, max: gatherMax };
  }

  /** Calls `fn(value, count)` per distinct raw value or per bucket (its lowest value), ascending. */
  forEachValue(s: number, fn: (value: number, count: number) => void): void {
    if (this.#isHist(s)) {
      const id = this.histOf[s]! - 1;
      if (id < 0) return;
      const h = this.hists[id]!;
      for (let i = 0; i < h.length; i++) if (h[i] !== 0) fn(bucketLow(i), h[i]!);
    } else {
      const sorted = Float64Array.from(scratch.subarray(0, this.#gather(s))).sort();
      for (const v of sorted) fn(v, 1);
    }
  }

  /** Adds exact n/sum/max of a partial series whose values went into the histogram of `s` (a histogram row). */
  #addTotals(s: number, n: number, sum: number, max: number): void {
    this.tot[3 * s]! += n;
    this.tot[3 * s + 1]! += sum;
    if (max > this.tot[3 * s + 2]!) this.tot[3 * s + 2] = max;
  }

  /** Adds `count` values of bucket `i` (merges of histograms); the row becomes a histogram row. n/sum/max are the caller's. */
  addCount(s: number, i: number, count: number): void {
    this.#toHistRow((s / NTIMERS) | 0);
    this.#histWith(s, i)[i]! += count;
  }

  /**
   * This store's arrays for another thread (see MovedSeries). The store must not record
   * anything after its arrays were transferred: their buffers are then detached.
   */
  move(): MovedSeries {
    return { meta: this.meta, cls: this.cls, arena: this.#arena, tot: this.tot, histOf: this.histOf, hists: this.hists };
  }

  /**
   * Adds row `q` of a moved store (or of another store's `move()`, not transferred) into row
   * `r` of this one; exact: lines are copied, histogram buckets add up.
   */
  addMovedRow(r: number, m: MovedSeries, q: number): void {
    const mlen = m.meta[2 * q]!;
    if (mlen === 0) return;
    const len = this.meta[2 * r]!;
    if (mlen > 0 && len >= 0 && len + mlen <= RAW_MAX) {
      // Both raw and the lines fit: append them, in their order.
      const src = m.arena;
      const segments = segmentsOf(src, m.meta[2 * q + 1]!, mlen);
      let n = len;
      for (let g = 0; g < segments; g++) {
        let from = segStart[g]!;
        for (let k = segLines[g]!; k > 0; k--, from += LINE_WORDS) {
          const to = this.#tupleAt(r, n++);
          const arena = this.#arena;
          for (let w = 0; w < LINE_WORDS; w++) arena[to + w] = src[from + w]!;
        }
      }
      this.meta[2 * r] = n;
      return;
    }
    this.#toHistRow(r);
    const s0 = r * NTIMERS;
    if (mlen > 0) {
      const src = m.arena;
      const segments = segmentsOf(src, m.meta[2 * q + 1]!, mlen);
      for (let g = 0; g < segments; g++) {
        const from = segStart[g]!;
        for (let k = 0; k < segLines[g]! * LINE_WORDS; k++) {
          const v = src[from + k]!;
          const t = k % LINE_WORDS;
          if (v >= 0) this.#histValue(s0 + t, v);
          else if (t === 4 && v <= -2) this.#histValue(s0 + 5, -2 - v);
        }
      }
      return;
    }
    for (let t = 0; t < NTIMERS; t++) {
      const sq = q * NTIMERS + t;
      const n = m.tot[3 * sq]!;
      if (n === 0) continue;
      const s = s0 + t;
      const hs = m.hists[m.histOf[sq]! - 1]!;
      const h = this.#histWith(s, hs.length - 1);
      for (let k = 0; k < hs.length; k++) h[k]! += hs[k]!;
      this.#addTotals(s, n, m.tot[3 * sq + 1]!, m.tot[3 * sq + 2]!);
    }
  }

  /** `encoded`: histograms as HdrHistogram V2 compressed base64 (summaries); otherwise value/count pairs. */
  snapshot(s: number, encoded: boolean): SeriesSnapshot | null {
    const { n, sum, max } = this.#totals(s);
    if (n === 0) return null;
    const snap: SeriesSnapshot = { n, sum, max };
    if (!this.#isHist(s)) snap.raw = this.raw(s)!;
    else {
      const h = this.hists[this.histOf[s]! - 1]!;
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

  /**
   * Adds a serialized series into `s`. Throws a RangeError, before changing anything, on a
   * series that does not hold together: values that are not timers (int32 >= 0), or counts
   * that do not add up to its n (a hand-edited or damaged summary).
   */
  addSnapshot(s: number, snap: SeriesSnapshot): void {
    const isTimer = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0x7fffffff;
    if (!Number.isInteger(snap.n) || snap.n < 0) throw new RangeError(`series count ${String(snap.n)} is not a count`);
    if (snap.raw) {
      if (!Array.isArray(snap.raw) || snap.raw.length !== snap.n) throw new RangeError(`series has n ${snap.n} but ${Array.isArray(snap.raw) ? snap.raw.length : 'no list of'} raw values`);
      for (const v of snap.raw) if (!isTimer(v)) throw new RangeError(`latency value ${String(v)} is not a timer in ms`);
      // record() keeps n/sum/max of a histogram row itself; raw rows compute them from the lines.
      for (const v of snap.raw) this.record(s, v);
      return;
    }
    // Bucket counts: checked whole first, then added; the row becomes a histogram row, whose n/sum/max are kept, not computed.
    const counts: number[] = [];
    if (snap.pairs) {
      if (!Array.isArray(snap.pairs) || snap.pairs.length % 2 !== 0) throw new RangeError('series pairs are not [value, count, ...]');
      for (let i = 0; i < snap.pairs.length; i += 2) {
        const v = snap.pairs[i];
        const c = snap.pairs[i + 1];
        if (!isTimer(v) || !Number.isInteger(c) || (c as number) <= 0) throw new RangeError(`series pair [${String(v)}, ${String(c)}] is not a timer value and a count`);
        counts.push(bucketIndex(v), c as number);
      }
    } else if (snap.hdr) {
      const h = hdr().decodeFromCompressedBase64(snap.hdr, 32, false) as unknown as JsHistogramInternals;
      for (let i = 0; i < h.countsArrayLength; i++) {
        const c = h.getCountAtIndex(i);
        if (c !== 0) counts.push(bucketIndex(h.valueFromIndex(i)), c);
      }
    }
    let total = 0;
    for (let i = 1; i < counts.length; i += 2) total += counts[i]!;
    if (total !== snap.n) throw new RangeError(`series has n ${snap.n} but its histogram counts ${total} values`);
    if (snap.n > 0 && !(isTimer(snap.max) && Number.isFinite(snap.sum))) throw new RangeError(`series max ${String(snap.max)} or sum ${String(snap.sum)} is not a timer total`);
    this.#toHistRow((s / NTIMERS) | 0);
    for (let i = 0; i < counts.length; i += 2) this.addCount(s, counts[i]!, counts[i + 1]!);
    this.#addTotals(s, snap.n, snap.sum, snap.max);
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
    this.#st.addMovedRow(0, o.#st.move(), 0);
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
