#!/usr/bin/env node
/**
 * The least any Node.js program pays to answer a halog query on a file: start the runtime and
 * read its standard input (a regular file) once, parsing nothing. halog-vs-real.ts times it
 * next to real `halog -c` to show how much of a gap in the simple modes is Node's own floor.
 *
 * Usage: node dist/test/bench/read-floor.js THREADS < FILE
 * THREADS 1 reads on the main thread; 2 or more also start worker threads that read their own
 * byte range with positional reads of the same descriptor, as our halog does.
 */
import { fstatSync, readSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

/** Our halog reads 4 MiB at a time too (halog/read/chunks.ts); here 1 and 4 MiB read fastest, 64 KiB and 16 MiB slower. */
const CHUNK = 4 << 20;

function readRange(fd: number, start: number, end: number): number {
  const buf = Buffer.allocUnsafe(CHUNK);
  let pos = start;
  while (pos < end) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, end - pos), pos);
    if (n <= 0) break;
    pos += n;
  }
  return pos - start;
}

interface FloorRange {
  start: number;
  end: number;
}

if (isMainThread) {
  const threads = Number(process.argv[2] ?? '1');
  if (!Number.isInteger(threads) || threads < 1) {
    process.stderr.write(`read-floor: THREADS must be a positive integer, got '${process.argv[2]}'\n`);
    process.exit(2);
  }
  const size = fstatSync(0).size;
  const share = Math.ceil(size / threads);
  const others = Array.from({ length: threads - 1 }, (_, i) => {
    const range: FloorRange = { start: share * (i + 1), end: Math.min(size, share * (i + 2)) };
    const worker = new Worker(new URL(import.meta.url), { workerData: range });
    return new Promise<number>((resolve, reject) => {
      worker.once('message', (n: number) => resolve(n));
      worker.once('error', reject);
    });
  });
  const mine = readRange(0, 0, Math.min(size, share));
  Promise.all(others).then(
    (ns) => {
      const total = ns.reduce((a, b) => a + b, mine);
      if (total !== size) {
        process.stderr.write(`read-floor: read ${total} bytes of ${size}\n`);
        process.exitCode = 1;
      }
      process.stdout.write(`${total}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`read-floor: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
} else {
  const { start, end } = workerData as FloorRange;
  parentPort!.postMessage(readRange(0, start, end));
}
