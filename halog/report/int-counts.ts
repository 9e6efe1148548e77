/**
 * Occurrence counts keyed by a signed 32-bit integer. Statuses, code pairs and most timer
 * values fall in a small range, so they are counted in a dense array (one increment per
 * line instead of a Map lookup and store); other keys go to a Map.
 */
const DENSE_MIN = -32768;
const DENSE_SIZE = 65536 + 32768;

export interface IntCountsSnapshot {
  readonly dense: Float64Array;
  readonly sparse: Map<number, number>;
}

export class IntCounts {
  #dense: Float64Array | null = null;
  readonly #sparse = new Map<number, number>();

  add(key: number, n = 1): void {
    const i = key - DENSE_MIN;
    if (i >= 0 && i < DENSE_SIZE) {
      (this.#dense ??= new Float64Array(DENSE_SIZE))[i]! += n;
    } else {
      this.#sparse.set(key, (this.#sparse.get(key) ?? 0) + n);
    }
  }

  get(key: number): number {
    const i = key - DENSE_MIN;
    if (i >= 0 && i < DENSE_SIZE) return this.#dense ? this.#dense[i]! : 0;
    return this.#sparse.get(key) ?? 0;
  }

  /** Keys seen at least once, ascending as signed integers (halog's eb32i order). */
  sortedKeys(): number[] {
    const keys = [...this.#sparse.keys()];
    const d = this.#dense;
    if (d) for (let i = 0; i < DENSE_SIZE; i++) if (d[i]! > 0) keys.push(i + DENSE_MIN);
    return keys.sort((a, b) => a - b);
  }

  get size(): number {
    let n = this.#sparse.size;
    const d = this.#dense;
    if (d) for (let i = 0; i < DENSE_SIZE; i++) if (d[i]! > 0) n++;
    return n;
  }

  snapshot(): IntCountsSnapshot {
    return { dense: this.#dense ?? new Float64Array(0), sparse: this.#sparse };
  }

  merge(o: IntCountsSnapshot): void {
    const d = o.dense;
    for (let i = 0; i < d.length; i++) if (d[i]! > 0) this.add(i + DENSE_MIN, d[i]!);
    for (const [k, v] of o.sparse) this.add(k, v);
  }
}
