/**
 * A hash table from (client slot, integer key) to a number, for every client at once: the
 * ports a client connected from (key: port, value: last accept ms) and the pages it asked for
 * (key: 30-bit path hash, no value). One table per detector instead of a Map or Set per
 * client: no object per client or per entry, nothing for the garbage collector to trace.
 *
 * Each client has its own small open-addressing table (linear probing, at most half full),
 * a region of one shared arena; a full region moves to one twice its size, and freed regions
 * are reused by size. A lookup therefore touches one place of memory near the client's other
 * entries. The previous layout, one chained table for every client, touched a bucket and then
 * an entry at two unrelated random places per lookup, and on the development VM (no huge
 * pages) random touches of a few hundred MB are what a line costs most (each a cache and TLB
 * miss): on a 1 GB log, ~3 million port entries and ~1.5 million pages, looked up on nearly
 * every line. A client's entries are also listed, pruned or dropped by walking its region
 * only (snapshots, port pruning, eviction).
 *
 * A cell is the key as `~key` (0 marks an empty cell; keys are non-negative) and, in a table
 * with values, a Float64 value beside it: 16 bytes, so a cell never straddles a cache line.
 *
 * A slot's bookkeeping (first cell of its region, log2 of its size, entries) can live in the
 * caller's own per-slot record (SlotMeta): the detector keeps it in the client's Int32 cells,
 * which the line has just read, instead of three arrays indexed by slot (each lookup then read
 * three more random places of ~450 KB of arrays for 50k clients before reaching the region).
 */

/** Smallest region, in cells (log2): 8 cells hold 4 entries. */
const MIN_LOG = 3;
/**
 * The arena grows 4x at a time, not 2x: fresh memory costs most here (first touch of a page
 * ~4 ms per MB on the development VM) and a copy touches the whole old size again, so
 * doubling touched ~2x the final size and quadrupling ~1.33x; room not yet used is never
 * touched, so it costs address space only.
 */
const GROWTH = 4;

/**
 * Where a map finds a slot's three bookkeeping cells: `cells[slot * stride + base]` (first
 * cell of its region), `+ 1` (log2 of its size, 0 = none), `+ 2` (entries). `cells` is read
 * on every call (an owner may replace it to grow); `slots` cells must exist for every slot
 * passed in, or be grown by `ensure`.
 */
export interface SlotMeta {
  readonly cells: Int32Array;
  readonly stride: number;
  readonly base: number;
  /** Slots the cells cover; `ensure(slot)` makes room for `slot` (it may replace `cells`). */
  readonly slots: number;
  ensure(slot: number): void;
}

/** Bookkeeping of a map of its own (tests, and maps not tied to a client table). */
class OwnMeta implements SlotMeta {
  cells = new Int32Array(256 * 3);
  readonly stride = 3;
  readonly base = 0;
  get slots(): number {
    return this.cells.length / 3;
  }
  ensure(slot: number): void {
    let n = this.cells.length / 3;
    if (slot < n) return;
    while (n <= slot) n *= 2;
    const c = new Int32Array(n * 3);
    c.set(this.cells);
    this.cells = c;
  }
}

const M_OFF = 0;
const M_LOG = 1;
const M_COUNT = 2;

function slotOf(key: number, log: number): number {
  // Fibonacci hashing: the top `log` bits of the product (ports are nearly sequential).
  return Math.imul(key, 0x9e3779b1) >>> (32 - log);
}

export class SlotMap {
  readonly #hasValues: boolean;
  /** Int32 cells per table cell: 4 (key, unused, Float64 value) or 1 (key). */
  readonly #ints: number;
  #keys: Int32Array;
  #vals: Float64Array;
  /** Next never-used cell of the arena; freed regions by log2 size. */
  #top = 0;
  readonly #free: number[][] = [];
  /** Per client slot: first cell of its region, log2 of its size (0 = none), entries. */
  readonly #meta: SlotMeta;
  /** pruneBelow's kept pairs. */
  #scratch = new Float64Array(64);
  size = 0;

