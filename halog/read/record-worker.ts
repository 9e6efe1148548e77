/**
 * Worker thread of record-reader.ts: imports the job module, runs `create(options)` over its
 * part, posts `{ type: 'progress', bytes }` per read and finally `{ type: 'done', snapshot, stats }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordJob, RecordJobModule, RecordWorkerInput } from './record-reader.js';
import { lingerAfterResult } from './linger.js';
import { emptyStats, readPart, withRangeReader, type ReadStats } from './record-part.js';
import { WorkQueue, drainQueue } from './work-queue.js';

const { jobModule, options, sources, part, claimed } = workerData as RecordWorkerInput;
if (claimed) {
  // Claimed chunks: enter first, so that a run the main thread already finished can drop this thread.
  const queue = new WorkQueue(0, claimed.shared);
  if (!queue.enter(claimed.index)) parentPort!.postMessage({ type: 'skipped' });
  else {
    const mod = (await import(jobModule)) as RecordJobModule;
    const job = mod.create(options);
    const stats = emptyStats();
    const bytesDone = new BigInt64Array(claimed.progress);
    const isFull = job.stopWhenFull?.();
    withRangeReader(job, stats, (read) =>
      drainQueue(
        queue,
        claimed.chunks,
        sources,
        () => 0,
        (src, start, end) => read(src, start, end, (n) => Atomics.add(bytesDone, 0, BigInt(n))),
        isFull,
      ),
    );
    send(job, stats);
  }
} else {
  const mod = (await import(jobModule)) as RecordJobModule;
  const job = part!.shard ? mod.create(options, part!.shard) : mod.create(options);
  const key = part!.shard ? (mod.shardKey?.(options) ?? undefined) : undefined;
  const stats = await readPart(sources, part!, job, (bytes) => parentPort!.postMessage({ type: 'progress', bytes }), key);
  send(job, stats);
}

/** Posts the job's snapshot, moving the buffers the job lists instead of copying them. */
function send(job: RecordJob, stats: ReadStats): void {
  const snapshot = job.snapshot();
  parentPort!.postMessage({ type: 'done', snapshot, stats }, job.transferList?.(snapshot) ?? []);
  lingerAfterResult();
}
