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
const job = part.shard ? mod.create(options, part.shard) : mod.create(options);
const key = part.shard ? (mod.shardKey?.(options) ?? undefined) : undefined;
const stats = await readPart(sources, part, job, (bytes) => parentPort!.postMessage({ type: 'progress', bytes }), key);
parentPort!.postMessage({ type: 'done', snapshot: job.snapshot(), stats });
