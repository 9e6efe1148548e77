import { Worker } from 'node:worker_threads';
import type { HalogOptions } from '../cli/options.js';
import type { AggregatesSnapshot } from '../report/aggregates.js';
import type { Source } from './sources.js';
import { splitRanges } from './split.js';

/**
 * Reads the inputs on `threads` worker threads, each over its own line-aligned byte ranges,
 * and returns their partial aggregates in input order (the order matters only for the line
 * numbers of warnings).
 */
export function runParallel(options: HalogOptions, sources: readonly Source[], threads: number): Promise<AggregatesSnapshot[]> {
  return runWorkers<AggregatesSnapshot>('lines', options, sources, threads);
}

/** Counts the lines of the inputs on `threads` worker threads (halog's `-c` fast path). */
export async function countParallel(options: HalogOptions, sources: readonly Source[], threads: number): Promise<number> {
  const counts = await runWorkers<number>('count', options, sources, threads);
  return counts.reduce((a, b) => a + b, 0);
}

async function runWorkers<T>(kind: 'lines' | 'count', options: HalogOptions, sources: readonly Source[], threads: number): Promise<T[]> {
  const parts = splitRanges(sources, threads);
  const url = new URL(kind === 'count' ? './count-worker.js' : './worker.js', import.meta.url);
  return Promise.all(
    parts.map(
      (ranges) =>
        new Promise<T>((resolve, reject) => {
          const w = new Worker(url, { workerData: { options, sources, ranges } });
          w.once('message', (m: T) => resolve(m));
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`analyzer worker exited with code ${code}`));
          });
        }),
    ),
  );
}
