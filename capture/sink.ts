/**
 * Where lines go. Each sink collects lines in a chunk and writes the chunk when it reaches
 * --batch bytes or FLUSH_DELAY_MS after its first line, so a stream of datagrams costs a few
 * hundred write()s a second at most, not one per datagram or per event-loop turn. Two
 * implementations: FileSink (file-sink.ts) and StdoutSink (below).
 */
import type { Counters } from './counters.js';

export interface LineSink {
  /** Appends head[0, headLen) + body[start, end) + `\n`; embedded newlines become `#0A`. */
  line(head: Buffer | null, headLen: number, body: Buffer, start: number, end: number): void;
  /** Starts writing what is collected (called by the sink itself each turn). */
  flush(): void;
  /** Closes and opens the file again at the same path (SIGHUP, after logrotate renamed it). */
  reopen(): void;
  /** Renames the current file to its rotated name and starts a new one (if it is not empty). */
  rotate(stampMs: number): void;
  /** Resolves once everything appended so far is written or counted as unwritten. */
  drain(): Promise<void>;
  close(): Promise<void>;
  readonly path: string;
}

/**
 * 5 ms: at 30,000 datagrams/s a write per event-loop turn meant ~10,000 writes/s, and the capture
 * process lost datagrams a bare Node receiver kept (measured with test/bench/capture-vs-rsyslog.ts
 * --steps on a 2-CPU machine); a line reaches the file at most this late.
 */
export const FLUSH_DELAY_MS = 5;

const LF = 0x0a;
const ESCAPED_LF = Buffer.from('#0A');

/**
 * A batch of lines in one Buffer that starts small and doubles when a line would not fit
 * (worst case 3x its length, for escapes), so a thousand `--split` files that each see a few
 * lines hold a few KiB each, and a busy file grows its chunk to about one batch once.
 */
export class Chunk {
  buf: Buffer;
  used = 0;
  lines = 0;

  constructor(initial = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  #grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.used + need) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }

  /** Returns the number of embedded newlines escaped. */
  put(head: Buffer | null, headLen: number, body: Buffer, start: number, end: number): number {
    const need = headLen + 3 * (end - start) + 1;
    if (this.used + need > this.buf.length) this.#grow(need);
    const b = this.buf;
    let u = this.used;
    if (head !== null && headLen > 0) u += head.copy(b, u, 0, headLen);
    let escaped = 0;
    let nl = body.indexOf(LF, start);
    if (nl < 0 || nl >= end) {
      u += body.copy(b, u, start, end);
    } else {
      let s = start;
      while (nl >= 0 && nl < end) {
        u += body.copy(b, u, s, nl);
        u += ESCAPED_LF.copy(b, u);
        escaped++;
        s = nl + 1;
        nl = body.indexOf(LF, s);
      }
      u += body.copy(b, u, s, end);
    }
    b[u++] = LF;
    this.used = u;
    this.lines++;
    return escaped;
  }
}

/** `--out -`: process.stdout, which Node writes in order; lines count as written on callback. */
export class StdoutSink implements LineSink {
  readonly path = '-';
  readonly #counters: Counters;
  readonly #batchBytes: number;
  readonly #backlogBytes: number;
  #chunk: Chunk;
  #scheduled = false;
  #inFlight = 0;
  #waiters: (() => void)[] = [];

  constructor(counters: Counters, batchBytes: number, backlogBytes: number) {
    this.#counters = counters;
    this.#batchBytes = batchBytes;
    this.#backlogBytes = backlogBytes;
    this.#chunk = new Chunk();
  }

  line(head: Buffer | null, headLen: number, body: Buffer, start: number, end: number): void {
    this.#counters.newlinesEscaped += this.#chunk.put(head, headLen, body, start, end);
    if (this.#chunk.used >= this.#batchBytes) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setTimeout(() => this.flush(), FLUSH_DELAY_MS);
    }
  }

  flush(): void {
    this.#scheduled = false;
    const c = this.#chunk;
    if (c.lines === 0) return;
    this.#chunk = new Chunk();
    if (process.stdout.writableLength > this.#backlogBytes) {
      this.#counters.unwritten += c.lines;
      return;
    }
    this.#inFlight++;
    process.stdout.write(c.buf.subarray(0, c.used), (err) => {
      if (err) this.#counters.unwritten += c.lines;
      else {
        this.#counters.written += c.lines;
        this.#counters.writtenBytes += c.used;
      }
      if (--this.#inFlight === 0) for (const w of this.#waiters.splice(0)) w();
    });
  }

  reopen(): void {}
  rotate(): void {}

  drain(): Promise<void> {
    this.flush();
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  close(): Promise<void> {
    return this.drain();
  }
}
