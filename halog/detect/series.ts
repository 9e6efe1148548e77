/**
 * Per-second event counts of every client (requests, new connections, new pages, auth
 * failures...), for the sliding-window rules. A store keeps `cols` series per client as
 * entries `(second, count of column 0, count of column 1, ...)`: no array per client, nothing
 * for the garbage collector, and the series a line bumps together (a request, its new
 * connection, its new page: same second) share an entry.
 *
 * A client's newest entry (its "head") lives in the client's bookkeeping cells, which the
 * line touches anyway; when a line brings another second, the head is appended to one log
 * shared by every client, linked to the client's previous entry. So a line writes only to the
 * client's own cells and, at most, to the end of the log, where the previous line wrote: no
 * access to a random place of a large arena. The previous layout (a chain of small chunks per
 * client) read the client's last chunk on every line, a cache and TLB miss on a 1 GB log
 * (3 million entries), for a tenth of detect's time. A client's entries are read back (by
 * following the links) only for a snapshot or when its total reaches a rule's threshold.
 *
 * Seconds are stored relative to the first one the store saw (an Int32 then covers ±68
 * years). Only the per-second sums matter (windowPeak adds the pairs of a second together),
 * so how entries are grouped never changes a result: a line whose second is not the head's
 * (another second, or an older one out of order) simply starts a new entry.
 *
 * Entries of dropped clients stay in the log as holes; `compact()` copies the live ones into
 * a new log once holes are most of it (the detector calls it after an eviction sweep).
 */
import { windowPeak } from './window.js';

/** Entry fields: link to the client's previous entry (0 = none), second, the counts packed in one cell. */
const E_PREV = 0;
const E_SEC = 1;
const E_COUNTS = 2;
const ENTRY = 3;
/**
 * Bits of one column's count in E_COUNTS (three columns at most). A head with more events in a
 * column than that goes to the log as several entries of the same second (only per-second sums
 * matter). 12 bytes an entry instead of 20 with a cell per count: the log is written for nearly
 * every line and is fresh memory (1 GB bench log, one thread: 74.5k -> 66k page faults, peak RSS
 * 256 -> 234 MB; CPU time within this VM's noise, 6 interleaved pairs on 300 MB).
 */
const BITS = 10;
const COUNT_MAX = (1 << BITS) - 1;
const MAX_COLS = 3;
/** Bookkeeping cells: last entry in the log (0 = none), head second, sums, head counts. */
const M_LAST = 0;
const M_HEAD_SEC = 1;
const M_SUM = 2;
/** Compact only logs with more than this many holes (cells). */
const COMPACT_MIN = 1 << 20;

export class SeriesStore {
  readonly cols: number;
  /** Int32 cells of a client's bookkeeping: last entry, head second, the sum of each column, the head's counts. */
  readonly metaCells: number;
  readonly #head: number;
  #log: Int32Array;
  /** Next free cell of the log (entry indexes are cell offsets; cell 0 is never used). */
  #top: number;
  #holes = 0;
  /** Scratch for #orderedPeak: one client's seconds and counts, newest first. */
  #secs = new Int32Array(256);
  #counts = new Int32Array(256);
  #base = 0;
  #based = false;

  constructor(cols: number) {
    if (cols > MAX_COLS) throw new Error(`bug: a series store packs ${MAX_COLS} columns at most, not ${cols}`);
    this.cols = cols;
    this.metaCells = 2 + 2 * cols;
    this.#head = M_SUM + cols;
    this.#log = new Int32Array(4096 * ENTRY);
    this.#top = ENTRY;
  }

  /** Adds `n` events at second `sec` (absolute) to column `col` of the series whose bookkeeping is at `meta[off]`. */
  bump(meta: Int32Array, off: number, col: number, sec: number, n = 1): void {
    if (!this.#based) {
      this.#base = sec;
      this.#based = true;
    }
    const s = sec - this.#base;
    meta[off + M_SUM + col]! += n;
    const h = off + this.#head;
    // The head's second (an empty head's too: adding to zero counts starts it at that second).
    if (meta[off + M_HEAD_SEC] === s) {
      meta[h + col]! += n;
      return;
    }
    if (this.#hasHead(meta, h)) this.#flush(meta, off);
    meta[off + M_HEAD_SEC] = s;
    meta[h + col] = n;
  }

  #hasHead(meta: Int32Array, h: number): boolean {
    for (let k = 0; k < this.cols; k++) if (meta[h + k] !== 0) return true;
    return false;
  }

  /** Appends the head to the log (as several entries when a count exceeds COUNT_MAX) and empties it. */
  #flush(meta: Int32Array, off: number): void {
    const h = off + this.#head;
    for (let more = true; more; ) {
      more = false;
      let counts = 0;
      for (let k = 0; k < this.cols; k++) {
        let n = meta[h + k]!;
        if (n > COUNT_MAX) {
          meta[h + k] = n - COUNT_MAX;
          n = COUNT_MAX;
          more = true;
        } else meta[h + k] = 0;
        counts |= n << (BITS * k);
      }
      if (this.#top + ENTRY > this.#log.length) this.#grow(ENTRY);
      const log = this.#log;
      const e = this.#top;
      this.#top += ENTRY;
      log[e + E_PREV] = meta[off + M_LAST]!;
      log[e + E_SEC] = meta[off + M_HEAD_SEC]!;
      log[e + E_COUNTS] = counts;
      meta[off + M_LAST] = e;
    }
  }

