/**
 * Generic parallel reading of parsed log records, for reports (halog/analyze/) and detectors
 * (halog/detect/).
 *
 * API (everything a caller needs):
 *
 *   // my-job.ts — a module that exports `create`:
 *   export function create(options: MyOptions): RecordJob<MySnapshot> {
 *     return {
 *       onRecord(rec) { ... },          // every valid httplog/tcplog line (rec is reused: copy what you keep)
 *       onInvalid(rec) { ... },         // optional: lines parseRecord() rejected (rec.invalidReason)
 *       snapshot() { return ...; },     // structured-clonable partial result (Maps, typed arrays ok)
 *       merge(s) { ... },               // adds a snapshot of the lines that come AFTER those seen so far
 *       transferList(s) { ... },        // optional: ArrayBuffers of s to move to the main thread, not copy
 *     };
 *   }
 *
 *   // caller:
 *   const sources = openSources(files);                       // halog/read/sources.ts
 *   const { job, stats } = await readRecords(sources, new URL('./my-job.js', import.meta.url), options);
 *   // `job` is a fresh create(options) into which every part was merged in input order.
 *
 * How it runs: regular uncompressed files are split at line boundaries (split.ts) into one
 * part per thread; each gzip file is one part; parts run on a pool of `threads` worker
 * threads (default: all cores), each with its own `create(options)`; the main thread then
 * merges the snapshots in input order. A job module that exports `mergeInAnyOrder: true` is
 * read differently when every input is seekable: the inputs are cut into chunks that the main
 * thread and `threads - 1` workers claim one at a time (work-queue.ts), and the snapshots are
 * merged in whatever order they finish. stdin is read on the main thread. With `threads: 1`,
 * or when the input is smaller than `parallelMinBytes`, everything runs on the main thread
 * into the same job instance (no snapshot round trip). A job whose merge is exact (counts,
 * sums, histograms) therefore gives identical results either way.
 *
 * Sharded reading: a job module may also export `shardKey(options)`, returning a function that
 * hashes a line's key (e.g. its client address) or null when these options cannot be sharded.
 * Then, instead of byte ranges, each of `threads` readers (the main thread for index 0, workers
 * for the others) reads the whole input and takes the lines whose hash % threads is its index
 * (lines without a key go to index 0), with `create(options, { index, count })`; the returned
 * job is the main thread's, with the workers' snapshots merged into it. A key's lines all
 * reach one reader, in input order, so a job that keeps per-key state never merges one key's
 * state from two parts, and can send back only what it must (detect: the flagged clients),
 * instead of every key's state.
 *
 * `options` must be structured-clonable (no functions): it is sent to every worker.
 * `onProgress(bytesDone, bytesTotal)` is called on the main thread as input is consumed
 * (compressed bytes for .gz; total -1 when unknown, e.g. stdin).
 */
import { Worker } from 'node:worker_threads';
import type { LogRecord } from '../parse/record.js';
import type { Source } from './sources.js';
import { splitRanges, type Range } from './split.js';
import { parallelMinBytes, threadCount } from './threads.js';
import { readPart, withRangeReader, type ReadStats, emptyStats, addStats, type PartSpec, type ShardKey, type ShardSpec } from './record-part.js';
import { workerResult } from './linger.js';
import { WorkQueue, drainQueue, finishWorkers, planChunks, type Chunk, type StartedWorker } from './work-queue.js';

/** What a record worker is given (record-worker.ts): a fixed part, or chunks to claim. */
export interface RecordWorkerInput {
  jobModule: string;
  options: unknown;
  sources: readonly Source[];
  part?: PartSpec;
  claimed?: ClaimedSpec;
}

/** What a worker of the claimed-chunks path is given besides the job. */
export interface ClaimedSpec {
  chunks: Chunk[];
  shared: SharedArrayBuffer;
  index: number;
  /** A BigInt64 counter of bytes read by all threads. */
  progress: SharedArrayBuffer;
}

export type { ReadStats, ShardKey, ShardSpec } from './record-part.js';

export interface RecordJob<S = unknown> {
  onRecord(rec: LogRecord): void;
  onInvalid?(rec: LogRecord): void;
  snapshot(): S;
  merge(snapshot: S): void;
  /**
   * Optional: buffers of `snapshot` that a worker moves to the main thread instead of copying
   * (postMessage transfer list): large typed arrays then cost nothing to send. The job is not
   * used after its snapshot was sent.
   */
  transferList?(snapshot: S): ArrayBuffer[];
  /**
   * Optional, for a worker of the claimed-chunks path (called once, before it reads): the job
   * may then go past its memory share and stay exact instead of approximating; the predicate
   * returned says when it is full, and the worker then claims no further chunk and sends its
   * snapshot, while the main thread (which never stops) and the other workers read the rest.
   */
  stopWhenFull?(): () => boolean;
}