  /**
   * `values` false: a set (the pages table); value() reads 0 and no room is kept for values.
   * `meta`: where the slots' bookkeeping lives (default: arrays of the map's own).
   */
  constructor(values = true, meta: SlotMeta = new OwnMeta()) {
    this.#meta = meta;
    this.#hasValues = values;
    this.#ints = values ? 4 : 1;
    const buf = new ArrayBuffer(4096 * 4 * this.#ints);
    this.#keys = new Int32Array(buf);
    this.#vals = new Float64Array(values ? buf : new ArrayBuffer(0));
  }

  /** The entry of (slot, key), or 0. An entry is valid until the next add() or removal. */
  find(slot: number, key: number): number {
    const meta = this.#meta;
    if (slot >= meta.slots) return 0;
    const m = slot * meta.stride + meta.base;
    const M = meta.cells;
    const log = M[m + M_LOG]!;
    if (log === 0) return 0;
    const c = this.#probe(M[m + M_OFF]!, log, key);
    return this.#keys[c * this.#ints] === 0 ? 0 : c + 1;
  }

  value(e: number): number {
    return this.#hasValues ? this.#vals[(e - 1) * 2 + 1]! : 0;
  }

  setValue(e: number, v: number): void {
    if (this.#hasValues) this.#vals[(e - 1) * 2 + 1] = v;
  }

  /** Adds (slot, key) -> value; the caller knows it is absent. Returns the entry. */
  add(slot: number, key: number, value: number): number {
    const meta = this.#meta;
    meta.ensure(slot);
    const m = slot * meta.stride + meta.base;
    const n = meta.cells[m + M_COUNT]! + 1;
    let log = meta.cells[m + M_LOG]!;
    if (log === 0 || n * 2 > 1 << log) log = this.#regrow(m, log === 0 ? MIN_LOG : log + 1);
    const M = meta.cells;
    M[m + M_COUNT] = n;
    this.size++;
    return this.#put(M[m + M_OFF]!, log, key, value);
  }

  /**
   * The entry of (slot, key) when present (> 0); else adds (slot, key) -> value and returns
   * minus the new entry. A line's port or page is looked up and, nearly always, added: one
   * probe of the client's region instead of find() and then add()'s own.
   */
  findOrAdd(slot: number, key: number, value: number, staleBelow = Number.NEGATIVE_INFINITY): number {
    const meta = this.#meta;
    const m = slot * meta.stride + meta.base;
    const M = meta.cells;
    let log = slot < meta.slots ? M[m + M_LOG]! : 0;
    let n = log === 0 ? 0 : M[m + M_COUNT]! + 1;
    // An add that would regrow a full region first drops the entries whose value is below
    // `staleBelow` (ports not seen for longer than any line can still refer to): the region then
    // holds a client's recent entries only and rarely grows. Only when the key is absent.
    if (log !== 0 && n * 2 > 1 << log && staleBelow > Number.NEGATIVE_INFINITY && this.#keys[this.#probe(M[m + M_OFF]!, log, key) * this.#ints] === 0) {
      this.pruneBelow(slot, staleBelow);
      log = M[m + M_LOG]!;
      n = M[m + M_COUNT]! + 1;
    }
    // Only when an add would not regrow the region (else find, then add: the regrow is the cost).
    if (log !== 0 && n * 2 <= 1 << log) {
      const c = this.#probe(M[m + M_OFF]!, log, key);
      const keys = this.#keys;
      if (keys[c * this.#ints] !== 0) return c + 1;
      keys[c * this.#ints] = ~key;
      if (this.#hasValues) this.#vals[c * 2 + 1] = value;
      M[m + M_COUNT] = n;
      this.size++;
      return -(c + 1);
    }
    const e = this.find(slot, key);
    return e !== 0 ? e : -this.add(slot, key, value);
  }

  /** Stores key -> value in a region known not to hold it and to have room; returns the entry. */
  #put(off: number, log: number, key: number, value: number): number {
    const c = this.#probe(off, log, key);
    this.#keys[c * this.#ints] = ~key;
    if (this.#hasValues) this.#vals[c * 2 + 1] = value;
    return c + 1;
  }

  /**
   * The cell of the region (off, 2^log) that holds `key`, or the empty cell where its linear
   * probe ends (where an absent key goes). Keys are stored as ~key so that 0 marks empty.
   */
  #probe(off: number, log: number, key: number): number {
    const keys = this.#keys;
    const ints = this.#ints;
    const mask = (1 << log) - 1;
    const k = ~key;
    for (let i = slotOf(key, log); ; i = (i + 1) & mask) {
      const v = keys[(off + i) * ints]!;
      if (v === k || v === 0) return off + i;
    }
  }

  /** Moves the entries of the slot whose bookkeeping is at `m` to a new region of 2^log cells; returns log. */
  #regrow(m: number, log: number): number {
    const off = this.#alloc(log);
    const M = this.#meta.cells;
    const oldLog = M[m + M_LOG]!;
    if (oldLog !== 0) {
      const old = M[m + M_OFF]!;
      const keys = this.#keys;
      const ints = this.#ints;
      for (let c = old, end = old + (1 << oldLog); c < end; c++) {
        const k = keys[c * ints]!;
        if (k !== 0) this.#put(off, log, ~k, this.#hasValues ? this.#vals[c * 2 + 1]! : 0);
      }
      this.#release(old, oldLog);
    }
    M[m + M_OFF] = off;
    M[m + M_LOG] = log;
    return log;
  }

  /** A zeroed region of 2^log cells. */
  #alloc(log: number): number {
    const list = this.#free[log];
    if (list !== undefined && list.length > 0) return list.pop()!;
    const off = this.#top;
    this.#top += 1 << log;
    const need = this.#top * this.#ints;
    if (need > this.#keys.length) {
      let len = this.#keys.length * GROWTH;
      while (len < need) len *= GROWTH;
      const buf = new ArrayBuffer(len * 4);
      const keys = new Int32Array(buf);
      keys.set(this.#keys);
      this.#keys = keys;
      if (this.#hasValues) this.#vals = new Float64Array(buf);
    }
    return off;
  }

  /** Zeroes a region and keeps it for reuse. */
  #release(off: number, log: number): void {
    this.#keys.fill(0, off * this.#ints, (off + (1 << log)) * this.#ints);
    (this.#free[log] ??= []).push(off);
  }

  /** The bookkeeping index of `slot`, or -1 when it has no region. */
  #region(slot: number): number {
    const meta = this.#meta;
    if (slot >= meta.slots) return -1;
    const m = slot * meta.stride + meta.base;
    return meta.cells[m + M_LOG] === 0 ? -1 : m;
  }

  /** Calls f(key, value) for every entry of `slot` (in table order). */
  forEachOf(slot: number, f: (key: number, value: number) => void): void {
    const m = this.#region(slot);
    if (m < 0) return;
    const M = this.#meta.cells;
    const off = M[m + M_OFF]!;
    const ints = this.#ints;
    for (let c = off, end = off + (1 << M[m + M_LOG]!); c < end; c++) {
      const k = this.#keys[c * ints]!;
      if (k !== 0) f(~k, this.#hasValues ? this.#vals[c * 2 + 1]! : 0);
    }
  }

  /** Entries of `slot`. */
  count(slot: number): number {
    const meta = this.#meta;
    return slot < meta.slots ? meta.cells[slot * meta.stride + meta.base + M_COUNT]! : 0;
  }

  /** Removes the entries of `slot` whose value is below `min`; returns how many are left. */
  pruneBelow(slot: number, min: number): number {
    const m = this.#region(slot);
    if (m < 0) return 0;
    const M = this.#meta.cells;
    const off = M[m + M_OFF]!;
    const log = M[m + M_LOG]!;
    // Kept entries in scratch (key, value) pairs, then put back into the emptied region.
    if (this.#scratch.length < 2 << log) this.#scratch = new Float64Array(2 << log);
    const keep = this.#scratch;
    const keys = this.#keys;
    const ints = this.#ints;
    let k = 0;
    for (let c = off, end = off + (1 << log); c < end; c++) {
      const key = keys[c * ints]!;
      if (key === 0) continue;
      const v = this.#hasValues ? this.#vals[c * 2 + 1]! : 0;
      if (v >= min) {
        keep[k++] = ~key;
        keep[k++] = v;
      }
    }
    keys.fill(0, off * ints, (off + (1 << log)) * ints);
    for (let i = 0; i < k; i += 2) this.#put(off, log, keep[i]!, keep[i + 1]!);
    const left = k / 2;
    this.size -= M[m + M_COUNT]! - left;
    M[m + M_COUNT] = left;
    return left;
  }

  /** Drops every entry of `slot` (and zeroes its bookkeeping). */
  removeAllOf(slot: number): void {
    const m = this.#region(slot);
    if (m < 0) return;
    const M = this.#meta.cells;
    this.#release(M[m + M_OFF]!, M[m + M_LOG]!);
    this.size -= M[m + M_COUNT]!;
    M[m + M_OFF] = 0;
    M[m + M_COUNT] = 0;
    M[m + M_LOG] = 0;
  }
}
