import { parentPort, workerData } from 'node:worker_threads';
import { countRange } from './count-lines.js';
import type { ParallelWorkerInput, ParallelWorkerOutput } from './start-workers.js';
import { WorkQueue, drainQueue } from './work-queue.js';

/**
 * A worker thread for halog's `-c` fast path: counts the lines of the chunks it claims. Kept
 * apart from parallel-worker.ts so it loads only the counter, not the engine (thread start-up
 * is most of a 1 GB count).
 */
const { sources, chunks, shared, index } = workerData as ParallelWorkerInput;
const queue = new WorkQueue(0, shared);
let output: ParallelWorkerOutput<number> = null;
if (queue.enter(index)) {
  let count = 0;
  const done = drainQueue(queue, chunks, sources, () => count, (s, start, end) => {
    count += countRange(s, start, end);
  });
  output = { result: count, chunks: done };
}
parentPort!.postMessage(output);
