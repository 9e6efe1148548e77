/**
 * Rotation naming and background compression.
 *
 * A file `DIR/STEM.EXT` that is rotated becomes `DIR/STEM.YYYYMMDDTHHMMSSZ.NNN.EXT`, where the
 * UTC time is the moment of rotation (for --rotate-interval, the interval boundary) and NNN
 * (001, 002, ...) the first number free for that second, so names sort in the order written.
 * With --gzip the rotated file is then compressed to `...EXT.gz` (through `.gz.tmp`, renamed
 * only when complete, then the uncompressed file is removed).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { access, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { RuntimeCode } from './errors.js';
import type { Reporter } from './reporter.js';

export function utcStamp(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
}

export function rotatedName(path: string, stampMs: number, seq: number): string {
  const base = basename(path);
  const ext = extname(base);
  const stem = ext === '' ? base : base.slice(0, -ext.length);
  return join(dirname(path), `${stem}.${utcStamp(stampMs)}.${String(seq).padStart(3, '0')}${ext}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The first free rotated name for that second (checking the .gz name too). */
export async function freeRotatedName(path: string, stampMs: number): Promise<string> {
  for (let seq = 1; ; seq++) {
    const candidate = rotatedName(path, stampMs, seq);
    if (!(await exists(candidate)) && !(await exists(`${candidate}.gz`)) && !(await exists(`${candidate}.gz.tmp`))) return candidate;
  }
}

/** Start of the next --rotate-interval boundary after `now`, aligned to the UTC epoch. */
export function nextBoundary(now: number, intervalMs: number): number {
  return (Math.floor(now / intervalMs) + 1) * intervalMs;
}

/** Compresses rotated files one at a time, off the receive path (zlib runs in the thread pool). */
export class Compressor {
  readonly #reporter: Reporter;
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  compressed = 0;
  failed = 0;

  constructor(reporter: Reporter) {
    this.#reporter = reporter;
  }

  get pending(): number {
    return this.#pending;
  }

  add(path: string): void {
    this.#pending++;
    this.#chain = this.#chain.then(() => this.#compress(path)).finally(() => void this.#pending--);
  }

  /** Resolves when every queued file is compressed (or has failed). */
  idle(): Promise<void> {
    return this.#chain;
  }

  async #compress(path: string): Promise<void> {
    const tmp = `${path}.gz.tmp`;
    try {
      await pipeline(createReadStream(path), createGzip({ level: 6 }), createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, `${path}.gz`);
      await unlink(path);
      this.compressed++;
    } catch (err) {
      this.failed++;
      await unlink(tmp).catch(() => undefined);
      this.#reporter.problem(RuntimeCode.rotate, path, `cannot compress ${path}: ${(err as Error).message}; the uncompressed file is kept`);
    }
  }
}
