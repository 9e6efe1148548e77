import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `buf[from, to)` to `fd`, synchronously. A full non-blocking pipe (EAGAIN) is
 * waited on briefly instead of spun on; other errors (EPIPE: the reader went away, as with
 * `| head`) are thrown.
 */
export function writeAllSync(fd: number, buf: Uint8Array, from = 0, to = buf.length): void {
  let off = from;
  while (off < to) {
    try {
      off += writeSync(fd, buf, off, to - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}
