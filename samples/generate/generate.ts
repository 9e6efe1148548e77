/**
 * The log generator: one loop that picks what each line is (traffic, tcp, malformed), writes it
 * straight into a multi-MB Buffer and hands out whole chunks. Nothing per line allocates: every
 * constant is bytes from catalog.ts, dates and headers are cached per second (clock.ts).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ByteWriter } from './byte-writer.js';
import { clientPool } from './catalog.js';
import { AcceptDates, headerWriter, type HeaderWriter } from './clock.js';
import { HttpRecord, writeHttpLine } from './http-line.js';
import { BENIGN_HTTP_SCENARIOS, HTTP_SCENARIOS, type ScenarioContext } from './http-scenarios.js';
import { MALFORMED_KINDS, NON_TRAFFIC, writeGarbage } from './malformed.js';
import { resolveOptions, type GenerateOptions, type ResolvedOptions } from './options.js';
import { Prng } from './prng.js';
import { TcpLineWriter } from './tcp-line.js';

/** local0.info, what HAProxy uses for traffic logs. */
const PRI_TRAFFIC = 134;
/** Longest line any kind can produce is ~1.3 KB; a chunk stops this far from its end. */
const LINE_RESERVE = 16 * 1024;

export interface GenerateStats {
  lines: number;
  bytes: number;
}

export class LogGenerator {
  readonly #o: ResolvedOptions;
  readonly #prng: Prng;
  readonly #out: ByteWriter;
  readonly #header: HeaderWriter;
  /** For "no header" malformed lines: none, or in `raw` format a `local` header where none is expected. */
  readonly #otherHeader: HeaderWriter;
  readonly #dates = new AcceptDates();
  readonly #ctx: ScenarioContext;
  /** HTTP_SCENARIOS, or BENIGN_HTTP_SCENARIOS with `hostile: false` (chosen once). */
  readonly #scenarios: typeof HTTP_SCENARIOS;
  readonly #tcp: TcpLineWriter;
  readonly #meanGapUs: number;
  #emitUs: number;
  #done = false;
  /** Reused chunk buffers (see `constructor`), or empty: a fresh Buffer per chunk. */
  readonly #ring: Buffer[] = [];
  #ringNext = 0;
  readonly stats: GenerateStats = { lines: 0, bytes: 0 };

  /**
   * `reuseBuffers` > 0: cycle through that many chunk buffers instead of allocating one per
   * chunk, for a caller that is done with a chunk before it asks for the `reuseBuffers`-th next.
   */
  constructor(options: GenerateOptions | ResolvedOptions, reuseBuffers = 0) {
    const o = 'startMs' in options ? options : resolveOptions(options);
    for (let i = 0; i < reuseBuffers; i++) this.#ring.push(Buffer.allocUnsafe(o.chunkSize));
    this.#o = o;
    this.#prng = new Prng(o.seed);
    // Sized by next(): either a ring buffer or a fresh one per chunk.
    this.#out = new ByteWriter(0);
    const h = { hostname: o.hostname, tag: 'haproxy', pid: o.pid };
    this.#header = headerWriter({ ...h, format: o.format });
    this.#otherHeader = headerWriter({ ...h, format: o.format === 'raw' ? 'local' : 'raw' });
    const clients = clientPool(new Prng(o.seed ^ 0x5eed), o.clients);
    this.#ctx = { prng: this.#prng, r: new HttpRecord(), clients, load: 10, congestion: 0, hostile: o.hostile };
    this.#scenarios = o.hostile ? HTTP_SCENARIOS : BENIGN_HTTP_SCENARIOS;
    this.#tcp = new TcpLineWriter(this.#prng, clients, this.#dates);
    this.#meanGapUs = 1e6 / o.rate;
    this.#emitUs = o.startMs * 1000;
    this.#done = o.lines === 0 || o.bytes === 0;
  }

  get done(): boolean {
    return this.#done;
  }

