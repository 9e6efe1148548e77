import { parentPort, workerData } from 'node:worker_threads';
import { countRange } from './count-lines.js';
import type { Range } from './split.js';
import type { Source } from './sources.js';

/**
 * A worker thread for halog's `-c` fast path: counts the lines of its ranges. Kept apart from
 * worker.ts so it loads only the counter, not the engine (thread start-up is most of a
 * 1 GB count).
 */
const { sources, ranges } = workerData as { sources: Source[]; ranges: Range[] };
let count = 0;
for (const r of ranges) count += countRange(sources[r.sourceIndex]!, r.start, r.end);
parentPort!.postMessage(count);
