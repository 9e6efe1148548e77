/**
 * Appends bytes to one large Buffer. The generator's hot path: every field of every line goes
 * through these methods, so they take precomputed byte arrays and plain integers, never strings.
 */
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** '000'..'999' as 3 bytes each, for milliseconds. */
const MS3 = Buffer.from(Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0')).join(''), 'latin1');

export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Starts a new chunk; the previous Buffer belongs to whoever received it. */
  reset(size: number): void {
    this.buf = Buffer.allocUnsafe(size);
    this.pos = 0;
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  put(bytes: Uint8Array): void {
    const n = bytes.length;
    const buf = this.buf;
    let p = this.pos;
    // Short pieces (most fields) copy faster in a loop than through the native memcpy call.
    if (n < 16) {
      for (let i = 0; i < n; i++) buf[p++] = bytes[i]!;
      this.pos = p;
    } else {
      buf.set(bytes, p);
      this.pos = p + n;
    }
  }

  /** Copies bytes [start, end) of `bytes`. */
  putRange(bytes: Uint8Array, start: number, end: number): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) buf[p++] = bytes[i]!;
    this.pos = p;
  }

  /** Non-negative integer in decimal. */
  uint(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = 48 + n;
      return;
    }
    if (n >= 0x80000000) {
      this.#bigUint(n);
      return;
    }
    // int32 arithmetic (`| 0`) for the common case: every field but rare byte counts fits.
    let digits = 2;
    for (let t = (n / 100) | 0; t > 0; t = (t / 10) | 0) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = (n / 10) | 0;
      buf[--p] = 48 + n - q * 10;
      n = q;
    } while (n > 0);
  }

  #bigUint(n: number): void {
    const text = String(n);
    this.pos += this.buf.write(text, this.pos, 'latin1');
  }

  /** Integer that may be -1 (HAProxy's "did not happen"). */
  int(n: number): void {
    if (n < 0) {
      this.buf[this.pos++] = 0x2d;
      this.uint(-n);
    } else {
      this.uint(n);
    }
  }

  /** 0..999 as exactly 3 digits. */
  ms3(n: number): void {
    const buf = this.buf;
    const o = n * 3;
    buf[this.pos] = MS3[o]!;
    buf[this.pos + 1] = MS3[o + 1]!;
    buf[this.pos + 2] = MS3[o + 2]!;
    this.pos += 3;
  }

  /** Fixed-width zero-padded decimal (microseconds, ...). */
  padded(n: number, width: number): void {
    let p = this.pos + width;
    this.pos = p;
    for (let i = 0; i < width; i++) {
      const q = Math.floor(n / 10);
      this.buf[--p] = 48 + (n - q * 10);
      n = q;
    }
  }

  /** `count` lowercase hex digits of `u32` (count <= 8). */
  hex(u32: number, count: number): void {
    const buf = this.buf;
    for (let i = count - 1; i >= 0; i--) {
      buf[this.pos++] = HEX[(u32 >>> (i * 4)) & 15]!;
    }
  }
}

/** Precomputed latin1 bytes of a constant string. */
export function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