/** What a job module must export. */
export interface RecordJobModule<O = unknown, S = unknown> {
  create(options: O, shard?: ShardSpec): RecordJob<S>;
  /** Optional: sharded reading (see above). */
  shardKey?(options: O): ShardKey | null;
  /**
   * Optional: true when `merge` gives the same result whatever order the snapshots come in
   * (sums, counts, histograms, min and max). Seekable inputs are then cut into chunks that the
   * main thread and the workers claim while they last (work-queue.ts), instead of one fixed
   * part per worker: the main thread works while the workers boot, and a thread on a busy core
   * takes fewer chunks.
   */
  mergeInAnyOrder?: boolean;
}

export interface ReadRecordsOptions {
  /** Worker threads; default HALOG_THREADS or all cores. 1 = main thread only. */
  threads?: number;
  /** Below this many input bytes everything runs on the main thread (default 8 MiB, env HALOG_PARALLEL_MIN_BYTES). */
  parallelMinBytes?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface ReadRecordsResult<S> {
  job: RecordJob<S>;
  stats: ReadStats;
  /** Worker threads actually used (0 = main thread only). */
  threadsUsed: number;
}

/** The record reader's threshold for starting threads (parallelMinBytes): 8 MiB. */
export const RECORD_MIN_BYTES = 8 << 20;

/** Plans the parts: ranges of regular files (split for `threads`), then one part per gzip file. */
function planParts(sources: readonly Source[], threads: number): PartSpec[] {
  const parts: PartSpec[] = [];
  // Keep input order: consecutive seekable files are split together, a gzip file is its own part.
  let run: number[] = [];
  const flush = (): void => {
    if (!run.length) return;
    const sub = run.map((i) => sources[i]!);
    for (const ranges of splitRanges(sub, threads)) {
      parts.push({ ranges: ranges.map((r: Range) => ({ sourceIndex: run[r.sourceIndex]!, start: r.start, end: r.end })) });
    }
    run = [];
  };
  sources.forEach((s, i) => {
    if (s.seekable) run.push(i);
    else {
      flush();
      parts.push({ ranges: [{ sourceIndex: i, start: 0, end: -1 }] });
    }
  });
  flush();
  return parts;
}

export async function readRecords<O, S>(
  sources: readonly Source[],
  jobModule: URL | string,
  options: O,
  ro: ReadRecordsOptions = {},
): Promise<ReadRecordsResult<S>> {
  const mod = (await import(String(jobModule))) as RecordJobModule<O, S>;
  const threads = ro.threads ?? threadCount();
  const known = sources.every((s) => s.size >= 0);
  const total = known ? sources.reduce((n, s) => n + s.size, 0) : -1;
  let done = 0;
  const progress = ro.onProgress
    ? (n: number): void => {
        done += n;
        ro.onProgress!(done, total);
      }
    : undefined;
  const hasStdin = sources.some((s) => s.size < 0);
  const minBytes = ro.parallelMinBytes ?? parallelMinBytes(RECORD_MIN_BYTES);
  if (threads <= 1 || hasStdin || total < minBytes) {
    const job = mod.create(options);
    const stats = emptyStats();
    for (let i = 0; i < sources.length; i++) {
      addStats(stats, await readPart(sources, { ranges: [{ sourceIndex: i, start: 0, end: -1 }] }, job, progress));
    }
    return { job, stats, threadsUsed: 0 };
  }
  // Sharded: every reader reads every input in full (gzip included) and keeps its share of
  // keys; the main thread's job is made there, for shard 0.
  if (mod.shardKey?.(options) != null) return readSharded(sources, jobModule, mod, options, threads, progress);
  const job = mod.create(options);
  if (mod.mergeInAnyOrder && sources.every((s) => s.seekable)) {
    return readClaimed(sources, jobModule, options, job, threads, total, ro.onProgress);
  }
  const parts = planParts(sources, threads);
  const results: ({ snapshot: S; stats: ReadStats } | undefined)[] = new Array(parts.length);
  const stats = emptyStats();
  // Merge each part as soon as every part before it is in: input order is kept, and the main
  // thread merges part 1 while the workers still read the later parts.
  let merged = 0;
  const mergeReady = (): void => {
    while (merged < parts.length && results[merged] !== undefined) {
      const r = results[merged]!;
      job.merge(r.snapshot);
      addStats(stats, r.stats);
      results[merged++] = undefined;
    }
  };
  let next = 0;
  const runWorker = async (): Promise<void> => {
    while (next < parts.length) {
      const idx = next++;
      const r = await startRecordWorker<S>({ jobModule: String(jobModule), options, sources, part: parts[idx] }, progress).done;
      if (r === null) throw new Error('record worker skipped a fixed part');
      results[idx] = r;
      mergeReady();
    }
  };
  const pool = Math.min(threads, parts.length);
  await Promise.all(Array.from({ length: pool }, runWorker));
  mergeReady();
  return { job, stats, threadsUsed: pool };
}

/**
 * The sharded path: the main thread reads shard 0 into its own job while `threads - 1` workers
 * read the others (one worker start fewer, and shard 0's clients are never copied between
 * threads); the workers' snapshots hold disjoint keys and are merged into it.
 */
async function readSharded<O, S>(
  sources: readonly Source[],
  jobModule: URL | string,
  mod: RecordJobModule<O, S>,
  options: O,
  threads: number,
  progress: ((n: number) => void) | undefined,
): Promise<ReadRecordsResult<S>> {
  const whole = sources.map((_, i) => ({ sourceIndex: i, start: 0, end: -1 }));
  const part = (index: number): PartSpec => ({ ranges: whole, shard: { index, count: threads } });
  const others = Array.from({ length: threads - 1 }, (_, i) => startRecordWorker<S>({ jobModule: String(jobModule), options, sources, part: part(i + 1) }).done);
  const job = mod.create(options, part(0).shard);
  const stats = await readPart(sources, part(0), job, progress, mod.shardKey!(options)!);
  for (const r of await Promise.all(others)) {
    if (r === null) continue;
    job.merge(r.snapshot);
    addStats(stats, r.stats);
  }
  return { job, stats, threadsUsed: threads - 1 };
}

/** The claimed-chunks path (see `mergeInAnyOrder`): the main thread reads into `job` itself. */
async function readClaimed<O, S>(
  sources: readonly Source[],
  jobModule: URL | string,
  options: O,
  job: RecordJob<S>,
  threads: number,
  total: number,
  onProgress: ((bytesDone: number, bytesTotal: number) => void) | undefined,
): Promise<ReadRecordsResult<S>> {
  const chunks = planChunks(sources, threads);
  const queue = new WorkQueue(threads - 1);
  // Bytes read by every thread, so that the main thread's progress counts the workers' reads.
  const progressShared = new SharedArrayBuffer(8);
  const bytesDone = new BigInt64Array(progressShared);
  const workers = Array.from({ length: threads - 1 }, (_, index) => {
    const claimed: ClaimedSpec = { chunks, shared: queue.shared, index, progress: progressShared };
    return startRecordWorker<S>({ jobModule: String(jobModule), options, sources, claimed });
  });
  const stats = emptyStats();
  const progress = (n: number): void => {
    const sum = Atomics.add(bytesDone, 0, BigInt(n)) + BigInt(n);
    onProgress?.(Number(sum), total);
  };
  withRangeReader(job, stats, (read) => drainQueue(queue, chunks, sources, () => 0, (src, start, end) => read(src, start, end, progress)));
  const results = await finishWorkers(queue, workers);
  for (const r of results) {
    job.merge(r.snapshot);
    addStats(stats, r.stats);
  }
  onProgress?.(Number(Atomics.load(bytesDone, 0)), total);
  return { job, stats, threadsUsed: results.length };
}

/** What record-worker.ts posts. */
type WorkerMessage<S> = { type: 'progress'; bytes: number } | { type: 'done'; snapshot: S; stats: ReadStats } | { type: 'skipped' };

/** Starts a record worker; `done` is its snapshot and stats, or null when it was cancelled (claimed path). */
function startRecordWorker<S>(workerData: RecordWorkerInput, progress?: (n: number) => void): StartedWorker<{ snapshot: S; stats: ReadStats }> {
  const worker = new Worker(new URL('./record-worker.js', import.meta.url), { workerData });
  const isResult = (m: WorkerMessage<S>): m is Exclude<WorkerMessage<S>, { type: 'progress' }> => m.type !== 'progress';
  const onProgress = (m: WorkerMessage<S>): void => {
    if (m.type === 'progress') progress?.(m.bytes);
  };
  const done = workerResult(worker, 'record worker', isResult, onProgress).then((m) => (m.type === 'done' ? { snapshot: m.snapshot, stats: m.stats } : null));
  return { worker, done };
}
