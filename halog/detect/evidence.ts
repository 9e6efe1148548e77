/**
 * Evidence lines of every client and rule, kept as bytes in one arena instead of a JS string
 * each. A line becomes a string only when it is printed or exported. The strings were the
 * largest thing the detector allocated (43 of 146 MB allocated per 300 MB of log: most
 * clients keep crawl.aggressive lines once past a tenth of its threshold) and, since they
 * live to the end, every young-generation collection copied them twice before promoting them.
 *
 * A list (one per client and rule column, keyed by the caller) is a chain of records
 * `(offset, length, next)` in an Int32Array. Dropped lines (an evicted client) leave holes;
 * when holes are more than half of the arena, the live lines are copied into a new one.
 */

/** Record fields. */
const R_OFF = 0;
const R_LEN = 1;
const R_NEXT = 2;
const R_STRIDE = 3;
/** Compact only past this many bytes of holes (small arenas are not worth copying). */
const COMPACT_MIN = 1 << 20;

export class EvidenceStore {
  #bytes = Buffer.alloc(1 << 16);
  #used = 0;
  /** Bytes of dropped lines still in the arena. */
  #holes = 0;
  /** Record r (1-based; 0 = none) at r * R_STRIDE; freed records chained through R_NEXT. */
  #rec = new Int32Array(1024 * R_STRIDE);
  #recTop = 1;
  #recFree = 0;
  /** List key -> first record. */
  readonly #head = new Map<number, number>();

  get size(): number {
    return this.#head.size;
  }

  /** Lines in list `key`. */
  length(key: number): number {
    let n = 0;
    for (let r = this.#head.get(key) ?? 0; r !== 0; r = this.#rec[r * R_STRIDE + R_NEXT]!) n++;
    return n;
  }

  /** Appends `buf[start, end)` (a log line, latin1) to list `key`; returns the list's new length. */
  push(key: number, buf: Buffer, start: number, end: number): number {
    const len = end - start;
    const off = this.#room(len);
    buf.copy(this.#bytes, off, start, end);
    return this.#link(key, off, len);
  }

  /** Appends a string (an exported line: latin1, as it was made from the bytes). */
  pushString(key: number, s: string): number {
    const off = this.#room(s.length);
    this.#bytes.write(s, off, s.length, 'latin1');
    return this.#link(key, off, s.length);
  }

  /** The lines of list `key`, oldest first. */
  lines(key: number): string[] {
    const out: string[] = [];
    const rec = this.#rec;
    for (let r = this.#head.get(key) ?? 0; r !== 0; r = rec[r * R_STRIDE + R_NEXT]!) {
      const off = rec[r * R_STRIDE + R_OFF]!;
      out.push(this.#bytes.toString('latin1', off, off + rec[r * R_STRIDE + R_LEN]!));
    }
    return out;
  }

  /** Drops list `key`. */
  delete(key: number): void {
    let r = this.#head.get(key) ?? 0;
    if (r === 0) return;
    this.#head.delete(key);
    const rec = this.#rec;
    while (r !== 0) {
      const next = rec[r * R_STRIDE + R_NEXT]!;
      this.#holes += rec[r * R_STRIDE + R_LEN]!;
      rec[r * R_STRIDE + R_NEXT] = this.#recFree;
      this.#recFree = r;
      r = next;
    }
  }

  #link(key: number, off: number, len: number): number {
    let r = this.#recFree;
    if (r !== 0) this.#recFree = this.#rec[r * R_STRIDE + R_NEXT]!;
    else {
      r = this.#recTop++;
      if ((r + 1) * R_STRIDE > this.#rec.length) {
        const a = new Int32Array(this.#rec.length * 2);
        a.set(this.#rec);
        this.#rec = a;
      }
    }
    const rec = this.#rec;
    rec[r * R_STRIDE + R_OFF] = off;
    rec[r * R_STRIDE + R_LEN] = len;
    rec[r * R_STRIDE + R_NEXT] = 0;
    // Lists are short (evidencePerRule, 3 by default): walk to the tail.
    const first = this.#head.get(key) ?? 0;
    if (first === 0) {
      this.#head.set(key, r);
      return 1;
    }
    let n = 2;
    let p = first;
    for (let q = rec[p * R_STRIDE + R_NEXT]!; q !== 0; q = rec[q * R_STRIDE + R_NEXT]!) {
      p = q;
      n++;
    }
    rec[p * R_STRIDE + R_NEXT] = r;
    return n;
  }

  /** Offset of `len` free bytes at the end of the arena (compacted or grown first if needed). */
  #room(len: number): number {
    if (this.#used + len > this.#bytes.length) {
      if (this.#holes >= COMPACT_MIN && this.#holes * 2 >= this.#used) this.#compact(len);
      if (this.#used + len > this.#bytes.length) {
        let n = this.#bytes.length * 2;
        while (n < this.#used + len) n *= 2;
        const b = Buffer.alloc(n);
        this.#bytes.copy(b, 0, 0, this.#used);
        this.#bytes = b;
      }
    }
    const off = this.#used;
    this.#used += len;
    return off;
  }

  /** Copies the live lines into a new arena (sized for them, `extra` bytes, and as much again). */
  #compact(extra: number): void {
    const live = this.#used - this.#holes;
    const b = Buffer.alloc(Math.max(1 << 16, 2 * (live + extra)));
    const rec = this.#rec;
    let used = 0;
    for (const first of this.#head.values()) {
      for (let r = first; r !== 0; r = rec[r * R_STRIDE + R_NEXT]!) {
        const off = rec[r * R_STRIDE + R_OFF]!;
        const len = rec[r * R_STRIDE + R_LEN]!;
        this.#bytes.copy(b, used, off, off + len);
        rec[r * R_STRIDE + R_OFF] = used;
        used += len;
      }
    }
    this.#bytes = b;
    this.#used = used;
    this.#holes = 0;
  }
}
