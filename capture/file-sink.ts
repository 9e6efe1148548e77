/**
 * One output file: lines are collected in a chunk (sink.ts), chunks are written in order by a
 * single writer loop together with rotate/reopen/close operations, so a rotation or a SIGHUP
 * never splits a line or reorders lines.
 *
 * Failure policy (issue 5: never crash, never corrupt an existing file, count what is lost):
 * - the file cannot be opened (directory missing and not creatable, ENOTDIR, EACCES): each
 *   chunk is counted as unwritten, the open is retried at most once a second;
 * - a write fails (ENOSPC, EIO): the chunk's lines are counted as unwritten and the file is
 *   cut back to its size before that chunk, so it always ends with a complete line;
 * - writes fall behind by more than the backlog limit: new chunks are counted as unwritten.
 * Each condition is reported on stderr with its code, throttled, and once more on recovery.
 */
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Counters } from './counters.js';
import { RuntimeCode } from './errors.js';
import type { Reporter } from './reporter.js';
import { freeRotatedName, type Compressor } from './rotate.js';
import { Chunk, FLUSH_DELAY_MS, type LineSink } from './sink.js';

export interface FileSinkOptions {
  readonly counters: Counters;
  readonly reporter: Reporter;
  readonly batchBytes: number;
  /** 0 = no size rotation. */
  readonly rotateBytes: number;
  readonly backlogBytes: number;
  readonly compressor: Compressor | null;
}

