import type { Worker } from 'node:worker_threads';
import { nextLineStart } from './split.js';
import type { Source } from './sources.js';

/**
 * Byte ranges of the seekable inputs that threads claim one at a time, so that the work is
 * shared by whoever is free: the main thread starts at once while workers are still booting
 * (~70 ms each here), and a thread slowed by a busy core simply claims fewer chunks. A fixed
 * split into one range per thread made two threads slower than one whenever another process
 * held a core (test/bench/halog-vs-real.ts, stop 9).
 *
 * A chunk's raw bounds need not fall on line starts: a line belongs to the chunk that holds its
 * first byte, so each chunk is read from the first line start at or after its start up to the
 * first line start at or after its end (see `lineStartAtOrAfter`), and every line is read once.
 */
export interface Chunk {
  readonly sourceIndex: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Enough chunks per thread to even out a slow thread, few enough that probing costs nothing.
 * Small enough too that a worker that stops early (a report table full, RecordJob.stopWhenFull)
 * goes little past its memory share in its last chunk, and that the main thread waits little
 * for a worker's last chunk: 1 GB on two threads, 8 MB chunks, the wait after the main thread's
 * last chunk was 12-69 ms (median 16) against 10-98 ms (median 31) with 32 MB ones (12 runs each).
 */
const CHUNKS_PER_THREAD = 64;
const MIN_CHUNK_BYTES = 4 << 20;

/** HALOG_CHUNK_BYTES forces the chunk size (tests use small chunks to cut lines everywhere). */
function forcedChunkBytes(): number {
  const env = Number.parseInt(process.env.HALOG_CHUNK_BYTES ?? '', 10);
  return Number.isFinite(env) && env > 0 ? env : 0;
}

export function planChunks(sources: readonly Source[], threads: number, chunkBytes = forcedChunkBytes()): Chunk[] {
  const total = sources.reduce((n, s) => n + s.size, 0);
  const size = chunkBytes > 0 ? chunkBytes : Math.max(MIN_CHUNK_BYTES, Math.ceil(total / (threads * CHUNKS_PER_THREAD)));
  const chunks: Chunk[] = [];
  sources.forEach((s, sourceIndex) => {
    for (let pos = 0; pos < s.size; pos += size) chunks.push({ sourceIndex, start: pos, end: Math.min(pos + size, s.size) });
  });
  return chunks;
}

/** The first line start at or after `pos` (a line starts at 0 or after a newline); `size` past the last. */
export function lineStartAtOrAfter(s: Source, pos: number): number {
  if (pos <= 0) return 0;
  if (pos >= s.size) return s.size;
  return nextLineStart(s, pos - 1);
}

/**
 * Shared by every thread of one run through a SharedArrayBuffer: cell 0 is the next chunk to
 * claim, cell 1 + w the state of worker w (0 booting, 1 running, 2 cancelled). A worker that
 * boots after the main thread has finished everything is cancelled instead of waited for.
 */
export class WorkQueue {
  readonly shared: SharedArrayBuffer;
  readonly #cells: Int32Array;

  constructor(workers: number, shared: SharedArrayBuffer = new SharedArrayBuffer(4 * (1 + workers))) {
    this.shared = shared;
    this.#cells = new Int32Array(shared);
  }

  /** The next unclaimed chunk index; at or past the chunk count when all are taken. */
  claim(): number {
    return Atomics.add(this.#cells, 0, 1);
  }

  /** Called by worker `w` before its first claim: false when the run no longer wants it. */
  enter(w: number): boolean {
    return Atomics.compareExchange(this.#cells, 1 + w, 0, 1) === 0;
  }

  /** Called by the main thread once out of chunks: true when worker `w` never entered, and now never will. */
  cancel(w: number): boolean {
    return Atomics.compareExchange(this.#cells, 1 + w, 0, 2) === 0;
  }
}

/** The lines a thread read in one chunk: thread-local line numbers `first + 1 .. first + count`. */
export interface ChunkLines {
  readonly chunk: number;
  readonly first: number;
  readonly count: number;
}

/**
 * Claims chunks until none is left (or, with `stop`, until it says stop after a chunk) and
 * hands each one's line-aligned range to `read`, which returns the thread's line count after
 * it. Returns what each chunk held, for `globalLine`.
 */
export function drainQueue(
  queue: WorkQueue,
  chunks: readonly Chunk[],
  sources: readonly Source[],
  linesSoFar: () => number,
  read: (source: Source, start: number, end: number) => void,
  stop?: () => boolean,
): ChunkLines[] {
  const done: ChunkLines[] = [];
  for (let i = queue.claim(); i < chunks.length; i = queue.claim()) {
    const c = chunks[i]!;
    const source = sources[c.sourceIndex]!;
    const start = lineStartAtOrAfter(source, c.start);
    const end = lineStartAtOrAfter(source, c.end);
    const first = linesSoFar();
    if (start < end) read(source, start, end);
    done.push({ chunk: i, first, count: linesSoFar() - first });
    if (stop?.()) break;
  }
  return done;
}

/**
 * Maps thread-local line numbers to input line numbers, from every thread's chunk records:
 * chunk k's lines follow those of chunks 0..k-1 in the input, whichever thread read them.
 */
export class LineNumbering {
  readonly #offsets: Float64Array;

  constructor(chunkCount: number, perThread: readonly (readonly ChunkLines[])[]) {
    const counts = new Float64Array(chunkCount);
    for (const list of perThread) for (const r of list) counts[r.chunk] = r.count;
    this.#offsets = new Float64Array(chunkCount);
    let sum = 0;
    for (let k = 0; k < chunkCount; k++) {
      this.#offsets[k] = sum;
      sum += counts[k]!;
    }
  }

  /** The input line number of thread-local line `line` of a thread whose chunks were `chunks`. */
  globalLine(chunks: readonly ChunkLines[], line: number): number {
    for (const r of chunks) if (line > r.first && line <= r.first + r.count) return this.#offsets[r.chunk]! + (line - r.first);
    return line;
  }
}

/** A worker of a queue-driven run, and what it will post: null when it was cancelled. */
export interface StartedWorker<T> {
  readonly worker: Worker;
  readonly done: Promise<T | null>;
}

/**
 * Called once the main thread is out of chunks: waits for the workers that took part, and
 * cancels and stops those still booting, so that an input the main thread read alone does not
 * wait for a thread start. Returns what the others posted.
 */
export async function finishWorkers<T>(queue: WorkQueue, started: readonly StartedWorker<T>[]): Promise<T[]> {
  const waiting: Promise<T | null>[] = [];
  started.forEach((s, w) => {
    if (queue.cancel(w)) {
      s.done.catch(() => undefined);
      s.worker.unref();
      void s.worker.terminate();
    } else waiting.push(s.done);
  });
  const out: T[] = [];
  for (const r of await Promise.all(waiting)) if (r !== null) out.push(r);
  return out;
}
