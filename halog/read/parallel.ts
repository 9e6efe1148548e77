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
export async function runParallel(options: HalogOptions, sources: readonly Source[], threads: number): Promise<AggregatesSnapshot[]> {
  const parts = splitRanges(sources, threads);
  const url = new URL('./worker.js', import.meta.url);
  return Promise.all(
    parts.map(
      (ranges) =>
        new Promise<AggregatesSnapshot>((resolve, reject) => {
          const w = new Worker(url, { workerData: { options, sources, ranges } });
          w.once('message', (m: AggregatesSnapshot) => resolve(m));
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`analyzer worker exited with code ${code}`));
          });
        }),
    ),
  );
}
