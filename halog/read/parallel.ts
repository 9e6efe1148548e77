import { Worker } from 'node:worker_threads';
import type { HalogOptions } from '../cli/options.js';
import { LineEngine } from '../engine.js';
import { Aggregates, type AggregatesSnapshot, type LineMessage } from '../report/aggregates.js';
import { takeScanBuffer } from '../parse/bytes.js';
import { CHUNK_SIZE, LineAssembler, readRange } from './chunks.js';
import { countRange } from './count-lines.js';
import type { Source } from './sources.js';
import { LineNumbering, WorkQueue, drainQueue, finishWorkers, planChunks, type Chunk, type ChunkLines, type StartedWorker } from './work-queue.js';

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
 * Reads the inputs on the main thread and `threads - 1` worker threads, all claiming chunks
 * from one queue (work-queue.ts), and returns the merged aggregates: the same report as one
 * thread, since every aggregate is a sum or a count, and warnings are renumbered and put back
 * in input order.
 */
export async function runParallel(options: HalogOptions, sources: readonly Source[], threads: number): Promise<Aggregates> {
  const chunks = planChunks(sources, threads);
  const queue = new WorkQueue(threads - 1);
  const others = startWorkers<AggregatesSnapshot>('./parallel-worker.js', options, sources, chunks, queue, threads - 1);
  const engine = new LineEngine(options, {
    write: () => {
      throw new Error('line-printing modes never run in parallel');
    },
  });
  const asm = new LineAssembler((buf, end) => engine.processLines(buf, 0, end), takeScanBuffer(CHUNK_SIZE));
  const mine = drainQueue(queue, chunks, sources, () => engine.agg.lineNum, (s, start, end) => readRange(s, start, end, asm));
  const results = await finishWorkers(queue, others);
  const agg = engine.agg;
  const numbering = new LineNumbering(chunks.length, [mine, ...results.map((r) => r.chunks)]);
  const messages: LineMessage[] = agg.messages.map((m) => ({ ...m, line: numbering.globalLine(mine, m.line) }));
  for (const r of results) {
    for (const m of r.result.messages) messages.push({ ...m, line: numbering.globalLine(r.chunks, m.line) });
    agg.merge({ ...r.result, messages: [] });
  }
  messages.sort((a, b) => a.line - b.line);
  agg.messages.length = 0;
  for (const m of messages) agg.messages.push(m);
  return agg;
}

/** Counts the lines of the inputs the same way (halog's `-c` fast path). */
export async function countParallel(options: HalogOptions, sources: readonly Source[], threads: number): Promise<number> {
  const chunks = planChunks(sources, threads);
  const queue = new WorkQueue(threads - 1);
  const others = startWorkers<number>('./count-worker.js', options, sources, chunks, queue, threads - 1);
  let count = 0;
  drainQueue(queue, chunks, sources, () => count, (s, start, end) => {
    count += countRange(s, start, end);
  });
  for (const r of await finishWorkers(queue, others)) count += r.result;
  return count;
}

function startWorkers<T>(
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
    const done = new Promise<ParallelWorkerOutput<T>>((resolve, reject) => {
      worker.once('message', (m: ParallelWorkerOutput<T>) => resolve(m));
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`analyzer worker exited with code ${code}`));
      });
    });
    return { worker, done };
  });
}
