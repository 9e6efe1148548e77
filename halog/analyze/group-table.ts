import { viewOf } from '../parse/bytes.js';
import type { KeyBytes } from './result.js';
import { NTIMERS, SERIES_BYTES, SeriesStore, type MovedSeries, type SeriesSnapshot } from './latency.js';

/**
 * One report's rows, keyed by a byte string (URL, server, client, interval...), with a memory
 * budget. While the estimated size stays under `capBytes` every key is counted exactly. Past
 * it the table stops growing and becomes a space-saving sketch (Metwally et al. 2005): a new
 * key replaces the row with the smallest request count m and starts at m + 1 with an error of
 * m. A reported count c with error e means the true count is in [c - e, c]; every key whose
 * true count exceeds N / rows (N = requests in the table) is guaranteed to be present.
 * Other columns of a replacing row (errors, bytes, latencies) only cover the requests seen
 * since it entered the table.
 *
 * Layout: a row is an id; its counters, error and six latency series live in flat typed
 * arrays at that id, and its key is a byte range of an arena, found by hash (open addressing,
 * linear probing) before any string is made. Keys are latin1 bytes: log bytes as read, so
 * `key(id)` gives the same string as `buf.toString('latin1', ...)` of the line did. Looking a
 * key up and counting a line allocates nothing.
 *
 * The size estimate is a deterministic formula (not process memory), so the same input
 * gives the same table on every run.
 */
export const Col = { req: 0, err: 1, s1xx: 2, s2xx: 3, s3xx: 4, s4xx: 5, s5xx: 6, other: 7, bytes: 8 } as const;
export const COL_NAMES = ['req', 'err', '1xx', '2xx', '3xx', '4xx', '5xx', 'other', 'bytes'] as const;
export const NCOLS = COL_NAMES.length;

/**
 * Per-row bytes besides the key and the latency values: counters (9 x 8), error, key offset,
 * length and hash, heap position, hash slots (load <= 1/2), six series slots (SERIES_BYTES
 * each), and 64 for what the report makes per row when it is printed (the sort's arrays, the
 * key's string header; the key's characters are the second byte per key byte). Row arrays are
 * made once for the whole budget, so there is no growth slack to count.
 */
const ROW_FIXED = NCOLS * 8 + 8 + 4 * 4 + 8 + NTIMERS * SERIES_BYTES;
export const ROW_BYTES = ROW_FIXED + 64;

export interface RowSnapshot {
  k: string;
  c: number[];
  e: number;
  l: (SeriesSnapshot | null)[];
}

export interface TableSnapshot {
  rows: RowSnapshot[];
  sketch: boolean;
  /** Smallest count in the table when it became a sketch (0 when exact). */
  minCount: number;
  evictions: number;
  capBytes: number;
}

/**
 * A worker's table as its own arrays (GroupTable.move), moved to the main thread through the
 * postMessage transfer list: no pass over the rows to pack them, no copy, and rows that were
 * never written stay unbacked memory. Row `id < top` is live when `alive[id]`; its key is
 * `arena[keyPos[2id], + keyPos[2id + 1])` with hash `hash[id]` (the same hash the receiving table
 * uses, so the merge probes without hashing the key again).
 */
export interface MovedTable {
  moved: true;
  top: number;
  alive: Uint8Array;
  keyPos: Int32Array;
  hash: Int32Array;
  arena: Uint8Array;
  counts: Float64Array;
  errs: Float64Array;
  lat: MovedSeries;
  sketch: boolean;
  minCount: number;
  evictions: number;
  capBytes: number;
}

/** The buffers of a moved table, for the transfer list (each once; views of a shared pool are left to be copied). */
export function movedBuffers(m: MovedTable): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | null): void => {
    if (a === null) return;
    const b = a.buffer;
    if (b instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === b.byteLength) out.add(b);
  };
  for (const a of [m.alive, m.keyPos, m.hash, m.arena, m.counts, m.errs]) add(a);
  const l = m.lat;
  for (const a of [l.meta, l.cls, l.arena, l.tot, l.histOf]) add(a);
  for (const h of l.hists) add(h);
  return [...out];
}

