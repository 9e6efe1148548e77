/**
 * `stick-table type ip size <n> expire <t>` + `stick on src`: client address -> server.
 * An entry is refreshed each time it is used and forgotten `expire` ms after its last use
 * (0 = never); beyond `size` entries the least recently used one is dropped (HAProxy drops
 * the oldest entries when the table is full). Insertion order of the Map is the LRU order.
 */
export class StickTable<S> {
  readonly #size: number;
  readonly #expire: number;
  readonly #entries = new Map<string, { server: S; at: number }>();

  constructor(size: number, expireMs: number) {
    this.#size = size;
    this.#expire = expireMs;
  }

  /** The server stored for `key`, if the entry has not expired. */
  lookup(key: string, now: number): S | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (this.#expire > 0 && now - e.at >= this.#expire) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.server;
  }

  store(key: string, server: S, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { server, at: now });
    if (this.#entries.size > this.#size) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  get size(): number {
    return this.#entries.size;
  }
}