  /** The next chunk of whole lines, or null when the requested size or count is reached. */
  next(): Buffer | null {
    if (this.#done) return null;
    const o = this.#o;
    const out = this.#out;
    if (this.#ring.length > 0) {
      out.buf = this.#ring[this.#ringNext]!;
      out.pos = 0;
      this.#ringNext = (this.#ringNext + 1) % this.#ring.length;
    } else {
      out.reset(o.chunkSize);
    }
    const limit = o.chunkSize - LINE_RESERVE;
    const stats = this.stats;
    while (out.pos < limit) {
      const start = out.pos;
      this.#line();
      out.byte(0x0a);
      if (stats.bytes + out.pos > o.bytes) {
        out.pos = start;
        this.#done = true;
        break;
      }
      if (++stats.lines >= o.lines) {
        this.#done = true;
        break;
      }
    }
    stats.bytes += out.pos;
    return out.pos > 0 ? out.buf.subarray(0, out.pos) : null;
  }

  #line(): void {
    const prng = this.#prng;
    const ctx = this.#ctx;
    this.#emitUs += 1 + Math.floor(prng.exp(this.#meanGapUs));
    // Overload episodes (every ~20 k lines on average, a few thousand lines long) make queues.
    if (ctx.congestion > 0) ctx.congestion--;
    else if (prng.chance(1 / 20000)) ctx.congestion = prng.range(300, 4000);
    if (this.#o.malformedRate > 0 && prng.chance(this.#o.malformedRate)) this.#malformed();
    else if (prng.chance(this.#o.tcpRate)) this.#tcpLine(this.#header);
    else this.#httpLine(this.#header);
  }

  #httpLine(header: HeaderWriter): void {
    const ctx = this.#ctx;
    const r = ctx.r;
    r.url.pos = 0;
    this.#prng.pick(this.#scenarios)(ctx);
    // Logged when the session ends: the request date is Ta (and a little) before emission.
    r.dateMs = Math.floor(this.#emitUs / 1000) - r.Ta - this.#prng.below(2);
    header.write(this.#out, PRI_TRAFFIC, this.#emitUs);
    writeHttpLine(this.#out, r, this.#dates);
  }

  #tcpLine(header: HeaderWriter): void {
    header.write(this.#out, PRI_TRAFFIC, this.#emitUs);
    this.#tcp.write(this.#out, Math.floor(this.#emitUs / 1000), this.#ctx.load);
  }

  #malformed(): void {
    const prng = this.#prng;
    const out = this.#out;
    switch (prng.pick(MALFORMED_KINDS)) {
      case 'truncated': {
        // A datagram cut by a `len` limit or a torn write: any prefix of a real line.
        const start = out.pos;
        this.#httpLine(this.#header);
        out.pos = start + 1 + prng.below(out.pos - start - 1);
        break;
      }
      case 'garbage':
        if (prng.chance(0.5)) this.#header.write(out, PRI_TRAFFIC, this.#emitUs);
        writeGarbage(out, prng);
        break;
      case 'noHeader':
        if (prng.chance(0.8)) this.#httpLine(this.#otherHeader);
        else this.#tcpLine(this.#otherHeader);
        break;
      case 'empty':
        break;
      case 'nonTraffic': {
        const m = NON_TRAFFIC[prng.below(NON_TRAFFIC.length)]!;
        this.#header.write(out, m.pri, this.#emitUs);
        out.put(m.text);
        break;
      }
    }
  }
}

/** FileHandle.write may write less than asked; loop until the chunk is out. */
async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  for (let off = 0; off < chunk.length; ) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
    off += bytesWritten;
  }
}

/** The log as chunks of whole lines (each a fresh Buffer the consumer may keep). */
export async function* generateLog(options: GenerateOptions): AsyncGenerator<Buffer, GenerateStats> {
  const g = new LogGenerator(options);
  for (let chunk = g.next(); chunk !== null; chunk = g.next()) yield chunk;
  return g.stats;
}

/** The whole log in one Buffer; for tests and small samples. */
export function generateLogBuffer(options: GenerateOptions): Buffer {
  const g = new LogGenerator(options);
  const chunks: Buffer[] = [];
  for (let chunk = g.next(); chunk !== null; chunk = g.next()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Writes the log to a file path or a Writable. For a path, the next chunk is generated while the
 * previous one is being written (the write runs on the libuv thread pool): on 2 cores that
 * overlap is what keeps the disk write off the generator's critical path.
 */
export async function writeLog(options: GenerateOptions, dest: string | Writable): Promise<GenerateStats> {
  if (typeof dest === 'string') {
    // Two buffers: one being written while the next is filled; a chunk is only refilled after
    // its write has completed (the `await pending` below comes before the next-but-one `next()`).
    const g = new LogGenerator(options, 2);
    const fh = await open(dest, 'w');
    try {
      let pending: Promise<unknown> = Promise.resolve();
      for (let chunk = g.next(); chunk !== null; chunk = g.next()) {
        await pending;
        pending = writeAll(fh, chunk);
      }
      await pending;
    } finally {
      await fh.close();
    }
    return g.stats;
  } else {
    const g = new LogGenerator(options);
    for (let chunk = g.next(); chunk !== null; chunk = g.next()) {
      if (!dest.write(chunk)) await once(dest, 'drain');
    }
    return g.stats;
  }
}