/**
 * The hash GroupTable.find expects (hashBytes): the key's little-endian 32-bit words from its
 * start, then its last 0 to 3 bytes one at a time, then its length and a final mix so that the
 * low bits, which pick the slot, depend on every byte. Four bytes per step: hashing URLs byte
 * by byte (FNV-1a) was ~5 % of a `report urls` run. A row locator that finds where its key
 * ends while hashing (kinds.ts, URLs cut at '?') builds the same value from these steps.
 */
export const HASH_SEED = 0x811c9dc5 | 0;

export function hashWord(h: number, w: number): number {
  h = Math.imul(h ^ w, 0x9e3779b1);
  return h ^ (h >>> 16);
}

export function hashByte(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

export function hashEnd(h: number, len: number): number {
  h = Math.imul(h ^ len ^ (h >>> 15), 0x85ebca6b);
  return h ^ (h >>> 13);
}

export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = HASH_SEED;
  let p = start;
  if (end - start >= 4) {
    const dv = viewOf(buf);
    for (; p + 4 <= end; p += 4) h = hashWord(h, dv.getInt32(p, true));
  }
  for (; p < end; p++) h = hashByte(h, buf[p]!);
  return hashEnd(h, end - start);
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A key-string cache of `n` entries (packed, filled with undefined) holding `old`'s. */
function keyCache(old: (string | undefined)[], n: number): (string | undefined)[] {
  const c = new Array<string | undefined>(n).fill(undefined);
  for (let i = 0; i < old.length; i++) c[i] = old[i];
  return c;
}

export class GroupTable {
  readonly capBytes: number;
  /** Live rows. */
  size = 0;
  /** Ids in use are below this; some may be dead (dropped rows, see `alive`). */
  top = 0;
  sketch = false;
  /**
   * Set by a thread that can hand its rows over and stop reading instead (a worker of the
   * claimed-chunks reader, record-reader.ts): past the budget the table stays exact and says
   * it is `full`, rather than becoming a sketch. A sketch made from part of the input would make
   * the merged report approximate where one thread's, with the whole budget, is exact.
   */
  stopWhenFull = false;
  /** With stopWhenFull: the estimate passed the budget (the rows are still exact). */
  full = false;
  evictions = 0;
  /** Bumped whenever a row id changes key (sketch replacement, drops): callers caching ids check it. */
  epoch = 0;
  counts: Float64Array;
  errs: Float64Array;
  readonly lat: SeriesStore;
  #alive: Uint8Array;
  /** Key offset in the arena and key length of row id at 2id, 2id + 1: a probe that matches a hash reads both in one cache line. */
  #keyPos: Int32Array;
  #hash: Int32Array;
  #arena: Buffer = Buffer.alloc(1 << 16);
  #arenaTop = 0;
  /** Arena bytes no key uses any more (replaced keys); compacted when they outgrow the live ones. */
  #arenaDead = 0;
  /**
   * Open addressing, linear probing; slot i is `[row id + 1, hash, key offset, key length]` at
   * 4i (0 = empty): a probe compares hashes and lengths in the slot's own cache line and goes
   * from there straight to the key bytes, instead of reading the row's keyPos first (one
   * cache miss fewer per line of a row seen rarely; `report urls` on 300 MB, 106 000 rows).
   */
  #slots = new Int32Array(4 * 2048);
  #mask = 2047;
  #freeIds: number[] = [];
  #heap = new Int32Array(0);
  #heapPos: Int32Array;
  #heapLen = 0;
  /** Estimated bytes of rows and keys (latency values are lat.valueBytes). */
  #bytes = 0;
  #keyStrings: (string | undefined)[] = [];

  constructor(capBytes: number) {
    this.capBytes = capBytes;
    // Arrays indexed by row are made for every row the budget allows (each row costs at least
    // ROW_BYTES), so they never grow by copying: memory the OS hands out is only backed when
    // first written, and growing meant writing every row again, and on some VMs each fresh
    // page is expensive (~15 us on the development machine). Merges may pass the budget for a
    // moment, and then they grow.
    const rows = Math.max(1024, Math.min(1 << 24, Math.ceil(capBytes / ROW_BYTES) + 1));
    this.counts = new Float64Array(rows * NCOLS);
    this.errs = new Float64Array(rows);
    this.lat = new SeriesStore(rows * NTIMERS, capBytes);
    this.#alive = new Uint8Array(rows);
    this.#keyPos = new Int32Array(2 * rows);
    this.#hash = new Int32Array(rows);
    this.#heapPos = new Int32Array(rows);
  }

  /** The row of key `buf[start, end)` whose hashBytes is `h`, creating (or, in sketch mode, recycling) one. */
  find(buf: Uint8Array, start: number, end: number, h: number): number {
    const found = this.#probe(buf, start, end, h);
    if (found >= 0) return found;
    const s = -1 - found;
    const len = end - start;
    if (!this.sketch && !this.full && this.estimatedBytes() + this.#rowBytes(len) > this.capBytes) {
      // The new row would not fit: from now on the table is a sketch (or full, see stopWhenFull).
      if (this.stopWhenFull) this.full = true;
      else {
        this.#toSketch();
        this.checkBudget();
      }
    }
    if (this.sketch && this.#heapLen > 0) return this.#replaceMin(buf, start, end, h);
    return this.#insert(buf, start, len, h, s);
  }

  /** The row of key `buf[start, end)` with hash `h`, or `-1 - slot` of the empty slot where it would go. */
  #probe(buf: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    const slots = this.#slots;
    const mask = this.#mask;
    let s = h & mask;
    for (;;) {
      const e = slots[4 * s]!;
      if (e === 0) return -1 - s;
      if (slots[4 * s + 1] === h && slots[4 * s + 3] === len) {
        const arena = this.#arena;
        const off = slots[4 * s + 2]!;
        let i = 0;
        while (i < len && arena[off + i] === buf[start + i]) i++;
        if (i === len) return e - 1;
      }
      s = (s + 1) & mask;
    }
  }

  /** Puts row `id` with hash `h` in the first empty slot of its probe chain. */
  #place(id: number, h: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let s = h & mask;
    while (slots[4 * s] !== 0) s = (s + 1) & mask;
    slots[4 * s] = id + 1;
    slots[4 * s + 1] = h;
    slots[4 * s + 2] = this.#keyPos[2 * id]!;
    slots[4 * s + 3] = this.#keyPos[2 * id + 1]!;
  }

  /** The row of a key given as bytes. */
  findBytes(buf: Uint8Array, start = 0, end = buf.length): number {
    return this.find(buf, start, end, hashBytes(buf, start, end));
  }

  /** The row of a key given as a string (latin1, as keys are read from logs). */
  findString(key: string): number {
    return this.findBytes(latin1(key));
  }

  /** The key of row `id` as a string (latin1 bytes; cached). */
  key(id: number): string {
    // Made for every row at the first call, not grown by each insert: a JS array grown a row
    // at a time is copied to fresh V8 heap at each growth, which the page faults made costly.
    if (this.#keyStrings.length < this.top) this.#keyStrings = keyCache(this.#keyStrings, Math.max(this.top, 2 * this.#keyStrings.length));
    let s = this.#keyStrings[id];
    if (s === undefined) {
      const off = this.#keyPos[2 * id]!;
      s = this.#arena.toString('latin1', off, off + this.#keyPos[2 * id + 1]!);
      this.#keyStrings[id] = s;
    }
    return s;
  }

  /** Sets `into` to the key bytes of row `id` in the arena (valid until the table changes). */
  keyInto(id: number, into: KeyBytes): void {
    const off = this.#keyPos[2 * id]!;
    into.buf = this.#arena;
    into.start = off;
    into.end = off + this.#keyPos[2 * id + 1]!;
  }

  /** Reads a byte of row `id`'s key and the first and last of its counters, which may lie on two cache lines (brings them into the cache ahead of use). */
  touch(id: number): number {
    return this.#arena[this.#keyPos[2 * id]!]! + this.counts[id * NCOLS]! + this.counts[id * NCOLS + NCOLS - 1]!;
  }

  /** Key order of rows `a` and `b` (negative, 0, positive), as `<` orders their keys as strings (keys are latin1 bytes). */
  compareKeys(a: number, b: number): number {
    return this.#compareFrom(a, b, 0);
  }

  /** As compareKeys, for keys known to share their first `d` bytes. */
  #compareFrom(a: number, b: number, d: number): number {
    const arena = this.#arena;
    const la = this.#keyPos[2 * a + 1]!;
    const lb = this.#keyPos[2 * b + 1]!;
    const oa = this.#keyPos[2 * a]!;
    const ob = this.#keyPos[2 * b]!;
    const n = la < lb ? la : lb;
    for (let k = d; k < n; k++) {
      const x = arena[oa + k]! - arena[ob + k]!;
      if (x !== 0) return x;
    }
    return la - lb;
  }

  /** How many first bytes the keys of ids[lo, hi) share, knowing they share `d`. */
  #sharedFrom(ids: number[], lo: number, hi: number, d: number): number {
    const arena = this.#arena;
    const keyPos = this.#keyPos;
    const first = ids[lo]!;
    const base = keyPos[2 * first]!;
    let shared = keyPos[2 * first + 1]!;
    for (let i = lo + 1; i < hi && shared > d; i++) {
      const id = ids[i]!;
      const off = keyPos[2 * id]!;
      const len = keyPos[2 * id + 1]!;
      const n = len < shared ? len : shared;
      let k = d;
      while (k < n && arena[off + k] === arena[base + k]) k++;
      shared = k;
    }
    return shared;
  }

  /** Byte `d` of row `id`'s key, -1 past its end. */
  #keyByte(id: number, d: number): number {
    return d < this.#keyPos[2 * id + 1]! ? this.#arena[this.#keyPos[2 * id]! + d]! : -1;
  }

  /**
   * Sorts row ids `ids[lo, hi)` by key, ascending, on the key bytes in the arena (no string
   * per key): multikey quicksort (Bentley and Sedgewick 1997), which looks at each byte of a
   * shared prefix once per partition instead of once per comparison. ~5x faster than sorting
   * 200 000 URL strings natively. Each round recurses into the two smaller parts and loops
   * on the largest, so recursion depth is at most log2(n); rounds that only split on a byte
   * (no progress in depth) are limited, and past the limit the range is sorted by the native
   * sort with a comparator (n log n whatever keys a client chose).
   */
  sortByKey(ids: number[], lo = 0, hi = ids.length, rounds = 2 * Math.ceil(Math.log2(hi - lo + 1)) + 16): void {
    // `rounds`: byte splits allowed on one path before the comparator sort takes over (tests lower it).
    this.#mkq(ids, lo, hi, 0, rounds);
  }

  #mkq(ids: number[], lo: number, hi: number, d: number, budget: number): void {
    while (hi - lo > 1) {
      if (hi - lo < 16) {
        for (let i = lo + 1; i < hi; i++) {
          const id = ids[i]!;
          let j = i;
          while (j > lo && this.#compareFrom(ids[j - 1]!, id, d) > 0) {
            ids[j] = ids[j - 1]!;
            j--;
          }
          ids[j] = id;
        }
        return;
      }
      if (budget <= 0) {
        const depth = d;
        const part = ids.slice(lo, hi).sort((a, b) => this.#compareFrom(a, b, depth));
        for (let i = 0; i < part.length; i++) ids[lo + i] = part[i]!;
        return;
      }
      // Median of three bytes as the pivot.
      const x = this.#keyByte(ids[lo]!, d);
      const y = this.#keyByte(ids[(lo + hi) >> 1]!, d);
      const z = this.#keyByte(ids[hi - 1]!, d);
      const pv = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
      // [lo, lt) below the pivot, [lt, gt] equal, (gt, hi) above.
      let lt = lo;
      let gt = hi - 1;
      let i = lo;
      while (i <= gt) {
        const c = this.#keyByte(ids[i]!, d);
        if (c < pv) {
          const t = ids[lt]!;
          ids[lt++] = ids[i]!;
          ids[i++] = t;
        } else if (c > pv) {
          const t = ids[gt]!;
          ids[gt--] = ids[i]!;
          ids[i] = t;
        } else i++;
      }
      const below = lt - lo;
      const equal = pv < 0 ? 0 : gt + 1 - lt; // keys that ended here are equal: sorted already
      const above = hi - gt - 1;
      if (equal > 0 && equal >= below && equal >= above) {
        this.#mkq(ids, lo, lt, d, budget - 1);
        this.#mkq(ids, gt + 1, hi, d, budget - 1);
        // Every key of the range has this byte: skip the bytes they all share after it in one
        // walk, key by key, instead of one partition pass per byte (URLs share long stems).
        d = below === 0 && above === 0 ? this.#sharedFrom(ids, lo, hi, d + 1) : d + 1;
        lo = lt;
        hi = gt + 1;
      } else if (below >= above) {
        if (equal) this.#mkq(ids, lt, gt + 1, d + 1, budget);
        this.#mkq(ids, gt + 1, hi, d, budget - 1);
        hi = lt;
        budget--;
      } else {
        this.#mkq(ids, lo, lt, d, budget - 1);
        if (equal) this.#mkq(ids, lt, gt + 1, d + 1, budget);
        lo = gt + 1;
        budget--;
      }
    }
  }

  /** Live row ids, in order of first appearance (for exact tables). */
  ids(): number[] {
    // Made at its size: pushed one by one, 283 000 ids were copied at each growth to fresh V8 heap.
    const out = new Array<number>(this.size);
    let n = 0;
    for (let id = 0; id < this.top; id++) if (this.#alive[id]) out[n++] = id;
    out.length = n;
    return out;
  }

  /** Counter `col` of row `id`. */
  count(id: number, col: number): number {
    return this.counts[id * NCOLS + col]!;
  }

  /** Called after the req counter of `id` was incremented: keeps the heap ordered in sketch mode. */
  counted(id: number): void {
    if (this.sketch) this.#siftDown(this.#heapPos[id]!);
  }

  estimatedBytes(): number {
    return this.#bytes + this.lat.valueBytes;
  }

  #rowBytes(len: number): number {
    return ROW_BYTES + 2 * len;
  }

  #insert(buf: Uint8Array, start: number, len: number, h: number, slot: number): number {
    let id = this.#freeIds.pop();
    if (id === undefined) {
      id = this.top++;
      if (id >= this.#alive.length) this.#growRows();
    }
    this.#storeKey(id, buf, start, len);
    this.#hash[id] = h;
    this.#alive[id] = 1;
    const slots = this.#slots;
    slots[4 * slot] = id + 1;
    slots[4 * slot + 1] = h;
    slots[4 * slot + 2] = this.#keyPos[2 * id]!;
    slots[4 * slot + 3] = len;
    this.size++;
    this.#bytes += this.#rowBytes(len);
    if (this.size * 2 > this.#mask + 1) this.#rehash(2 * (this.#mask + 1));
    if (this.sketch) this.#heapPush(id);
    return id;
  }

  #heapPush(id: number): void {
    if (this.#heapLen === this.#heap.length) {
      const h = new Int32Array(Math.max(16, this.#heap.length * 2));
      h.set(this.#heap);
      this.#heap = h;
    }
    let i = this.#heapLen++;
    const v = this.counts[id * NCOLS]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pid = this.#heap[p]!;
      if (this.counts[pid * NCOLS]! <= v) break;
      this.#heap[i] = pid;
      this.#heapPos[pid] = i;
      i = p;
    }
    this.#heap[i] = id;
    this.#heapPos[id] = i;
  }

  #storeKey(id: number, buf: Uint8Array, start: number, len: number): void {
    if (this.#arenaTop + len > this.#arena.length) {
      if (this.#arenaDead > this.#arenaTop >> 1) this.#compactArena();
      if (this.#arenaTop + len > this.#arena.length) {
        const next = Buffer.alloc(Math.max(this.#arena.length * 2, this.#arenaTop + len));
        next.set(this.#arena.subarray(0, this.#arenaTop));
        this.#arena = next;
      }
    }
    const arena = this.#arena;
    const at = this.#arenaTop;
    // Keys are mostly short: a loop costs less than a subarray object and a native set() call.
    if (len > 64) arena.set(buf.subarray(start, start + len), at);
    else for (let i = 0; i < len; i++) arena[at + i] = buf[start + i]!;
    this.#keyPos[2 * id] = this.#arenaTop;
    this.#keyPos[2 * id + 1] = len;
    this.#arenaTop += len;
    if (id < this.#keyStrings.length) this.#keyStrings[id] = undefined;
  }

  #compactArena(): void {
    const next = Buffer.alloc(this.#arena.length);
    let top = 0;
    for (let id = 0; id < this.top; id++) {
      if (!this.#alive[id]) continue;
      const off = this.#keyPos[2 * id]!;
      const len = this.#keyPos[2 * id + 1]!;
      next.set(this.#arena.subarray(off, off + len), top);
      this.#keyPos[2 * id] = top;
      top += len;
    }
    this.#arena = next;
    this.#arenaTop = top;
    this.#arenaDead = 0;
    // The slots hold key offsets too.
    const slots = this.#slots;
    for (let s = 0; s < slots.length; s += 4) if (slots[s] !== 0) slots[s + 2] = this.#keyPos[2 * (slots[s]! - 1)]!;
  }

  #growRows(): void {
    const n = this.#alive.length * 2;
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, len: number): T => {
      const b = new (a.constructor as new (n: number) => T)(len);
      b.set(a);
      return b;
    };
    this.#alive = grow(this.#alive, n);
    this.#keyPos = grow(this.#keyPos, 2 * n);
    this.#hash = grow(this.#hash, n);
    this.#heapPos = grow(this.#heapPos, n);
    this.counts = grow(this.counts, n * NCOLS);
    this.errs = grow(this.errs, n);
    this.lat.ensure(n * NTIMERS);
  }

  /**
   * Moves every slot into a table of `size` slots. The old slots are read in order and each
   * goes to its hash's place in the new table, which for slot s of a table half the size is
   * near s or near s + that size: the writes advance through the new table instead of landing
   * anywhere, and nothing is read from the rows (the slot holds its hash and key). Placing the
   * rows by id, which scatters the writes, was ~70 ms of each thread's reading and ~70 ms of the
   * merge in the 1 GB log's URL report.
   */
  #rehash(size: number): void {
    const old = this.#slots;
    const slots = new Int32Array(4 * size);
    const mask = size - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o] === 0) continue;
      const h = old[o + 1]!;
      let s = h & mask;
      while (slots[4 * s] !== 0) s = (s + 1) & mask;
      slots[4 * s] = old[o]!;
      slots[4 * s + 1] = h;
      slots[4 * s + 2] = old[o + 2]!;
      slots[4 * s + 3] = old[o + 3]!;
    }
    this.#slots = slots;
    this.#mask = mask;
  }

  /** Removes row `id` from the hash slots (backward-shift deletion keeps probe chains whole). */
  #unlink(id: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let s = this.#hash[id]! & mask;
    while (slots[4 * s] !== id + 1) s = (s + 1) & mask;
    let hole = s;
    for (;;) {
      s = (s + 1) & mask;
      const e = slots[4 * s]!;
      if (e === 0) break;
      const home = slots[4 * s + 1]! & mask;
      // Move e into the hole unless its home lies cyclically in (hole, s].
      if ((s - home & mask) >= (s - hole & mask)) {
        slots.copyWithin(4 * hole, 4 * s, 4 * s + 4);
        hole = s;
      }
    }
    slots.fill(0, 4 * hole, 4 * hole + 4);
  }

  #clearRow(id: number): void {
    this.counts.fill(0, id * NCOLS, id * NCOLS + NCOLS);
    this.errs[id] = 0;
    this.lat.clearRow(id);
  }

  /** Re-checks the estimate; turns the table into a sketch and drops rows when over budget. */
  checkBudget(): void {
    if (this.estimatedBytes() <= this.capBytes) return;
    if (this.stopWhenFull) {
      this.full = true;
      return;
    }
    if (!this.sketch) this.#toSketch();
    // Drop the smallest rows until the estimate fits again (latency values grow over time).
    while (this.estimatedBytes() > this.capBytes && this.#heapLen > 1) {
      const min = this.#heap[0]!;
      this.#removeMin();
      this.#unlink(min);
      this.#alive[min] = 0;
      this.#bytes -= this.#rowBytes(this.#keyPos[2 * min + 1]!);
      this.#arenaDead += this.#keyPos[2 * min + 1]!;
      this.#clearRow(min);
      this.#freeIds.push(min);
      this.size--;
      this.evictions++;
      this.epoch++;
    }
  }

  #toSketch(): void {
    this.sketch = true;
    this.#heap = new Int32Array(this.size);
    let n = 0;
    for (let id = 0; id < this.top; id++) {
      if (!this.#alive[id]) continue;
      this.#heap[n] = id;
      this.#heapPos[id] = n++;
    }
    this.#heapLen = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  /** Space-saving replacement: the new key takes the minimum row's place and count. */
  #replaceMin(buf: Uint8Array, start: number, end: number, h: number): number {
    const id = this.#heap[0]!;
    const len = end - start;
    this.#unlink(id);
    const oldLen = this.#keyPos[2 * id + 1]!;
    this.#bytes += 2 * (len - oldLen);
    const m = this.counts[id * NCOLS + Col.req]!;
    this.#clearRow(id);
    if (len <= oldLen) {
      // Reuse the old key's bytes in place.
      this.#arena.set(buf.subarray(start, end), this.#keyPos[2 * id]!);
      this.#keyPos[2 * id + 1] = len;
      this.#arenaDead += oldLen - len;
      if (id < this.#keyStrings.length) this.#keyStrings[id] = undefined;
    } else {
      this.#arenaDead += oldLen;
      this.#storeKey(id, buf, start, len);
    }
    this.#hash[id] = h;
    this.#place(id, h);
    this.counts[id * NCOLS + Col.req] = m;
    this.errs[id] = m;
    this.evictions++;
    this.epoch++;
    return id;
  }

  #siftDown(i: number): void {
    const h = this.#heap;
    const c = this.counts;
    const n = this.#heapLen;
    const item = h[i]!;
    const v = c[item * NCOLS]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const rr = l + 1;
      const m = rr < n && c[h[rr]! * NCOLS]! < c[h[l]! * NCOLS]! ? rr : l;
      if (c[h[m]! * NCOLS]! >= v) break;
      h[i] = h[m]!;
      this.#heapPos[h[i]!] = i;
      i = m;
    }
    h[i] = item;
    this.#heapPos[item] = i;
  }

  #removeMin(): void {
    const last = this.#heap[--this.#heapLen]!;
    if (this.#heapLen === 0) return;
    this.#heap[0] = last;
    this.#siftDown(0);
  }

  minCount(): number {
    return this.sketch && this.#heapLen ? this.counts[this.#heap[0]! * NCOLS + Col.req]! : 0;
  }

  snapshot(encoded: boolean): TableSnapshot {
    const rows: RowSnapshot[] = [];
    for (const id of this.ids()) {
      const l: (SeriesSnapshot | null)[] = [];
      for (let t = 0; t < NTIMERS; t++) l.push(this.lat.snapshot(id * NTIMERS + t, encoded));
      rows.push({ k: this.key(id), c: Array.from(this.counts.subarray(id * NCOLS, id * NCOLS + NCOLS)), e: this.errs[id]!, l });
    }
    return { rows, sketch: this.sketch, minCount: this.minCount(), evictions: this.evictions, capBytes: this.capBytes };
  }

  /**
   * This table's arrays for another thread (see MovedTable). Once they were transferred the
   * table is unusable (its buffers are detached): a worker calls this last.
   */
  move(): MovedTable {
    return {
      moved: true,
      top: this.top,
      alive: this.#alive,
      keyPos: this.#keyPos,
      hash: this.#hash,
      arena: this.#arena,
      counts: this.counts,
      errs: this.errs,
      lat: this.lat.move(),
      sketch: this.sketch,
      minCount: this.minCount(),
      evictions: this.evictions,
      capBytes: this.capBytes,
    };
  }

  /** The row for a merged key: found, or inserted even in sketch mode (merge() shrinks afterwards). */
  #mergeRow(buf: Uint8Array, start: number, end: number, mineSketch: boolean, myMin: number, h = hashBytes(buf, start, end)): number {
    const found = this.#probe(buf, start, end, h);
    if (found >= 0) return found;
    const id = this.#insert(buf, start, end - start, h, -1 - found);
    if (mineSketch) {
      this.counts[id * NCOLS + Col.req] = myMin;
      this.errs[id] = myMin;
    }
    return id;
  }

  /**
   * Adds a partial table. Exact + exact = exact. With a sketch on either side, a key missing
   * from a sketched side may have been counted there up to that side's minimum count, so
   * count and error both grow by it (mergeable summaries, Agarwal et al. 2012).
   */
  merge(o: TableSnapshot | MovedTable): void {
    const mineSketch = this.sketch;
    const myMin = this.minCount();
    // The heap is rebuilt below; rows are inserted without replacement meanwhile.
    this.sketch = false;
    const seen = new Uint8Array(this.top + ('moved' in o ? o.top : o.rows.length));
    if ('moved' in o) {
      const { alive, keyPos, hash, arena, counts, errs, lat } = o;
      for (let i = 0; i < o.top; i++) {
        if (!alive[i]) continue;
        const off = keyPos[2 * i]!;
        const id = this.#mergeRow(arena, off, off + keyPos[2 * i + 1]!, mineSketch, myMin, hash[i]!);
        seen[id] = 1;
        const base = i * NCOLS;
        const to = id * NCOLS;
        const mine = this.counts;
        for (let c = 0; c < NCOLS; c++) mine[to + c]! += counts[base + c]!;
        this.errs[id]! += errs[i]!;
        this.lat.addMovedRow(id, lat, i);
      }
    } else {
      for (const rs of o.rows) {
        if (/[^\x00-\xff]/.test(rs.k)) throw new RangeError(`key '${rs.k}' has characters a log line cannot hold`);
        const kb = latin1(rs.k);
        const id = this.#mergeRow(kb, 0, kb.length, mineSketch, myMin);
        seen[id] = 1;
        for (let c = 0; c < NCOLS; c++) this.counts[id * NCOLS + c]! += rs.c[c]!;
        this.errs[id]! += rs.e;
        rs.l.forEach((s, t) => {
          if (s) this.lat.addSnapshot(id * NTIMERS + t, s);
        });
      }
    }
    if (o.sketch) {
      for (let id = 0; id < this.top; id++) {
        if (!this.#alive[id] || seen[id]) continue;
        this.counts[id * NCOLS + Col.req]! += o.minCount;
        this.errs[id]! += o.minCount;
      }
    }
    this.evictions += o.evictions;
    if (mineSketch || o.sketch) this.#toSketch();
    this.checkBudget();
  }

  static from(s: TableSnapshot | MovedTable, capBytes: number): GroupTable {
    const t = new GroupTable(capBytes);
    t.merge(s);
    return t;
  }
}
