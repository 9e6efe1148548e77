/**
 * Evidence lines of every client and rule, kept as bytes in one arena instead of a JS string
 * each. A line becomes a string only when it is printed or exported. The strings were the
 * largest thing the detector allocated (43 of 146 MB allocated per 300 MB of log: most
 * clients keep crawl.aggressive lines once past a tenth of its threshold) and, since they
 * live to the end, every young-generation collection copied them twice before promoting them.
 *
 * A list (one per client and rule column, keyed by the caller) is a chain of records
 * `(chunk, offset, length, next)` in an Int32Array. The bytes are in chunks of 1 MiB that are
 * never copied to grow: fresh memory is what storing lines costs (first touch ~5 ms per MB on
 * the development VM, against ~1 ms per MB for the copy itself), and a doubled arena touched
 * twice the final size. Dropped lines (an evicted client) leave holes; when holes are more
 * than half of what is stored, the live lines are copied into new chunks.
 *
 * A line read from a seekable file is not copied at all: its record holds the file and the
 * line's offset, and the line is read back from the file when it is printed or exported. Only
 * flagged clients are printed, so most stored lines are never read; copying them was ~10 % of
 * a run's CPU (300 MB of log: ~45 MB of lines, each first touch of fresh memory).
 */
import { readSync } from 'node:fs';
import { IntMap } from './int-map.js';

/** A file lines can be read back from (an open descriptor, kept open until the output is written). */
export interface LineFile {
  readonly fd: number;
  readonly name: string;
}

/** Record fields. R_CHUNK is -1 - the file's index for a line left in its file (its offset in #at). */
const R_CHUNK = 0;
const R_OFF = 1;
const R_LEN = 2;
const R_NEXT = 3;
/** In a list's first record only: its last record and its length. */
const R_TAIL = 4;
const R_COUNT = 5;
const R_STRIDE = 6;
/** Chunk size (a longer line gets a chunk of its own size). */
const CHUNK = 1 << 20;
/** Compact only past this many bytes of holes (small arenas are not worth copying). */
const COMPACT_MIN = 1 << 20;

export class EvidenceStore {
  #chunks: Buffer[] = [];
  /** The chunk being filled (the last one) and its bytes used. */
  #cur: Buffer = Buffer.alloc(0);
  #used = 0;
  /** Bytes stored, and those of dropped lines (still in the chunks). */
  #stored = 0;
  #holes = 0;
  /** Record r (1-based; 0 = none) at r * R_STRIDE; freed records chained through R_NEXT. */
  #rec = new Int32Array(1024 * R_STRIDE);
  #recTop = 1;
  #recFree = 0;
  /** File offset of a record's line (records of lines left in their file). */
  #at = new Float64Array(1024);
  readonly #files: LineFile[] = [];
  /** The record #link made last. */
  #last = 0;
  /**
   * List key -> first record, which also holds the list's last record and length: a push
   * appends without walking the list. (A table indexed by key, slot * rules + rule column,
   * touched 9 MB of fresh memory for 50k clients, more than a hash table costs.)
   */
  readonly #head = new IntMap();

  get size(): number {
    return this.#head.size;
  }

  /** Lines in list `key`. */
  length(key: number): number {
    const r = this.#head.get(key);
    return r === 0 ? 0 : this.#rec[r * R_STRIDE + R_COUNT]!;
  }

