/**
 * Per-second event counts of every client (requests, new connections, new pages, auth
 * failures...), for the sliding-window rules. A store keeps `cols` series per client as one
 * list of entries `(second, count of column 0, count of column 1, ...)` in fixed-size chunks
 * of one shared Int32Array: no array per client, nothing for the garbage collector, and the
 * series a line bumps together (a request, its new connection, its new page: same second)
 * land in the same entry, one cache line. A client's lines come nearly in time order, so a
 * bump is almost always "same second as a recent entry" or an append. Seconds are stored
 * relative to the first one the store saw (an Int32 then covers ±68 years).
 *
 * Only the per-second sums matter (windowPeak adds the pairs of a second together), so how
 * entries are grouped never changes a result.
 */
import { windowPeak } from './window.js';

/** Entries per chunk. */
const ENTRIES = 4;
/** Lines are ordered by end time, accept dates a little less: look back this far for the second. */
const LOOK_BACK = 8;

export class SeriesStore {
  readonly cols: number;
  /** Int32 cells of a client's bookkeeping: first chunk, last chunk (0 = empty), then the sum of each column. */
  readonly metaCells: number;
  readonly #entry: number;
  /** Chunk layout: [next chunk, entries used, entry 0, entry 1, ...]. */
  readonly #chunk: number;
  #arena: Int32Array;
  /** Next never-used chunk (chunk 0 is never used); freed chunks chained through [0]. */
  #top = 1;
  #free = 0;
  #base = 0;
  #based = false;

  constructor(cols: number) {
    this.cols = cols;
    this.metaCells = 2 + cols;
    this.#entry = 1 + cols;
    this.#chunk = 2 + ENTRIES * this.#entry;
    this.#arena = new Int32Array(4096 * this.#chunk);
  }

  /** Adds `n` events at second `sec` (absolute) to column `col` of the series whose bookkeeping is at `meta[off]`. */
  bump(meta: Int32Array, off: number, col: number, sec: number, n = 1): void {
    if (!this.#based) {
      this.#base = sec;
      this.#based = true;
    }
    const s = sec - this.#base;
    meta[off + 2 + col]! += n;
    const E = this.#entry;
    const CH = this.#chunk;
    let c = meta[off + 1]!;
    let arena = this.#arena;
    if (c === 0) {
      c = this.#alloc();
      arena = this.#arena;
      meta[off] = c;
      meta[off + 1] = c;
    } else {
      const b = c * CH + 2;
      const used = arena[c * CH + 1]!;
      for (let k = used - 1, stop = used > LOOK_BACK ? used - LOOK_BACK : 0; k >= stop; k--) {
        if (arena[b + k * E] === s) {
          arena[b + k * E + 1 + col]! += n;
          return;
        }
      }
      if (used === ENTRIES) {
        const next = this.#alloc();
        arena = this.#arena;
        arena[c * CH] = next;
        meta[off + 1] = next;
        c = next;
      }
    }
    const used = arena[c * CH + 1]!;
    const e = c * CH + 2 + used * E;
    arena[e] = s;
    for (let k = 1; k <= this.cols; k++) arena[e + k] = 0;
    arena[e + 1 + col] = n;
    arena[c * CH + 1] = used + 1;
  }

  #alloc(): number {
    const CH = this.#chunk;
    let c = this.#free;
    if (c !== 0) this.#free = this.#arena[c * CH]!;
    else {
      c = this.#top++;
      if ((c + 1) * CH > this.#arena.length) {
        // 4x, not 2x: see slot-map.ts GROWTH (fresh memory is what growth costs).
        const a = new Int32Array(this.#arena.length * 4);
        a.set(this.#arena);
        this.#arena = a;
      }
    }
    this.#arena[c * CH] = 0;
    this.#arena[c * CH + 1] = 0;
    return c;
  }

  /** Column `col` as flat `[second, count, ...]` pairs, absolute seconds, in bump order. */
  pairs(meta: Int32Array, off: number, col: number): number[] {
    const out: number[] = [];
    const arena = this.#arena;
    const E = this.#entry;
    const CH = this.#chunk;
    for (let c = meta[off]!; c !== 0; c = arena[c * CH]!) {
      const used = arena[c * CH + 1]!;
      for (let k = 0; k < used; k++) {
        const e = c * CH + 2 + k * E;
        const n = arena[e + 1 + col]!;
        if (n !== 0) out.push(arena[e]! + this.#base, n);
      }
    }
    return out;
  }

  /** windowPeak().count of column `col`, without listing it when its total cannot reach `needed`. */
  peak(meta: Int32Array, off: number, col: number, seconds: number, needed = Number.POSITIVE_INFINITY): number {
    const total = meta[off + 2 + col]!;
    // A total under the threshold bounds the peak (windowPeak's own shortcut); a series of
    // one second gives its total either way.
    if (total === 0 || total < needed) return total;
    return windowPeak(this.pairs(meta, off, col), seconds, needed).count;
  }

  /** Frees the series at `meta[off]` and zeroes its bookkeeping. */
  clear(meta: Int32Array, off: number): void {
    const CH = this.#chunk;
    let c = meta[off]!;
    while (c !== 0) {
      const next = this.#arena[c * CH]!;
      this.#arena[c * CH] = this.#free;
      this.#free = c;
      c = next;
    }
    meta.fill(0, off, off + this.metaCells);
  }
}
