import { Worker } from 'node:worker_threads';
import type { HalogOptions } from '../cli/options.js';
import { workerResult } from './linger.js';
import type { Source } from './sources.js';
import type { Chunk, ChunkLines, StartedWorker, WorkQueue } from './work-queue.js';

/** What a worker thread is given (parallel-worker.ts and count-worker.ts). */
export interface ParallelWorkerInput {
  options: HalogOptions;
  sources: Source[];
  chunks: Chunk[];
  shared: SharedArrayBuffer;
  index: number;
}

/** What it sends back: null when it was cancelled before it claimed anything. */
export type ParallelWorkerOutput<T> = { result: T; chunks: ChunkLines[] } | null;

/**
 * Starts `count` workers running `script` (a module of this folder) on the chunks of `queue`;
 * each resolves with its result and the chunks it read, or null when it was cancelled before
 * it claimed one.
 */
export function startWorkers<T>(
  script: string,
  options: HalogOptions,
  sources: readonly Source[],
  chunks: readonly Chunk[],
  queue: WorkQueue,
  count: number,
): StartedWorker<{ result: T; chunks: ChunkLines[] }>[] {
  return Array.from({ length: count }, (_, index) => {
    const input: ParallelWorkerInput = { options, sources: [...sources], chunks: [...chunks], shared: queue.shared, index };
    const worker = new Worker(new URL(script, import.meta.url), { workerData: input });
    // Its only message is its result (null: cancelled before it claimed a chunk).
    const done = workerResult(worker, 'analyzer worker', (_m: ParallelWorkerOutput<T>): _m is ParallelWorkerOutput<T> => true);
    return { worker, done };
  });
}
