/**
 * A hash table from non-negative int32 keys to positive int32 values, in one Int32Array of
 * (key + 1, value) pairs: open addressing, linear probing, at most half full, and removal by
 * shifting the following entries back (no tombstones, so a table with many removals never
 * fills up with them). The evidence store's list heads (one per client and rule that kept a
 * line: ~100 000 on 300 MB of log) were a Map, whose lookups, inserts and rehashes cost more
 * than the rest of storing a line.
 */
function home(key: number, mask: number): number {
  const h = Math.imul(key, 0x9e3779b1);
  return (h ^ (h >>> 16)) & mask;
}

export class IntMap {
  /** Cell i: key + 1 at 2i (0 = empty), value at 2i + 1. */
  #cells = new Int32Array(2 * 1024);
  #mask = 1023;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The value of `key`, or 0. */
  get(key: number): number {
    const cells = this.#cells;
    const mask = this.#mask;
    const k = key + 1;
    for (let i = home(key, mask); ; i = (i + 1) & mask) {
      const c = cells[2 * i]!;
      if (c === k) return cells[2 * i + 1]!;
      if (c === 0) return 0;
    }
  }

  /** Sets `key` to `value` (> 0). */
  set(key: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#mask + 1) this.#grow();
    const cells = this.#cells;
    const mask = this.#mask;
    const k = key + 1;
    for (let i = home(key, mask); ; i = (i + 1) & mask) {
      const c = cells[2 * i]!;
      if (c === k || c === 0) {
        if (c === 0) this.#size++;
        cells[2 * i] = k;
        cells[2 * i + 1] = value;
        return;
      }
    }
  }

  /** Removes `key` if present. */
  delete(key: number): void {
    const cells = this.#cells;
    const mask = this.#mask;
    const k = key + 1;
    let i = home(key, mask);
    for (;;) {
      const c = cells[2 * i]!;
      if (c === 0) return;
      if (c === k) break;
      i = (i + 1) & mask;
    }
    this.#size--;
    // Backward shift: move up every following entry of the run whose home is not between the
    // hole and it (cyclically), so that no probe stops early at the hole.
    let hole = i;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const c = cells[2 * j]!;
      if (c === 0) break;
      const h = home(c - 1, mask);
      if (hole <= j ? h > hole && h <= j : h > hole || h <= j) continue;
      cells[2 * hole] = c;
      cells[2 * hole + 1] = cells[2 * j + 1]!;
      hole = j;
    }
    cells[2 * hole] = 0;
    cells[2 * hole + 1] = 0;
  }

  /** Calls f(key, value) for every entry. */
  forEach(f: (key: number, value: number) => void): void {
    const cells = this.#cells;
    for (let i = 0; i < cells.length; i += 2) if (cells[i] !== 0) f(cells[i]! - 1, cells[i + 1]!);
  }

  #grow(): void {
    const old = this.#cells;
    this.#cells = new Int32Array(old.length * 2);
    this.#mask = this.#mask * 2 + 1;
    this.#size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.set(old[i]! - 1, old[i + 1]!);
  }
}
