import { viewOf } from '../parse/bytes.js';
import type { CellWriter } from './cell-writer.js';

/**
 * Output sink of the table renderers: UTF-8 bytes, handed over in chunks so a large report is
 * never one string. A chunk is only valid during the call (its buffer is reused): copy to keep it.
 */
export type Write = (chunk: Uint8Array) => void;

/** Bytes for ByteOut.constant: the bytes, and their whole 4-byte words (little-endian). */
export interface ConstantBytes {
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
}

export function constantBytes(text: string): ConstantBytes {
  const bytes = Buffer.from(text, 'utf8');
  const words = new Int32Array(bytes.length >> 2);
  const view = viewOf(bytes);
  for (let k = 0; k < words.length; k++) words[k] = view.getInt32(4 * k, true);
  return { bytes, words };
}

/** Bytes gathered before a chunk is handed to the sink. */
export const CHUNK = 1 << 18;

/**
 * Writes text and numbers straight into a Buffer, flushed to a Write every CHUNK bytes: a
 * report's cells never become JS strings (keys excepted) nor pass through string
 * concatenation. Text is encoded as UTF-8, as `Buffer.from(text, 'utf8')` would.
 */
export class ByteOut {
  readonly #write: Write;
  #buf: Buffer = Buffer.allocUnsafe(CHUNK);
  #view = viewOf(this.#buf);
  #len = 0;
  /** The buffer to return to after a piece too big for it was written (adopt). */
  #home: Buffer | null = null;

  constructor(write: Write) {
    this.#write = write;
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    this.flush();
    if (n > this.#buf.length) this.#use(Buffer.allocUnsafe(n));
  }

  #use(buf: Buffer): void {
    this.#buf = buf;
    this.#view = viewOf(buf);
  }

  /** Writes into `buf` from now on (a CellWriter's output buffer, so that its cells land in place). */
  adopt(buf: Buffer): void {
    this.flush();
    this.#home = buf;
    this.#use(buf);
  }

  /** Lets `w` write its cells (from w.nums) in place; false when it would not (the caller writes them). */
  cells(w: CellWriter): boolean {
    this.#room(w.maxBytes);
    if (this.#buf !== w.out) return false;
    const end = w.write(this.#len);
    if (end < 0) return false;
    this.#len = end;
    return true;
  }

  /** Any text (UTF-8) through Buffer#write. */
  text(s: string): void {
    this.#room(3 * s.length);
    this.#len += this.#buf.write(s, this.#len, 'utf8');
  }

  /**
   * A short string (keys, cells) encoded by hand: a JS loop beats Buffer#write's per-call cost
   * for the few dozen characters of a key. Characters from U+0800 go through Buffer#write.
   */
  str(s: string): void {
    const n = s.length;
    this.#room(2 * n);
    const buf = this.#buf;
    let o = this.#len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) buf[o++] = c;
      else if (c < 0x800) {
        buf[o++] = 0xc0 | (c >> 6);
        buf[o++] = 0x80 | (c & 0x3f);
      } else {
        this.text(s);
        return;
      }
    }
    this.#len = o;
  }

  /** Latin1 bytes (keys as read from the log) as UTF-8: what `str` writes for the string they decode to. */
  latin1(src: Uint8Array, start: number, end: number): void {
    this.#room(2 * (end - start));
    const buf = this.#buf;
    let o = this.#len;
    for (let i = start; i < end; i++) {
      const c = src[i]!;
      if (c < 0x80) buf[o++] = c;
      else {
        buf[o++] = 0xc0 | (c >> 6);
        buf[o++] = 0x80 | (c & 0x3f);
      }
    }
    this.#len = o;
  }

  /** Bytes made once (column names, separators). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.#room(n);
    const buf = this.#buf;
    let o = this.#len;
    if (n > 64) buf.set(b, o);
    else for (let i = 0; i < n; i++) buf[o + i] = b[i]!;
    this.#len = o + n;
  }

  /**
   * Bytes written on every row (JSON's `,"name":` before each cell): four at a time, which
   * took ~10 % off writing a 1 GB log's URL report as JSON (177 MB, 12 million names).
   */
  constant(c: ConstantBytes): void {
    const { bytes, words } = c;
    const n = bytes.length;
    this.#room(n);
    const view = this.#view;
    const o = this.#len;
    let i = 0;
    for (let k = 0; k < words.length; k++, i += 4) view.setInt32(o + i, words[k]!, true);
    const buf = this.#buf;
    for (; i < n; i++) buf[o + i] = bytes[i]!;
    this.#len = o + n;
  }

  byte(c: number): void {
    if (this.#len === this.#buf.length) this.flush();
    this.#buf[this.#len++] = c;
  }

  /** Spaces up to a width (text tables). */
  pad(n: number): void {
    if (n <= 0) return;
    this.#room(n);
    const buf = this.#buf;
    const o = this.#len;
    for (let i = 0; i < n; i++) buf[o + i] = 0x20;
    this.#len = o + n;
  }

  /** A number as String(v) writes it; integers without making a string. */
  num(v: number): void {
    // Most cells are small integers (counts, ms): int32 division beats the float path below
    // (14 million cells of a 1 GB URL report: ~180 -> ~120 ms; test/report/byte-out.test.ts checks the digits).
    if (v >= 0 && v <= 0x7fffffff && (v | 0) === v) {
      const d = numLength(v);
      this.#room(d);
      const buf = this.#buf;
      let p = this.#len + d;
      let x = v | 0;
      while (x >= 10) {
        const q = (x / 10) | 0;
        buf[--p] = 0x30 + x - q * 10;
        x = q;
      }
      buf[p - 1] = 0x30 + x;
      this.#len += d;
      return;
    }
    if (!(v >= 0 && v <= 0xffffffff && v === Math.floor(v))) {
      if (v < 0 && v >= -0xffffffff && v === Math.floor(v)) {
        this.byte(0x2d);
        this.num(-v);
      } else this.text(String(v));
      return;
    }
    const d = numLength(v);
    this.#room(d);
    let p = this.#len + d;
    let x = v;
    do {
      const q = Math.floor(x / 10);
      this.#buf[--p] = 0x30 + (x - q * 10);
      x = q;
    } while (x > 0);
    this.#len += d;
  }

  flush(): void {
    if (this.#len > 0) this.#write(this.#buf.subarray(0, this.#len));
    this.#len = 0;
    if (this.#home !== null && this.#buf !== this.#home) this.#use(this.#home);
  }
}

/** Characters of String(v) for an integer 0 <= v <= 2^32 - 1. */
function numLength(v: number): number {
  if (v < 10) return 1;
  if (v < 100) return 2;
  if (v < 1000) return 3;
  if (v < 10000) return 4;
  if (v < 100000) return 5;
  if (v < 1000000) return 6;
  if (v < 10000000) return 7;
  if (v < 100000000) return 8;
  if (v < 1000000000) return 9;
  return 10;
}

/** Length of String(v) (text tables align on it). */
export function numWidth(v: number): number {
  if (v >= 0 && v <= 0xffffffff && v === Math.floor(v)) return numLength(v);
  return String(v).length;
}

/** Runs a renderer into one string (tests, small outputs). */
export function collect(render: (write: Write) => void): string {
  const parts: Uint8Array[] = [];
  render((b) => parts.push(Buffer.from(b)));
  return Buffer.concat(parts).toString('utf8');
}