  /** Appends `buf[start, end)` (a log line, latin1) to list `key`; returns the list's new length. */
  push(key: number, buf: Buffer, start: number, end: number): number {
    const len = end - start;
    const off = this.#room(len);
    buf.copy(this.#cur, off, start, end);
    return this.#link(key, this.#chunks.length - 1, off, len);
  }

  /** Appends the line at byte `offset` of `file` (`len` bytes, read back when listed). */
  pushAt(key: number, file: LineFile, offset: number, len: number): number {
    let f = this.#files.indexOf(file);
    if (f < 0) f = this.#files.push(file) - 1;
    const n = this.#link(key, -1 - f, 0, len);
    this.#at[this.#last] = offset;
    return n;
  }

  /** Appends a string (an exported line: latin1, as it was made from the bytes). */
  pushString(key: number, s: string): number {
    const off = this.#room(s.length);
    this.#cur.write(s, off, s.length, 'latin1');
    return this.#link(key, this.#chunks.length - 1, off, s.length);
  }

  /** The lines of list `key`, oldest first. */
  lines(key: number): string[] {
    const out: string[] = [];
    const rec = this.#rec;
    for (let r = this.#head.get(key); r !== 0; r = rec[r * R_STRIDE + R_NEXT]!) {
      const chunk = rec[r * R_STRIDE + R_CHUNK]!;
      const len = rec[r * R_STRIDE + R_LEN]!;
      if (chunk < 0) out.push(readLine(this.#files[-1 - chunk]!, this.#at[r]!, len));
      else {
        const off = rec[r * R_STRIDE + R_OFF]!;
        out.push(this.#chunks[chunk]!.toString('latin1', off, off + len));
      }
    }
    return out;
  }

  /** Drops list `key`. */
  delete(key: number): void {
    let r = this.#head.get(key);
    if (r === 0) return;
    this.#head.delete(key);
    const rec = this.#rec;
    while (r !== 0) {
      const next = rec[r * R_STRIDE + R_NEXT]!;
      if (rec[r * R_STRIDE + R_CHUNK]! >= 0) this.#holes += rec[r * R_STRIDE + R_LEN]!;
      rec[r * R_STRIDE + R_NEXT] = this.#recFree;
      this.#recFree = r;
      r = next;
    }
  }

  /** Links a new record (chunk, off, len) at the end of list `key`; it is then #last. Returns the list's length. */
  #link(key: number, chunk: number, off: number, len: number): number {
    let r = this.#recFree;
    if (r !== 0) this.#recFree = this.#rec[r * R_STRIDE + R_NEXT]!;
    else {
      r = this.#recTop++;
      if ((r + 1) * R_STRIDE > this.#rec.length) {
        const a = new Int32Array(this.#rec.length * 2);
        a.set(this.#rec);
        this.#rec = a;
        const at = new Float64Array(this.#at.length * 2);
        at.set(this.#at);
        this.#at = at;
      }
    }
    this.#last = r;
    const rec = this.#rec;
    rec[r * R_STRIDE + R_CHUNK] = chunk;
    rec[r * R_STRIDE + R_OFF] = off;
    rec[r * R_STRIDE + R_LEN] = len;
    rec[r * R_STRIDE + R_NEXT] = 0;
    const first = this.#head.get(key);
    if (first === 0) {
      this.#head.set(key, r);
      rec[r * R_STRIDE + R_TAIL] = r;
      rec[r * R_STRIDE + R_COUNT] = 1;
      return 1;
    }
    rec[rec[first * R_STRIDE + R_TAIL]! * R_STRIDE + R_NEXT] = r;
    rec[first * R_STRIDE + R_TAIL] = r;
    return ++rec[first * R_STRIDE + R_COUNT]!;
  }

  /** Offset of `len` free bytes in the current chunk (compacted or a new chunk first if needed). */
  #room(len: number): number {
    if (this.#used + len > this.#cur.length) {
      if (this.#holes >= COMPACT_MIN && this.#holes * 2 >= this.#stored) this.#compact();
      if (this.#used + len > this.#cur.length) this.#newChunk(len);
    }
    const off = this.#used;
    this.#used += len;
    this.#stored += len;
    return off;
  }

  #newChunk(len: number): void {
    this.#cur = Buffer.alloc(Math.max(CHUNK, len));
    this.#chunks.push(this.#cur);
    this.#used = 0;
  }

  /** Copies the live lines into new chunks. */
  #compact(): void {
    const old = this.#chunks;
    this.#chunks = [];
    this.#cur = Buffer.alloc(0);
    this.#used = 0;
    this.#stored = 0;
    this.#holes = 0;
    const rec = this.#rec;
    this.#head.forEach((_key, first) => {
      for (let r = first; r !== 0; r = rec[r * R_STRIDE + R_NEXT]!) {
        if (rec[r * R_STRIDE + R_CHUNK]! < 0) continue;
        const off = rec[r * R_STRIDE + R_OFF]!;
        const len = rec[r * R_STRIDE + R_LEN]!;
        const src = old[rec[r * R_STRIDE + R_CHUNK]!]!;
        const to = this.#room(len);
        src.copy(this.#cur, to, off, off + len);
        rec[r * R_STRIDE + R_CHUNK] = this.#chunks.length - 1;
        rec[r * R_STRIDE + R_OFF] = to;
      }
    });
  }
}

/** The `len` bytes at `offset` of `file`, as latin1 (how stored lines are made strings). */
function readLine(file: LineFile, offset: number, len: number): string {
  const b = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = readSync(file.fd, b, got, len - got, offset + got);
    if (n === 0) throw new Error(`cannot read back a line of '${file.name}' at byte ${offset}: the file is shorter than when it was read`);
    got += n;
  }
  return b.toString('latin1');
}
