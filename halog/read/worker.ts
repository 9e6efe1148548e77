import { parentPort, workerData } from 'node:worker_threads';
import type { HalogOptions } from '../cli/options.js';
import { LineEngine } from '../engine.js';
import { LineAssembler, readRange } from './chunks.js';
import type { Range } from './split.js';
import type { Source } from './sources.js';

/** A worker thread: runs the engine over its ranges and posts its partial aggregates. */
interface WorkerInput {
  options: HalogOptions;
  sources: Source[];
  ranges: Range[];
}

const { options, sources, ranges } = workerData as WorkerInput;
const engine = new LineEngine(options, {
  write: () => {
    throw new Error('line-printing modes never run in worker threads');
  },
});
const asm = new LineAssembler((buf, end) => engine.processLines(buf, 0, end));
for (const r of ranges) readRange(sources[r.sourceIndex]!, r.start, r.end, asm);
parentPort!.postMessage(engine.agg.snapshot());