type Op = { readonly t: 'data'; readonly chunk: Chunk } | { readonly t: 'rotate'; readonly stamp: number } | { readonly t: 'reopen' } | { readonly t: 'close' };

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code} (${e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')})` : String(e.message ?? err);
}

export class FileSink implements LineSink {
  readonly path: string;
  readonly #o: FileSinkOptions;
  #chunk: Chunk;
  readonly #free: Chunk[] = [];
  #scheduled = false;
  readonly #queue: Op[] = [];
  #running = false;
  #waiters: (() => void)[] = [];
  #fh: FileHandle | null = null;
  /** Bytes in the open file, as far as our writes go. */
  #size = 0;
  /** Bytes the file being filled will hold when the queue is written (for size rotation). */
  #committed = 0;
  #queuedBytes = 0;
  #switchesQueued = 0;
  #openFailedAt = 0;

  constructor(path: string, options: FileSinkOptions) {
    this.path = path;
    this.#o = options;
    this.#chunk = new Chunk();
    this.#enqueue({ t: 'reopen' });
  }

  line(head: Buffer | null, headLen: number, body: Buffer, start: number, end: number): void {
    const o = this.#o;
    if (o.rotateBytes > 0) {
      const before = this.#committed + this.#chunk.used;
      if (before > 0 && before + headLen + (end - start) + 1 > o.rotateBytes) this.rotate(Date.now());
    }
    o.counters.newlinesEscaped += this.#chunk.put(head, headLen, body, start, end);
    if (this.#chunk.used >= o.batchBytes) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setTimeout(() => this.flush(), FLUSH_DELAY_MS);
    }
  }

  flush(): void {
    this.#scheduled = false;
    const c = this.#chunk;
    if (c.lines === 0) return;
    if (this.#queuedBytes + c.used > this.#o.backlogBytes) {
      this.#o.counters.unwritten += c.lines;
      this.#o.reporter.problem(
        RuntimeCode.backlog,
        this.path,
        `writes to ${this.path} are ${this.#queuedBytes} bytes behind (limit ${this.#o.backlogBytes}); ${c.lines} lines counted as unwritten`,
      );
      c.used = 0;
      c.lines = 0;
      return;
    }
    // A new chunk starts at the size the last one reached, so a busy file does not regrow it.
    this.#chunk = this.#free.pop() ?? new Chunk(c.buf.length);
    this.#queuedBytes += c.used;
    this.#committed += c.used;
    this.#enqueue({ t: 'data', chunk: c });
  }

  reopen(): void {
    this.flush();
    this.#enqueue({ t: 'reopen' });
  }

  rotate(stampMs: number): void {
    this.flush();
    this.#committed = 0;
    this.#enqueue({ t: 'rotate', stamp: stampMs });
  }

  drain(): Promise<void> {
    this.flush();
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  close(): Promise<void> {
    this.flush();
    this.#enqueue({ t: 'close' });
    return this.drain();
  }

  #enqueue(op: Op): void {
    if (op.t === 'rotate' || op.t === 'reopen') this.#switchesQueued++;
    this.#queue.push(op);
    if (!this.#running) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#running = true;
    while (this.#queue.length > 0) {
      const op = this.#queue.shift()!;
      try {
        await this.#run(op);
      } catch (err) {
        // Each step handles its own errors; this is the net that keeps the writer loop alive.
        this.#o.reporter.problem(RuntimeCode.write, this.path, `unexpected error while writing ${this.path}: ${(err as Error).stack ?? String(err)}`);
      }
    }
    this.#running = false;
    for (const w of this.#waiters.splice(0)) w();
  }

  async #run(op: Op): Promise<void> {
    switch (op.t) {
      case 'data':
        await this.#write(op.chunk);
        break;
      case 'rotate':
        await this.#rotate(op.stamp);
        this.#afterSwitch();
        break;
      case 'reopen':
        await this.#closeFile();
        this.#openFailedAt = 0;
        await this.#ensureOpen();
        this.#afterSwitch();
        break;
      case 'close':
        await this.#closeFile();
        break;
    }
  }

  #afterSwitch(): void {
    if (--this.#switchesQueued === 0) this.#committed = this.#size + this.#queuedBytes;
  }

  async #ensureOpen(): Promise<boolean> {
    if (this.#fh) return true;
    if (this.#openFailedAt !== 0 && Date.now() - this.#openFailedAt < 1000) return false;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const fh = await open(this.path, 'a');
      this.#fh = fh;
      this.#size = (await fh.stat()).size;
      this.#openFailedAt = 0;
      this.#o.reporter.recovered(RuntimeCode.open, this.path, `${this.path} is open again; writing resumes`);
      return true;
    } catch (err) {
      this.#openFailedAt = Date.now();
      this.#o.reporter.problem(
        RuntimeCode.open,
        this.path,
        `cannot open ${this.path} for appending: ${describe(err)}; datagrams are still received and counted as unwritten, retrying every second`,
      );
      return false;
    }
  }

  async #write(c: Chunk): Promise<void> {
    const counters = this.#o.counters;
    if (await this.#ensureOpen()) {
      const fh = this.#fh!;
      const before = this.#size;
      try {
        let off = 0;
        while (off < c.used) {
          const { bytesWritten } = await fh.write(c.buf, off, c.used - off);
          if (bytesWritten === 0) throw Object.assign(new Error('write() wrote 0 bytes'), { code: 'EIO' });
          off += bytesWritten;
        }
        this.#size += c.used;
        counters.written += c.lines;
        counters.writtenBytes += c.used;
        this.#o.reporter.recovered(RuntimeCode.write, this.path, `writes to ${this.path} succeed again`);
      } catch (err) {
        counters.unwritten += c.lines;
        await this.#cutBack(fh, before);
        this.#o.reporter.problem(
          RuntimeCode.write,
          this.path,
          `cannot write to ${this.path}: ${describe(err)}; ${c.lines} lines counted as unwritten, the file keeps its last complete line, next batches are retried`,
        );
      }
    } else {
      counters.unwritten += c.lines;
    }
    this.#queuedBytes -= c.used;
    c.used = 0;
    c.lines = 0;
    // Two spare chunks: a busy file reuses grown buffers; an idle one holds little.
    if (this.#free.length < 2) this.#free.push(c);
  }

  /** After a failed write: remove the partial chunk, never grow the file. */
  async #cutBack(fh: FileHandle, size: number): Promise<void> {
    try {
      const st = await fh.stat();
      if (st.isFile() && st.size > size) await fh.truncate(size);
    } catch {
      // Nothing more we can do; the error was reported.
    }
  }

  async #rotate(stamp: number): Promise<void> {
    if (!this.#fh || this.#size === 0) return;
    await this.#closeFile();
    try {
      const target = await freeRotatedName(this.path, stamp);
      await rename(this.path, target);
      this.#o.counters.rotated++;
      this.#o.compressor?.add(target);
    } catch (err) {
      this.#o.reporter.problem(RuntimeCode.rotate, this.path, `cannot rotate ${this.path}: ${describe(err)}; appending to it instead`);
    }
    this.#openFailedAt = 0;
    await this.#ensureOpen();
  }

  async #closeFile(): Promise<void> {
    const fh = this.#fh;
    this.#fh = null;
    this.#size = 0;
    if (fh) await fh.close().catch(() => undefined);
  }
}
