/**
 * A cache keyed by byte ranges of the input, in front of a string-keyed Map: the detector
 * finds the current line's client (and the user-agent verdict) from the bytes of the line,
 * without making a JS string per line. Keys are hashed (FNV-1a) and compared as bytes, and
 * copied into an arena the first time they are seen (halog/report/key-table.ts, with values
 * instead of numeric columns, and `clear()` instead of deletion: the detector clears it after
 * an eviction sweep and it refills from the Map as clients come back).
 */
export class ByteCache<T> {
  #arena = new Uint8Array(1 << 16);
  #arenaUsed = 0;
  #keyOffset = new Int32Array(1024);
  #keyLength = new Int32Array(1024);
  #hashes = new Int32Array(1024);
  #values: (T | undefined)[] = [];
  /** Open addressing, linear probing; entry index + 1, 0 = empty. */
  #slots = new Int32Array(2048);
  #mask = 2047;
  size = 0;
  /** Slot of the last miss, and its hash, for `set` right after a `get` of the same key. */
  #missSlot = -1;
  #missHash = 0;

  /** The value for `buf[start, end)`, or undefined. */
  get(buf: Uint8Array, start: number, end: number): T | undefined {
    let h = 0x811c9dc5 | 0;
    for (let p = start; p < end; p++) h = Math.imul(h ^ buf[p]!, 0x01000193);
    const len = end - start;
    const slots = this.#slots;
    const mask = this.#mask;
    let s = h & mask;
    for (;;) {
      const e = slots[s]!;
      if (e === 0) break;
      const idx = e - 1;
      if (this.#hashes[idx] === h && this.#keyLength[idx] === len && this.#same(idx, buf, start, len)) return this.#values[idx];
      s = (s + 1) & mask;
    }
    this.#missSlot = s;
    this.#missHash = h;
    return undefined;
  }

  #same(idx: number, buf: Uint8Array, start: number, len: number): boolean {
    const arena = this.#arena;
    const off = this.#keyOffset[idx]!;
    for (let i = 0; i < len; i++) if (arena[off + i] !== buf[start + i]) return false;
    return true;
  }

  /** Adds `buf[start, end)` -> `value`; must follow a `get` of the same key that missed. */
  setAfterMiss(buf: Uint8Array, start: number, end: number, value: T): void {
    const len = end - start;
    const idx = this.size++;
    if (idx >= this.#keyOffset.length) {
      const n = this.#keyOffset.length * 2;
      const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(n);
        b.set(a);
        return b;
      };
      this.#keyOffset = grow(this.#keyOffset);
      this.#keyLength = grow(this.#keyLength);
      this.#hashes = grow(this.#hashes);
    }
    if (this.#arenaUsed + len > this.#arena.length) {
      const next = new Uint8Array(Math.max(this.#arena.length * 2, this.#arenaUsed + len));
      next.set(this.#arena.subarray(0, this.#arenaUsed));
      this.#arena = next;
    }
    this.#arena.set(buf.subarray(start, end), this.#arenaUsed);
    this.#keyOffset[idx] = this.#arenaUsed;
    this.#keyLength[idx] = len;
    this.#hashes[idx] = this.#missHash;
    this.#values[idx] = value;
    this.#arenaUsed += len;
    this.#slots[this.#missSlot] = idx + 1;
    this.#missSlot = -1;
    // Load factor under 1/2: probes stay short.
    if (this.size * 2 > this.#slots.length) this.#rehash();
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let idx = 0; idx < this.size; idx++) {
      let s = this.#hashes[idx]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = idx + 1;
    }
    this.#slots = slots;
    this.#mask = mask;
  }

  /** Forgets every key (the arrays keep their capacity). */
  clear(): void {
    this.#slots.fill(0);
    this.#values = [];
    this.#arenaUsed = 0;
    this.size = 0;
    this.#missSlot = -1;
  }
}
