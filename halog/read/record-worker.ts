/**
 * Worker thread of record-reader.ts: imports the job module, runs `create(options)` over its
 * part, posts `{ type: 'progress', bytes }` per read and finally `{ type: 'done', snapshot, stats }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordJobModule } from './record-reader.js';
import { readPart, type PartSpec } from './record-part.js';
import type { Source } from './sources.js';

interface RecordWorkerInput {
  jobModule: string;
  options: unknown;
  sources: Source[];
  part: PartSpec;
}

const { jobModule, options, sources, part } = workerData as RecordWorkerInput;
const mod = (await import(jobModule)) as RecordJobModule;
const job = mod.create(options);
const stats = await readPart(sources, part, job, (bytes) => parentPort!.postMessage({ type: 'progress', bytes }));
parentPort!.postMessage({ type: 'done', snapshot: job.snapshot(), stats });
