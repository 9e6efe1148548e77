/**
 * A hash table from (client slot, integer key) to a number, for every client at once: the
 * ports a client connected from (key: port, value: last accept ms) and the pages it asked for
 * (key: 30-bit path hash). One table per detector instead of a Map or Set per client: no
 * object per client or per entry, nothing for the garbage collector to trace or copy.
 *
 * Chained hashing over a pool of entries in typed arrays. Each entry is also linked into its
 * client's list, so a client's entries can be listed, pruned or dropped in O(its entries)
 * (snapshots, port pruning, eviction) without a scan of the whole table.
 */
const E_SLOT = 0;
const E_KEY = 1;
const E_NEXT = 2; // next entry in the same bucket
const E_OWN = 3; // next entry of the same client
const STRIDE = 4;

export class SlotMap {
  /** Entry e (1-based; 0 = none) at [e * STRIDE, e * STRIDE + STRIDE). */
  #ent = new Int32Array(1024 * STRIDE);
  #val = new Float64Array(1024);
  /** Next never-used entry; freed entries are chained from #free through E_NEXT. */
  #top = 1;
  #free = 0;
  #buckets = new Int32Array(1024);
  #mask = 1023;
  size = 0;
  /** First entry of each client slot. */
  #head = new Int32Array(256);

  static #hash(slot: number, key: number): number {
    let h = Math.imul(key ^ Math.imul(slot, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    return Math.imul(h, 0xc2b2ae35) ^ (h >>> 16);
  }

  /** The entry of (slot, key), or 0. */
  find(slot: number, key: number): number {
    const ent = this.#ent;
    let e = this.#buckets[SlotMap.#hash(slot, key) & this.#mask]!;
    while (e !== 0) {
      const b = e * STRIDE;
      if (ent[b + E_KEY] === key && ent[b + E_SLOT] === slot) return e;
      e = ent[b + E_NEXT]!;
    }
    return 0;
  }

  value(e: number): number {
    return this.#val[e]!;
  }

  setValue(e: number, v: number): void {
    this.#val[e] = v;
  }

  /** Adds (slot, key) -> value; the caller knows it is absent. Returns the entry. */
  add(slot: number, key: number, value: number): number {
    // Rehash before taking an entry: a rehash walks every entry below #top, and one taken from
    // #top but not filled in yet would be chained under a stale (slot, key), then chained again
    // below, and a bucket chain would loop.
    if (this.size >= this.#buckets.length) this.#rehash(this.#buckets.length * 2);
    let e = this.#free;
    if (e !== 0) this.#free = this.#ent[e * STRIDE + E_NEXT]!;
    else {
      e = this.#top++;
      if (e * STRIDE >= this.#ent.length) this.#growEntries();
    }
    if (slot >= this.#head.length) this.#growHeads(slot);
    const ent = this.#ent;
    const b = e * STRIDE;
    const bucket = SlotMap.#hash(slot, key) & this.#mask;
    ent[b + E_SLOT] = slot;
    ent[b + E_KEY] = key;
    ent[b + E_NEXT] = this.#buckets[bucket]!;
    this.#buckets[bucket] = e;
    ent[b + E_OWN] = this.#head[slot]!;
    this.#head[slot] = e;
    this.#val[e] = value;
    this.size++;
    return e;
  }

  /** Calls f(key, value) for every entry of `slot` (newest first). */
  forEachOf(slot: number, f: (key: number, value: number) => void): void {
    if (slot >= this.#head.length) return;
    for (let e = this.#head[slot]!; e !== 0; e = this.#ent[e * STRIDE + E_OWN]!) f(this.#ent[e * STRIDE + E_KEY]!, this.#val[e]!);
  }

  /** Removes the entries of `slot` whose value is below `min`; returns how many are left. */
  pruneBelow(slot: number, min: number): number {
    const ent = this.#ent;
    let left = 0;
    let prev = 0;
    let e = this.#head[slot]!;
    while (e !== 0) {
      const next = ent[e * STRIDE + E_OWN]!;
      if (this.#val[e]! < min) {
        if (prev === 0) this.#head[slot] = next;
        else ent[prev * STRIDE + E_OWN] = next;
        this.#unlink(e);
      } else {
        left++;
        prev = e;
      }
      e = next;
    }
    return left;
  }

  /** Drops every entry of `slot`. */
  removeAllOf(slot: number): void {
    if (slot >= this.#head.length) return;
    let e = this.#head[slot]!;
    this.#head[slot] = 0;
    while (e !== 0) {
      const next = this.#ent[e * STRIDE + E_OWN]!;
      this.#unlink(e);
      e = next;
    }
  }

  /** Removes entry e from its bucket chain and frees it (the client list is the caller's). */
  #unlink(e: number): void {
    const ent = this.#ent;
    const b = e * STRIDE;
    const bucket = SlotMap.#hash(ent[b + E_SLOT]!, ent[b + E_KEY]!) & this.#mask;
    let p = this.#buckets[bucket]!;
    if (p === e) this.#buckets[bucket] = ent[b + E_NEXT]!;
    else {
      while (ent[p * STRIDE + E_NEXT] !== e) p = ent[p * STRIDE + E_NEXT]!;
      ent[p * STRIDE + E_NEXT] = ent[b + E_NEXT]!;
    }
    ent[b + E_SLOT] = -1;
    ent[b + E_NEXT] = this.#free;
    this.#free = e;
    this.size--;
  }

  #growEntries(): void {
    const ent = new Int32Array(this.#ent.length * 2);
    ent.set(this.#ent);
    this.#ent = ent;
    const val = new Float64Array(this.#val.length * 2);
    val.set(this.#val);
    this.#val = val;
  }

  #growHeads(slot: number): void {
    let n = this.#head.length;
    while (n <= slot) n *= 2;
    const h = new Int32Array(n);
    h.set(this.#head);
    this.#head = h;
  }

  #rehash(n: number): void {
    const buckets = new Int32Array(n);
    const mask = n - 1;
    const ent = this.#ent;
    for (let e = 1; e < this.#top; e++) {
      const b = e * STRIDE;
      const slot = ent[b + E_SLOT]!;
      if (slot < 0) continue;
      const bucket = SlotMap.#hash(slot, ent[b + E_KEY]!) & mask;
      ent[b + E_NEXT] = buckets[bucket]!;
      buckets[bucket] = e;
    }
    this.#buckets = buckets;
    this.#mask = mask;
  }
}
