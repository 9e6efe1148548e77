/**
 * The batch a capture worker sends to the primary: datagrams back to back, each as
 * `[u8 address length][address, latin1][u32le length][payload]`. One IPC message per event-loop
 * turn (or per --batch bytes) instead of one per datagram. The address is empty when the
 * worker reads without it (receiver.ts).
 */
import { MAX_DATAGRAM, readDatagram, type OnDatagram } from './receiver.js';

export class BatchWriter {
  #buf: Buffer;
  #used = 0;
  readonly #capacity: number;
  readonly #flushAt: number;
  /** Buffers handed back by the receiving side (reader threads), reused instead of allocated. */
  readonly #spare: ArrayBuffer[] = [];

  constructor(flushAt: number) {
    this.#flushAt = flushAt;
    // Room for one more maximal datagram past the flush threshold.
    this.#capacity = flushAt + MAX_DATAGRAM + 512;
    this.#buf = this.#fresh();
  }

  #fresh(): Buffer {
    const ab = this.#spare.pop();
    // Not Buffer.allocUnsafe: its result may lie in Node's shared pool, which cannot be transferred.
    return Buffer.from(ab ?? new ArrayBuffer(this.#capacity));
  }

  get empty(): boolean {
    return this.#used === 0;
  }

  get full(): boolean {
    return this.#used >= this.#flushAt;
  }

  /** A buffer that came back from take() (same capacity), to be reused. */
  recycle(ab: ArrayBuffer): void {
    if (ab.byteLength === this.#capacity && this.#spare.length < 4) this.#spare.push(ab);
  }

  /**
   * Reads one datagram from a socket fd straight into the batch (no sender, no copy); returns
   * its length, or -1 when none is queued. Other read errors throw (SocketReadError).
   */
  readFrom(fd: number): number {
    const u = this.#used;
    const len = readDatagram(fd, this.#buf, u + 5);
    if (len < 0) return -1;
    const b = this.#buf;
    b[u] = 0;
    b[u + 1] = len;
    b[u + 2] = len >>> 8;
    b[u + 3] = len >>> 16;
    b[u + 4] = len >>> 24;
    this.#used = u + 5 + len;
    return len;
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

  /** The batch so far; a new buffer is started (the old one belongs to the message sent). */
  take(): Buffer {
    const out = this.#buf.subarray(0, this.#used);
    this.#buf = this.#fresh();
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
