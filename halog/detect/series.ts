/**
 * Per-second event counts of every client (requests, new connections, new pages, auth
 * failures...), for the sliding-window rules. A series is a list of (second, count) pairs in
 * fixed-size chunks of one shared Int32Array: no array per client, nothing for the garbage
 * collector. A client's lines come nearly in time order, so a bump is almost always "same
 * second as a recent pair" or an append. Seconds are stored relative to the first one the
 * store saw (an Int32 then covers ±68 years).
 *
 * Only the per-second sums matter (windowPeak adds the pairs of a second together), so how
 * pairs are grouped never changes a result.
 */
import { windowPeak, type WindowPeak } from './window.js';

/** Pairs per chunk. */
const PAIRS = 6;
/** Chunk layout: [next chunk, pairs used, sec0, count0, sec1, count1, ...]. */
const CHUNK = 2 + 2 * PAIRS;
/** Lines are ordered by end time, accept dates a little less: look back this far for the second. */
const LOOK_BACK = 8;

export class SeriesStore {
  /**
   * A series' bookkeeping lives with its client's other counters (state.ts): three Int32
   * cells at `meta[off]`: first chunk, last chunk (0 = empty), sum of the counts.
   */
  #arena = new Int32Array(4096 * CHUNK);
  /** Next never-used chunk (chunk 0 is never used); freed chunks chained through [0]. */
  #top = 1;
  #free = 0;
  #base = 0;
  #based = false;

  /** Adds `n` events at second `sec` (absolute) to the series at `meta[off]`. */
  bump(meta: Int32Array, off: number, sec: number, n = 1): void {
    if (!this.#based) {
      this.#base = sec;
      this.#based = true;
    }
    const s = sec - this.#base;
    meta[off + 2]! += n;
    let c = meta[off + 1]!;
    let arena = this.#arena;
    if (c === 0) {
      c = this.#alloc();
      arena = this.#arena;
      meta[off] = c;
      meta[off + 1] = c;
    } else {
      const b = c * CHUNK;
      const used = arena[b + 1]!;
      for (let k = used - 1, stop = used > LOOK_BACK ? used - LOOK_BACK : 0; k >= stop; k--) {
        if (arena[b + 2 + 2 * k] === s) {
          arena[b + 3 + 2 * k]! += n;
          return;
        }
      }
      if (used === PAIRS) {
        const next = this.#alloc();
        arena = this.#arena;
        arena[b] = next;
        meta[off + 1] = next;
        c = next;
      }
    }
    const b = c * CHUNK;
    const used = arena[b + 1]!;
    arena[b + 2 + 2 * used] = s;
    arena[b + 3 + 2 * used] = n;
    arena[b + 1] = used + 1;
  }

  #alloc(): number {
    let c = this.#free;
    if (c !== 0) this.#free = this.#arena[c * CHUNK]!;
    else {
      c = this.#top++;
      if ((c + 1) * CHUNK > this.#arena.length) {
        const a = new Int32Array(this.#arena.length * 2);
        a.set(this.#arena);
        this.#arena = a;
      }
    }
    const b = c * CHUNK;
    this.#arena[b] = 0;
    this.#arena[b + 1] = 0;
    return c;
  }

  /** The series as flat `[second, count, ...]` pairs, absolute seconds, in bump order. */
  pairs(meta: Int32Array, off: number): number[] {
    const out: number[] = [];
    const arena = this.#arena;
    for (let c = meta[off]!; c !== 0; c = arena[c * CHUNK]!) {
      const b = c * CHUNK;
      const used = arena[b + 1]!;
      for (let k = 0; k < used; k++) out.push(arena[b + 2 + 2 * k]! + this.#base, arena[b + 3 + 2 * k]!);
    }
    return out;
  }

  /** windowPeak() of the series, without listing it when its total cannot reach `needed`. */
  peak(meta: Int32Array, off: number, seconds: number, needed = Number.POSITIVE_INFINITY): WindowPeak {
    const c = meta[off]!;
    if (c === 0) return { count: 0, start: 0 };
    const arena = this.#arena;
    const b = c * CHUNK;
    const total = meta[off + 2]!;
    // One pair (most clients), or a total under the threshold: windowPeak's own shortcuts.
    if (arena[b] === 0 && arena[b + 1] === 1) return { count: arena[b + 3]!, start: arena[b + 2]! + this.#base };
    if (total < needed) return { count: total, start: arena[b + 2]! + this.#base };
    return windowPeak(this.pairs(meta, off), seconds, needed);
  }

  /** Frees the series at `meta[off]` and zeroes its bookkeeping. */
  clear(meta: Int32Array, off: number): void {
    let c = meta[off]!;
    while (c !== 0) {
      const next = this.#arena[c * CHUNK]!;
      this.#arena[c * CHUNK] = this.#free;
      this.#free = c;
      c = next;
    }
    meta[off] = meta[off + 1] = meta[off + 2] = 0;
  }
}