  #grow(need: number): void {
    // 4x, not 2x: see slot-map.ts GROWTH (fresh memory is what growth costs).
    let n = this.#log.length * 4;
    while (n < this.#top + need) n *= 4;
    const a = new Int32Array(n);
    a.set(this.#log.subarray(0, this.#top));
    this.#log = a;
  }

  /** Column `col` as flat `[second, count, ...]` pairs, absolute seconds, in bump order. */
  pairs(meta: Int32Array, off: number, col: number): number[] {
    const out: number[] = [];
    const log = this.#log;
    for (let e = meta[off + M_LAST]!; e !== 0; e = log[e + E_PREV]!) {
      const n = (log[e + E_COUNTS]! >>> (BITS * col)) & COUNT_MAX;
      if (n !== 0) out.push(n, log[e + E_SEC]! + this.#base);
    }
    out.reverse();
    const n = meta[off + this.#head + col]!;
    if (n !== 0) out.push(meta[off + M_HEAD_SEC]! + this.#base, n);
    return out;
  }

  /** windowPeak().count of column `col`, without listing it when its total cannot reach `needed`. */
  peak(meta: Int32Array, off: number, col: number, seconds: number, needed = Number.POSITIVE_INFINITY): number {
    const total = meta[off + M_SUM + col]!;
    // A total under the threshold bounds the peak (windowPeak's own shortcut); a series of
    // one second gives its total either way.
    if (total === 0 || total < needed) return total;
    const p = this.#orderedPeak(meta, off, col, seconds);
    return p >= 0 ? p : windowPeak(this.pairs(meta, off, col), seconds, needed).count;
  }

  /**
   * windowPeak().count of column `col` read straight from the entries, newest first, into
   * scratch arrays kept in descending seconds: an entry older than the one before it (lines in
   * time order: nearly all) is appended, one that goes back up (a line accepted earlier but
   * logged later) is moved into place or added to its second. Then windows anchored at each
   * second going back in time: a window of the best count holds the seconds from one of its
   * own to under `seconds` later, so they find windowPeak's peak. No pairs array, no Map, no
   * sort: the flood rule lists the series of every client with a few hundred requests.
   * Returns -1 (windowPeak then) when disorder would cost more than a few moves per entry.
   */
  #orderedPeak(meta: Int32Array, off: number, col: number, seconds: number): number {
    const log = this.#log;
    let secs = this.#secs;
    let counts = this.#counts;
    let n = 0;
    let moves = 0;
    const head = meta[off + this.#head + col]!;
    if (head !== 0) {
      secs[0] = meta[off + M_HEAD_SEC]!;
      counts[0] = head;
      n = 1;
    }
    for (let e = meta[off + M_LAST]!; e !== 0; e = log[e + E_PREV]!) {
      const c = (log[e + E_COUNTS]! >>> (BITS * col)) & COUNT_MAX;
      if (c === 0) continue;
      const sec = log[e + E_SEC]!;
      let j = n;
      while (j > 0 && secs[j - 1]! < sec) j--;
      moves += n - j;
      if (moves > 64 + 8 * n) return -1;
      if (j > 0 && secs[j - 1] === sec) {
        counts[j - 1]! += c;
        continue;
      }
      if (n === secs.length) {
        secs = grown(secs);
        counts = grown(counts);
        this.#secs = secs;
        this.#counts = counts;
      }
      if (j < n) {
        secs.copyWithin(j + 1, j, n);
        counts.copyWithin(j + 1, j, n);
      }
      secs[j] = sec;
      counts[j] = c;
      n++;
    }
    let best = 0;
    let sum = 0;
    for (let hi = 0, lo = 0; hi < n; hi++) {
      sum += counts[hi]!;
      while (secs[lo]! - secs[hi]! >= seconds) sum -= counts[lo++]!;
      if (sum > best) best = sum;
    }
    return best;
  }

  /** Drops the series at `meta[off]` (its log entries become holes) and zeroes its bookkeeping. */
  clear(meta: Int32Array, off: number): void {
    const log = this.#log;
    for (let e = meta[off + M_LAST]!; e !== 0; e = log[e + E_PREV]!) this.#holes += ENTRY;
    meta.fill(0, off, off + this.metaCells);
  }

  /** Whether compact() is worth it: holes are over half of the log. */
  get fragmented(): boolean {
    return this.#holes >= COMPACT_MIN && this.#holes * 2 >= this.#top;
  }

  /** Copies the entries of the series at `meta[off]` for each `off` (every live one) into a new log. */
  compact(meta: Int32Array, offs: Iterable<number>): void {
    const old = this.#log;
    const live = this.#top - this.#holes;
    const log = new Int32Array(Math.max(4096 * ENTRY, live + (live >> 1)));
    let top = ENTRY;
    const chain: number[] = [];
    for (const off of offs) {
      chain.length = 0;
      for (let e = meta[off + M_LAST]!; e !== 0; e = old[e + E_PREV]!) chain.push(e);
      let prev = 0;
      for (let i = chain.length - 1; i >= 0; i--) {
        const e = chain[i]!;
        log.set(old.subarray(e, e + ENTRY), top);
        log[top + E_PREV] = prev;
        prev = top;
        top += ENTRY;
      }
      meta[off + M_LAST] = prev;
    }
    this.#log = log;
    this.#top = top;
    this.#holes = 0;
  }
}

function grown(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
