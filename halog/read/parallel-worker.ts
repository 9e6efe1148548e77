import { parentPort, workerData } from 'node:worker_threads';
import { LineEngine } from '../engine.js';
import type { AggregatesSnapshot } from '../report/aggregates.js';
import { snapshotBuffers } from '../report/key-table.js';
import { takeScanBuffer } from '../parse/bytes.js';
import { CHUNK_SIZE, LineAssembler, readRange } from './chunks.js';
import type { ParallelWorkerInput, ParallelWorkerOutput } from './start-workers.js';
import { WorkQueue, drainQueue } from './work-queue.js';

/** A worker thread of parallel.ts: runs the engine over the chunks it claims, posts its partial aggregates. */
const { options, sources, chunks, shared, index } = workerData as ParallelWorkerInput;
const queue = new WorkQueue(0, shared);
let output: ParallelWorkerOutput<AggregatesSnapshot> = null;
if (queue.enter(index)) {
  const engine = new LineEngine(options, {
    write: () => {
      throw new Error('line-printing modes never run in worker threads');
    },
  });
  const asm = new LineAssembler((buf, end) => engine.processLines(buf, 0, end), takeScanBuffer(CHUNK_SIZE));
  const done = drainQueue(queue, chunks, sources, () => engine.agg.lineNum, (s, start, end) => readRange(s, start, end, asm));
  output = { result: engine.agg.snapshot(), chunks: done };
}
// The tables' arrays are fresh copies: moved to the main thread, not copied again.
parentPort!.postMessage(output, output ? [...snapshotBuffers(output.result.urls), ...snapshotBuffers(output.result.servers)] : []);
