import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { CHUNK_SIZE } from './chunks.js';
import { HalogInputError } from './errors.js';
import { newlineCounter, type NewlineCounter } from './newline-counter.js';
import { readAt, type Source } from './sources.js';

/**
 * `-c` without filters: counts lines without parsing them (halog's fast path), a final line
 * without a newline included. `max` >= 0 caps the count like `-m`.
 */
export async function countLines(sources: readonly Source[], max: number): Promise<number> {
  let total = 0;
  for (const s of sources) {
    total += s.gzip ? await countGzip(s) : countFd(s);
    if (max >= 0 && total >= max) return max;
  }
  return total;
}

function countIn(buf: Buffer, n: number): number {
  let count = 0;
  let p = buf.indexOf(0x0a);
  while (p >= 0 && p < n) {
    count++;
    p = buf.indexOf(0x0a, p + 1);
  }
  return count;
}

let counter: NewlineCounter | null | undefined;

/** One counter per thread: a module instance holds 4 MiB that V8 is slow to give back. */
function threadCounter(): NewlineCounter | null {
  if (counter === undefined) counter = newlineCounter(CHUNK_SIZE);
  return counter;
}

function countFd(s: Source): number {
  return countRange(s, 0, -1);
}

/**
 * Lines in `s[start, end)` (end -1 = to EOF), the file's unterminated last line included
 * when the range reaches it. Ranges from `splitRanges` end after a newline, so counts of
 * consecutive ranges add up to the count of the whole file.
 */
export function countRange(s: Source, start: number, end: number): number {
  const simd = threadCounter();
  const buf = simd ? simd.buffer : Buffer.allocUnsafe(CHUNK_SIZE);
  let count = 0;
  let pos = start;
  let lastByte = 0x0a;
  for (;;) {
    const want = end < 0 ? buf.length : Math.min(buf.length, end - pos);
    if (want <= 0) break;
    const n = readAt(s, buf, 0, want, pos);
    if (n === 0) break;
    pos += n;
    // Stale bytes past n must not be counted: search a view of exactly n bytes.
    count += simd ? simd.count(n) : countIn(n === buf.length ? buf : buf.subarray(0, n), n);
    lastByte = buf[n - 1]!;
  }
  return count + (lastByte !== 0x0a ? 1 : 0);
}

async function countGzip(s: Source): Promise<number> {
  let count = 0;
  let lastByte = 0x0a;
  const gunzip = createGunzip();
  createReadStream('', { fd: s.fd, autoClose: false }).pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      const b = chunk as Buffer;
      if (!b.length) continue;
      count += countIn(b, b.length);
      lastByte = b[b.length - 1]!;
    }
  } catch (err) {
    throw new HalogInputError('E_HALOG_INPUT_GZIP', s.name, `cannot decompress '${s.name}': ${(err as Error).message} (is it a complete gzip file?)`);
  }
  return count + (lastByte !== 0x0a ? 1 : 0);
}
