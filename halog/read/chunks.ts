import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { HalogInputError } from './errors.js';
import { readAt, type Source } from './sources.js';

/** Receives buffers of whole lines: `buf[0, end)`. Returns false to stop reading. */
export type LineChunkSink = (buf: Buffer, end: number) => boolean;

/**
 * 4 MiB reads: large enough that per-read overhead vanishes, small enough to stay in L2/L3
 * for the scan that follows (see test/bench/halog-vs-real.ts for the figures).
 */
export const CHUNK_SIZE = 4 << 20;

/**
 * Feeds whole lines to `sink`. Lines are never cut: a line longer than the buffer grows it
 * (halog stops at 256 KiB; we read lines of any length). The last line of an input may
 * lack its newline.
 */
export class LineAssembler {
  #buf: Buffer;
  #len = 0;
  readonly #sink: LineChunkSink;

  /** `buffer`: where to read (e.g. a scanner's memory, halog/parse/bytes.ts); CHUNK_SIZE bytes of its own by default. */
  constructor(sink: LineChunkSink, buffer?: Buffer | null) {
    this.#sink = sink;
    this.#buf = buffer ?? Buffer.allocUnsafe(CHUNK_SIZE);
  }

  /** Space to read into; call `commit(n)` after. */
  space(): Buffer {
    if (this.#len === this.#buf.length) {
      const bigger = Buffer.allocUnsafe(this.#buf.length * 2);
      this.#buf.copy(bigger, 0, 0, this.#len);
      this.#buf = bigger;
    }
    return this.#buf.subarray(this.#len);
  }

  commit(n: number): boolean {
    const total = this.#len + n;
    const lastNl = this.#buf.lastIndexOf(0x0a, total - 1);
    if (lastNl < 0) {
      this.#len = total;
      return true;
    }
    const go = this.#sink(this.#buf, lastNl + 1);
    this.#buf.copy(this.#buf, 0, lastNl + 1, total);
    this.#len = total - lastNl - 1;
    return go;
  }

  push(data: Buffer): boolean {
    let off = 0;
    while (off < data.length) {
      const space = this.space();
      const n = Math.min(space.length, data.length - off);
      data.copy(space, 0, off, off + n);
      off += n;
      if (!this.commit(n)) return false;
    }
    return true;
  }

  /** End of one input: its unterminated last line, if any, is a line. */
  end(): boolean {
    if (this.#len === 0) return true;
    const len = this.#len;
    this.#len = 0;
    return this.#sink(this.#buf, len);
  }
}

/** Reads `source` from `start` to `end` (byte offsets; -1 = to EOF) synchronously. */
export function readRange(source: Source, start: number, end: number, asm: LineAssembler): boolean {
  let pos = start;
  for (;;) {
    const space = asm.space();
    const want = end < 0 ? space.length : Math.min(space.length, end - pos);
    if (want <= 0) break;
    const n = readAt(source, space, 0, want, pos);
    if (n === 0) break;
    pos += n;
    if (!asm.commit(n)) return false;
  }
  return asm.end();
}

/** Reads a gzip-compressed source, whatever its kind (file or pipe). */
export async function readGzip(source: Source, asm: LineAssembler): Promise<boolean> {
  const input = createReadStream('', { fd: source.fd, autoClose: false, start: source.seekable || source.size >= 0 ? 0 : undefined });
  const gunzip = createGunzip();
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      if (!asm.push(chunk as Buffer)) {
        input.destroy();
        gunzip.destroy();
        return false;
      }
    }
  } catch (err) {
    throw new HalogInputError('E_HALOG_INPUT_GZIP', source.name, `cannot decompress '${source.name}': ${(err as Error).message} (is it a complete gzip file?)`);
  }
  return asm.end();
}
