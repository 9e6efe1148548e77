import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { LogRecord, parseRecord } from '../parse/record.js';
import { indexBefore, releaseScanBuffer, takeScanBuffer } from '../parse/bytes.js';
import { CHUNK_SIZE, LineAssembler } from './chunks.js';
import { HalogInputError } from './errors.js';
import { readAt, type Source } from './sources.js';

/** Line counts of one part (summed over parts; see record-reader.ts). */
export interface ReadStats {
  /** Non-empty lines seen. */
  lines: number;
  /** Lines parseRecord() accepted (httplog or tcplog). */
  records: number;
  /** Lines it rejected (non-traffic, malformed). */
  invalid: number;
  /** Input bytes consumed (compressed bytes for .gz). */
  bytes: number;
}

export const emptyStats = (): ReadStats => ({ lines: 0, records: 0, invalid: 0, bytes: 0 });

export function addStats(a: ReadStats, b: ReadStats): void {
  a.lines += b.lines;
  a.records += b.records;
  a.invalid += b.invalid;
  a.bytes += b.bytes;
}

/** Byte ranges of the inputs; `end` -1 = to EOF (the only form used for gzip and stdin). */
export interface PartSpec {
  ranges: { sourceIndex: number; start: number; end: number }[];
  /** Sharded reading (record-reader.ts): this part takes the lines whose key hash % count is index. */
  shard?: ShardSpec;
}

export interface ShardSpec {
  index: number;
  count: number;
}

/** A line's key hash (>= 0), or -1 when it has none (such lines go to shard 0). */
export type ShardKey = (buf: Buffer, start: number, end: number) => number;

/** The subset of RecordJob the reading loop calls (record-reader.ts has the full interface). */
interface Sink {
  onRecord(rec: LogRecord): void;
  onInvalid?(rec: LogRecord): void;
  /**
   * Optional: where the lines handed over next are in their input: `buf[i]` is byte
   * `base + i` of `src`, a seekable file (src null: a pipe or gzip, nothing to read back). A job
   * can then remember a line by its offset and read it back later instead of copying it.
   */
  lineSource?(src: Source | null, base: number): void;
}

/**
 * The file offset of the buffer the next lines come in: the reading loop sets `src` and `next`
 * (the offset of the first byte not yet handed over) before a commit; the line handler tells
 * the job, and moves `next` past the lines it handed over.
 */
interface Position {
  src: Source | null;
  next: number;
}

function lineHandler(job: Sink, stats: ReadStats, at: Position, shard?: ShardSpec, key?: ShardKey): (buf: Buffer, end: number) => boolean {
  const rec = new LogRecord();
  const lineSource = job.lineSource ? job.lineSource.bind(job) : null;
  const onInvalid = job.onInvalid ? job.onInvalid.bind(job) : null;
  // With shards, every worker reads every line and keeps those whose key hashes to it.
  const mine: ((buf: Buffer, start: number, end: number) => boolean) | null =
    shard && key && shard.count > 1
      ? (buf, start, end) => {
          const h = key(buf, start, end);
          return (h < 0 ? 0 : h % shard.count) === shard.index;
        }
      : null;
  return (buf, end) => {
    // The assembler hands over buffers that start with the first byte it had not handed over.
    lineSource?.(at.src, at.next);
    at.next += end;
    let p = 0;
    while (p < end) {
      let nl = indexBefore(buf, 0x0a, p, end);
      if (nl < 0) nl = end;
      let e = nl;
      if (e > p && buf[e - 1] === 0x0d) e--;
      if (e > p && (mine === null || mine(buf, p, e))) {
        stats.lines++;
        if (parseRecord(buf, p, e, rec)) {
          stats.records++;
          job.onRecord(rec);
        } else {
          stats.invalid++;
          onInvalid?.(rec);
        }
      }
      p = nl + 1;
    }
    return true;
  };
}

