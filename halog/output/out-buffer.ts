import { writeAllSync } from './fd-write.js';

/**
 * Buffered writes to a file descriptor, bytes in and bytes out: keys from the log are
 * written as the bytes they were read as (no UTF-8 round trip), and lines are batched
 * into 1 MiB writes.
 */
function decimalDigits(n: number): number {
  if (n < 100) return n < 10 ? 1 : 2;
  if (n < 10000) return n < 1000 ? 3 : 4;
  if (n < 1000000) return n < 100000 ? 5 : 6;
  let digits = 7;
  for (let t = 10000000; n >= t && digits < 16; t *= 10) digits++;
  return digits;
}

export class OutBuffer {
  readonly #fd: number;
  #buf = Buffer.allocUnsafe(1 << 20);
  #len = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** ASCII/latin1 text (numbers, headers, separators). */
  text(s: string): void {
    if (this.#len + s.length > this.#buf.length) this.#makeRoom(s.length);
    this.#len += this.#buf.write(s, this.#len, 'latin1');
  }

  /**
   * A non-negative integer up to 2^53 in decimal, written as digits into the buffer: tables of
   * 300k rows print 8 numbers each, and building a string for every one cost more than the
   * lookups that filled the table (halog -u on 1 GB, stop 10).
   */
  uint(n: number): void {
    if (this.#len + 16 > this.#buf.length) this.#makeRoom(16);
    const buf = this.#buf;
    let p = this.#len;
    if (n < 10) {
      buf[p] = 0x30 + n;
      this.#len = p + 1;
      return;
    }
    p += decimalDigits(n);
    this.#len = p;
    // Float division until the value fits 31 bits, then integer division.
    while (n > 0x7fffffff) {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    }
    let m = n | 0;
    while (m >= 10) {
      const q = (m / 10) | 0;
      buf[--p] = 0x30 + (m - q * 10);
      m = q;
    }
    buf[p - 1] = 0x30 + m;
  }

  byte(c: number): void {
    if (this.#len + 1 > this.#buf.length) this.#makeRoom(1);
    this.#buf[this.#len++] = c;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (this.#len + n > this.#buf.length) this.#makeRoom(n);
    const buf = this.#buf;
    let p = this.#len;
    // Keys are mostly short: a loop beats making a subarray to copy from.
    if (n <= 64) for (let i = start; i < end; i++) buf[p++] = src[i]!;
    else {
      buf.set(src.subarray(start, end), p);
      p += n;
    }
    this.#len = p;
  }

  #makeRoom(n: number): void {
    this.flush();
    if (n > this.#buf.length) this.#buf = Buffer.allocUnsafe(n);
  }

  flush(): void {
    const len = this.#len;
    // Dropped whatever happens: after EPIPE (the reader went away) nothing more can be delivered.
    this.#len = 0;
    writeAllSync(this.#fd, this.#buf, 0, len);
  }
}
