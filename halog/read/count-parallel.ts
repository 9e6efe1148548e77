import type { HalogOptions } from '../cli/options.js';
import { countRange } from './count-lines.js';
import type { Source } from './sources.js';
import { startWorkers } from './start-workers.js';
import { WorkQueue, drainQueue, finishWorkers, planChunks } from './work-queue.js';

/**
 * halog's `-c` fast path on threads: the main thread and `threads - 1` count-worker.ts
 * threads count the lines of the chunks they claim. Apart from parallel.ts so that a count
 * never loads the line engine (start-up is a large part of a 1 GB count).
 */
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
