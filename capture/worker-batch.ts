/**
 * The batch a capture worker sends to the primary: datagrams back to back, each as
 * `[u8 address length][address, latin1][u32le length][payload]`. One IPC message per event-loop
 * turn (or per --batch bytes) instead of one per datagram. The address is empty when the
 * worker reads without it (receiver.ts).
 */
import type { OnDatagram } from './receiver.js';

export class BatchWriter {
  #buf: Buffer;
  #used = 0;
  readonly #capacity: number;
  readonly #flushAt: number;

  constructor(flushAt: number) {
    this.#flushAt = flushAt;
    // Room for one more maximal datagram past the flush threshold.
    this.#capacity = flushAt + 65536 + 512;
    this.#buf = Buffer.allocUnsafe(this.#capacity);
  }

  get empty(): boolean {
    return this.#used === 0;
  }

  /** Adds msg[start, end); returns true when the batch should be sent now. */
  add(msg: Buffer, start: number, end: number, address: string): boolean {
    const b = this.#buf;
    let u = this.#used;
    const n = address === '' ? 0 : b.write(address, u + 1, 255, 'latin1');
    b[u] = n;
    u += 1 + n;
    const len = end - start;
    b[u] = len;
    b[u + 1] = len >>> 8;
    b[u + 2] = len >>> 16;
    b[u + 3] = len >>> 24;
    u += 4;
    u += msg.copy(b, u, start, end);
    this.#used = u;
    return u >= this.#flushAt;
  }

  /** The batch so far; a new buffer is started (the old one belongs to the IPC message). */
  take(): Buffer {
    const out = this.#buf.subarray(0, this.#used);
    this.#buf = Buffer.allocUnsafe(this.#capacity);
    this.#used = 0;
    return out;
  }
}

/** Calls `each` for every datagram of a batch, in place; the address string is reused while it repeats. */
export function readBatch(batch: Buffer, each: OnDatagram): number {
  let p = 0;
  let count = 0;
  let lastAddr = '';
  let lastStart = -1;
  let lastLen = -1;
  while (p < batch.length) {
    const n = batch[p]!;
    const a = p + 1;
    if (lastStart < 0 || n !== lastLen || batch.compare(batch, lastStart, lastStart + lastLen, a, a + n) !== 0) {
      lastAddr = batch.toString('latin1', a, a + n);
      lastStart = a;
      lastLen = n;
    }
    p = a + n;
    const len = batch[p]! | (batch[p + 1]! << 8) | (batch[p + 2]! << 16) | (batch[p + 3]! << 24);
    p += 4;
    each(batch, p, p + len, lastAddr);
    p += len;
    count++;
  }
  return count;
}
