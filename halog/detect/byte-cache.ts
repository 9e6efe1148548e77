import { KeyTable } from '../report/key-table.js';

/**
 * A cache keyed by byte ranges of the input: the detector finds the current line's client
 * (and the user-agent verdict) from the bytes of the line, without making a JS string per
 * line. The keys live in a KeyTable (halog/report/key-table.ts: FNV-1a over the bytes,
 * compared as bytes, copied once into an arena); the values sit beside it by row.
 * `clear()` replaces the table: the detector clears it after an eviction sweep and it
 * refills as clients come back.
 */
export class ByteCache<T> {
  #keys = new KeyTable(0);
  #values: (T | undefined)[] = [];
  /** Row of the last `get` that found no value, for the `setAfterMiss` that follows it. */
  #missRow = -1;

  get size(): number {
    return this.#keys.size;
  }

  /** The value for `buf[start, end)`, or undefined. */
  get(buf: Uint8Array, start: number, end: number): T | undefined {
    const row = this.#keys.indexOf(buf, start, end);
    this.lastRow = row;
    const v = this.#values[row];
    if (v === undefined) this.#missRow = row;
    return v;
  }

  /** Row of the key of the last `get`: stays the key's row until `clear()`. */
  lastRow = -1;

  /**
   * The value of row `row` if that row's key is `buf[start, end)`, else undefined: for a caller
   * that remembers where a key was (the same key again skips hashing it). A row from before a
   * `clear()` is either a different key now or gone, and the bytes tell.
   */
  at(row: number, buf: Uint8Array, start: number, end: number): T | undefined {
    return this.#keys.equals(row, buf, start, end) ? this.#values[row] : undefined;
  }

  /** Sets the value of the key whose `get` just missed. */
  setAfterMiss(value: T): void {
    this.#values[this.#missRow] = value;
    this.#missRow = -1;
  }

  /** Forgets every key. */
  clear(): void {
    this.#keys = new KeyTable(0);
    this.#values = [];
    this.#missRow = -1;
    this.lastRow = -1;
  }
}
