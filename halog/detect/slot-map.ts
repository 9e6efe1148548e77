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
  #off = new Int32Array(256);
  #log = new Uint8Array(256);
  #count = new Int32Array(256);
  /** pruneBelow's kept pairs. */
  #scratch = new Float64Array(64);
  size = 0;

  /** `values` false: a set (the pages table); value() reads 0 and no room is kept for values. */
  constructor(values = true) {
    this.#hasValues = values;
    this.#ints = values ? 4 : 1;
    const buf = new ArrayBuffer(4096 * 4 * this.#ints);
    this.#keys = new Int32Array(buf);
    this.#vals = new Float64Array(values ? buf : new ArrayBuffer(0));
  }

  /** The entry of (slot, key), or 0. An entry is valid until the next add() or removal. */
  find(slot: number, key: number): number {
    if (slot >= this.#log.length) return 0;
    const log = this.#log[slot]!;
    if (log === 0) return 0;
    const c = this.#probe(this.#off[slot]!, log, key);
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
    if (slot >= this.#log.length) this.#growSlots(slot);
    const n = this.#count[slot]! + 1;
    let log = this.#log[slot]!;
    if (log === 0 || n * 2 > 1 << log) log = this.#regrow(slot, log === 0 ? MIN_LOG : log + 1);
    this.#count[slot] = n;
    this.size++;
    return this.#put(this.#off[slot]!, log, key, value);
  }

  /**
   * The entry of (slot, key) when present (> 0); else adds (slot, key) -> value and returns
   * minus the new entry. A line's port or page is looked up and, nearly always, added: one
   * probe of the client's region instead of find() and then add()'s own.
   */
  findOrAdd(slot: number, key: number, value: number, staleBelow = Number.NEGATIVE_INFINITY): number {
    let log = slot < this.#log.length ? this.#log[slot]! : 0;
    let n = log === 0 ? 0 : this.#count[slot]! + 1;
    // An add that would regrow a full region first drops the entries whose value is below
    // `staleBelow` (ports not seen for longer than any line can still refer to): the region then
    // holds a client's recent entries only and rarely grows. Only when the key is absent.
    if (log !== 0 && n * 2 > 1 << log && staleBelow > Number.NEGATIVE_INFINITY && this.#keys[this.#probe(this.#off[slot]!, log, key) * this.#ints] === 0) {
      this.pruneBelow(slot, staleBelow);
      log = this.#log[slot]!;
      n = this.#count[slot]! + 1;
    }
    // Only when an add would not regrow the region (else find, then add: the regrow is the cost).
    if (log !== 0 && n * 2 <= 1 << log) {
      const c = this.#probe(this.#off[slot]!, log, key);
      const keys = this.#keys;
      if (keys[c * this.#ints] !== 0) return c + 1;
      keys[c * this.#ints] = ~key;
      if (this.#hasValues) this.#vals[c * 2 + 1] = value;
      this.#count[slot] = n;
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

  /** Moves the slot's entries to a new region of 2^log cells; returns log. */
  #regrow(slot: number, log: number): number {
    const off = this.#alloc(log);
    const oldLog = this.#log[slot]!;
    if (oldLog !== 0) {
      const old = this.#off[slot]!;
      const keys = this.#keys;
      const ints = this.#ints;
      for (let c = old, end = old + (1 << oldLog); c < end; c++) {
        const k = keys[c * ints]!;
        if (k !== 0) this.#put(off, log, ~k, this.#hasValues ? this.#vals[c * 2 + 1]! : 0);
      }
      this.#release(old, oldLog);
    }
    this.#off[slot] = off;
    this.#log[slot] = log;
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

  #growSlots(slot: number): void {
    let n = this.#log.length;
    while (n <= slot) n *= 2;
    const off = new Int32Array(n);
    off.set(this.#off);
    this.#off = off;
    const log = new Uint8Array(n);
    log.set(this.#log);
    this.#log = log;
    const count = new Int32Array(n);
    count.set(this.#count);
    this.#count = count;
  }

  /** Calls f(key, value) for every entry of `slot` (in table order). */
  forEachOf(slot: number, f: (key: number, value: number) => void): void {
    if (slot >= this.#log.length || this.#log[slot] === 0) return;
    const off = this.#off[slot]!;
    const ints = this.#ints;
    for (let c = off, end = off + (1 << this.#log[slot]!); c < end; c++) {
      const k = this.#keys[c * ints]!;
      if (k !== 0) f(~k, this.#hasValues ? this.#vals[c * 2 + 1]! : 0);
    }
  }

  /** Entries of `slot`. */
  count(slot: number): number {
    return slot < this.#count.length ? this.#count[slot]! : 0;
  }

  /** Removes the entries of `slot` whose value is below `min`; returns how many are left. */
  pruneBelow(slot: number, min: number): number {
    if (slot >= this.#log.length || this.#log[slot] === 0) return 0;
    const off = this.#off[slot]!;
    const log = this.#log[slot]!;
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
    this.size -= this.#count[slot]! - left;
    this.#count[slot] = left;
    return left;
  }

  /** Drops every entry of `slot`. */
  removeAllOf(slot: number): void {
    if (slot >= this.#log.length || this.#log[slot] === 0) return;
    this.#release(this.#off[slot]!, this.#log[slot]!);
    this.size -= this.#count[slot]!;
    this.#count[slot] = 0;
    this.#log[slot] = 0;
  }
}