/** Reads one part into `job` synchronously (gzip asynchronously); `progress(n)` after each read. */
export async function readPart(sources: readonly Source[], part: PartSpec, job: Sink, progress?: (bytes: number) => void, key?: ShardKey): Promise<ReadStats> {
  const stats = emptyStats();
  const at: Position = { src: null, next: 0 };
  // Read into this thread's SIMD scanner when it is free (parse/bytes.ts): line ends and
  // parseRecord's field walks then run 16 bytes per compare.
  const scan = takeScanBuffer(CHUNK_SIZE);
  const asm = new LineAssembler(lineHandler(job, stats, at, part.shard, key), scan);
  // Every shard reads all the input: only the first one counts the bytes and reports progress.
  const others = part.shard !== undefined && part.shard.index > 0;
  if (others) progress = undefined;
  try {
    for (const r of part.ranges) {
      const src = sources[r.sourceIndex]!;
      at.src = null;
      if (src.gzip) await readGzipCounted(src, asm, stats, progress);
      else if (src.size < 0) await readPipe(src, asm, stats, progress);
      else readRangeCounted(src, r.start, r.end, asm, stats, at, progress);
    }
  } finally {
    releaseScanBuffer(scan);
  }
  if (others) stats.bytes = 0;
  return stats;
}

/** Reads one byte range of a seekable input (see withRangeReader). */
export type RangeRead = (src: Source, start: number, end: number, progress?: (n: number) => void) => void;

/**
 * Runs `use` with a reader of byte ranges of seekable inputs into one job, synchronously, one
 * range after another (the claimed-chunks path of record-reader.ts: each range starts at a
 * line start). The reader reads into this thread's SIMD scan buffer when it is free and gives
 * it back when `use` returns, as readPart does, so a later reader of the thread gets it too.
 */
export function withRangeReader(job: Sink, stats: ReadStats, use: (read: RangeRead) => void): void {
  const at: Position = { src: null, next: 0 };
  const scan = takeScanBuffer(CHUNK_SIZE);
  const asm = new LineAssembler(lineHandler(job, stats, at), scan);
  try {
    use((src, start, end, progress) => readRangeCounted(src, start, end, asm, stats, at, progress));
  } finally {
    releaseScanBuffer(scan);
  }
}

/** Reads a range, which starts at a line start (the assembler holds nothing before it). */
function readRangeCounted(src: Source, start: number, end: number, asm: LineAssembler, stats: ReadStats, at: Position, progress?: (n: number) => void): void {
  let pos = start;
  at.src = src.seekable ? src : null;
  at.next = start;
  for (;;) {
    const space = asm.space();
    const want = end < 0 ? space.length : Math.min(space.length, end - pos);
    if (want <= 0) break;
    const n = readAt(src, space, 0, want, pos);
    if (n === 0) break;
    pos += n;
    stats.bytes += n;
    asm.commit(n);
    progress?.(n);
  }
  asm.end();
  at.src = null;
}

async function readGzipCounted(src: Source, asm: LineAssembler, stats: ReadStats, progress?: (n: number) => void): Promise<void> {
  const input = createReadStream('', { fd: src.fd, autoClose: false, start: src.size >= 0 ? 0 : undefined });
  input.on('data', (c) => {
    stats.bytes += c.length;
    progress?.(c.length);
  });
  const gunzip = createGunzip();
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) asm.push(chunk as Buffer);
  } catch (err) {
    throw new HalogInputError('E_HALOG_INPUT_GZIP', src.name, `cannot decompress '${src.name}': ${(err as Error).message} (is it a complete gzip file?)`);
  }
  asm.end();
}

/** A pipe (stdin): gzip is recognized by its magic bytes, since there is no file name to go by. */
async function readPipe(src: Source, asm: LineAssembler, stats: ReadStats, progress?: (n: number) => void): Promise<void> {
  const input = createReadStream('', { fd: src.fd, autoClose: false });
  let gunzip: ReturnType<typeof createGunzip> | null = null;
  let first = true;
  const decoded: Buffer[] = [];
  try {
    for await (const c of input) {
      const chunk = c as Buffer;
      stats.bytes += chunk.length;
      progress?.(chunk.length);
      if (first) {
        first = false;
        if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
          gunzip = createGunzip();
          gunzip.on('data', (d: Buffer) => decoded.push(d));
        }
      }
      if (gunzip) {
        if (!gunzip.write(chunk)) await new Promise((r) => gunzip!.once('drain', r));
        for (const d of decoded.splice(0)) asm.push(d);
      } else asm.push(chunk);
    }
    if (gunzip) {
      const g = gunzip;
      await new Promise<void>((resolve, reject) => {
        g.once('end', resolve);
        g.once('error', reject);
        g.end();
      });
      for (const d of decoded.splice(0)) asm.push(d);
    }
  } catch (err) {
    throw new HalogInputError('E_HALOG_INPUT_GZIP', src.name, `cannot decompress '${src.name}': ${(err as Error).message} (is it a complete gzip stream?)`);
  }
  asm.end();
}
