import { writeSync } from 'node:fs';

/**
 * Buffered writes to a file descriptor, bytes in and bytes out: keys from the log are
 * written as the bytes they were read as (no UTF-8 round trip), and lines are batched
 * into 1 MiB writes.
 */
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

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (this.#len + n > this.#buf.length) this.#makeRoom(n);
    this.#buf.set(src.subarray(start, end), this.#len);
    this.#len += n;
  }

  #makeRoom(n: number): void {
    this.flush();
    if (n > this.#buf.length) this.#buf = Buffer.allocUnsafe(n);
  }

  flush(): void {
    let off = 0;
    while (off < this.#len) {
      try {
        off += writeSync(this.#fd, this.#buf, off, this.#len - off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          // A non-blocking pipe is full: wait briefly for the reader instead of spinning.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
          continue;
        }
        if (code === 'EPIPE') {
          // The reader went away (`halog ... | head`): nothing more can be delivered.
          this.#len = 0;
          throw err;
        }
        throw err;
      }
    }
    this.#len = 0;
  }
}
