/**
 * `detect` on several threads without reading the input once per thread: this thread reads
 * every buffer, finds every line end and every line's client (hashed by the scanner's `route`,
 * halog/parse/wasm-route.ts, or detector.ts shardKey, which agree; the hash picks the thread:
 * bucketShards), judges its own clients' lines and hands each
 * worker where its clients' lines are through a ring of shared slots (dispatch-ring.ts,
 * dispatch-worker.ts). A client's lines all reach one Detector, in input order, so the report
 * is that of one thread exactly, as with the record reader's sharded path
 * (halog/read/record-reader.ts), for which each thread read the whole input: a worker there
 * also read, split and located every line of the input, ~0.9 CPU-s per GB per thread on the
 * bench log. (On this 2-core VM the two designs measured alike: docs/detection.md.)
 *
 * Seekable inputs only (regular, uncompressed files): stdin and gzip take the record reader.
 */
import { Worker } from 'node:worker_threads';
import { indexBefore, releaseScanBuffer, routeLines, scanRouteOut, takeScanBuffer } from '../parse/bytes.js';
import { ROUTE_CELLS } from '../parse/wasm-route.js';
import { LogRecord } from '../parse/record.js';
import { CHUNK_SIZE, LineAssembler } from '../read/chunks.js';
import { workerResult } from '../read/linger.js';
import { readAt, type Source } from '../read/sources.js';
import { create, shardKey, type DetectOptions, type Detector } from './detector.js';
import { feedLines, JudgeFailed, LINE_CELLS, RingWriter } from './dispatch-ring.js';
import type { DispatchWorkerInput, JudgeDone } from './dispatch-worker.js';

/**
 * Inputs smaller than this are judged on one thread even when dispatchDetect could take them
 * (env HALOG_PARALLEL_MIN_BYTES overrides it). A second thread costs ~0.4 s before it pays:
 * its own start, its own compiling (~0.5 CPU-s) and warm-up, on cores the first thread's are
 * also using. Prefixes of the 1 GB bench log on this 2-core VM, 4 interleaved rounds, median
 * wall s, one thread against two: 10 MB 0.72 / 1.04, 100 MB 1.06 / 1.30, 150 MB 1.66 / 1.70,
 * 200 MB 2.1 / 1.98, 300 MB 2.1 / 1.91, 1 GB 5.4 / 3.9.
 */
export const DISPATCH_MIN_BYTES = 128 << 20;

/** Whether dispatchDetect can read these inputs with these options. */
export function canDispatch(sources: readonly Source[], options: DetectOptions): boolean {
  return sources.length > 0 && sources.every((s) => s.seekable) && shardKey(options) !== null;
}

interface Judge {
  worker: Worker;
  ring: RingWriter;
  done: Promise<JudgeDone>;
}

function startJudge(options: DetectOptions, sources: readonly Source[], index: number, count: number): Judge {
  const ring = new RingWriter();
  const workerData: DispatchWorkerInput = { options, sources, shard: { index, count }, ring: ring.memory };
  const worker = new Worker(new URL('./dispatch-worker.js', import.meta.url), { workerData });
  // Its only message is its result.
  const done = workerResult(worker, 'detect worker', (_m: JudgeDone): _m is JudgeDone => true);
  // Awaited only once this thread has read everything: a failure before then is not unhandled.
  done.catch(() => undefined);
  return { worker, ring, done };
}

/**
 * Detects over `sources` on `threads` threads (this one and threads - 1 workers); the Detector
 * of this thread, with every worker's suspects, stats and client count added (with --explain,
 * their snapshots merged in).
 */
export async function dispatchDetect(sources: readonly Source[], options: DetectOptions, threads: number): Promise<Detector> {
  const count = threads;
  const judges = Array.from({ length: count - 1 }, (_, i) => startJudge(options, sources, i + 1, count));
  try {
    const job = create(options, { index: 0, count });
    readAll(sources, job, judges, shardKey(options)!);
    for (const j of judges) j.ring.close();
    // This thread's clients are final: judged now, while the workers judge theirs. With
    // --explain the explained client's state must stay (and come from a worker if it is
    // theirs): only the clean ones go, and the workers send snapshots.
    if (options.explain == null) job.settle();
    else job.dropClean();
    // In shard order, as the record reader's sharded path merges (the clients are disjoint).
    for (const s of await Promise.all(judges.map((j) => j.done))) {
      if ('judged' in s) job.addJudged(s.judged);
      else job.merge(s.snapshot);
    }
    return job;
  } catch (e) {
    await Promise.all(judges.map((j) => j.worker.terminate()));
    if (e instanceof JudgeFailed) {
      // The worker's own error says what went wrong.
      for (const r of await Promise.allSettled(judges.map((j) => j.done))) if (r.status === 'rejected') throw r.reason;
    }
    throw e;
  }
}

/** Client hash buckets, shared out between the threads by bucketShards. */
const BUCKETS = 64;
/**
 * This thread's share of the clients against a worker's: it also reads every buffer and
 * routes every line, which since the scanner's `route` (halog/parse/wasm-route.ts) costs
 * ~0.2 s a GB. 1 GB, two threads, time each thread waited for the other in Atomics.wait (two
 * runs each): at 0.85 this thread waited 33 and 446 ms for the judge, at 1.05 neither waited
 * more than 67 ms, at 1.25 the judge waited 410 and 607 ms for lines. (Before `route`, 0.85
 * had the threads done reading with 0.2-0.3 s of CPU between them.)
 */
const READER_SHARE = 1.05;

/** The thread (0: this one) of each client hash bucket: buckets in proportion to each thread's share. */
function bucketShards(threads: number): Uint8Array {
  const shardOf = new Uint8Array(BUCKETS);
  const mine = Math.round((BUCKETS * READER_SHARE) / (READER_SHARE + threads - 1));
  for (let b = mine; b < BUCKETS; b++) shardOf[b] = 1 + ((b - mine) % (threads - 1));
  return shardOf;
}

/** Reads every input on this thread: shard 0's lines go to `job`, the others' to their judges. */
function readAll(sources: readonly Source[], job: Detector, judges: readonly Judge[], key: (buf: Buffer, start: number, end: number) => number): void {
  const shardOf = bucketShards(judges.length + 1);
  const rec = new LogRecord();
  let mine = new Int32Array(1 << 16);
  /** This thread's lines of the current buffer. */
  let n = 0;
  /**
   * Line [start, end) goes to the thread of client hash `h` (-1: no client, this thread counts
   * it), with where its client field and accept date start (-1: unknown) for parseRecordAt.
   */
  const route = (start: number, end: number, h: number, client: number, accept: number): void => {
    const shard = h < 0 ? 0 : shardOf[h & (BUCKETS - 1)]!;
    if (shard === 0) {
      const c = LINE_CELLS * n;
      if (c + LINE_CELLS > mine.length) {
        const more = new Int32Array(mine.length * 2);
        more.set(mine);
        mine = more;
      }
      mine[c] = start;
      mine[c + 1] = end;
      mine[c + 2] = client;
      mine[c + 3] = accept;
      n++;
    } else judges[shard - 1]!.ring.push(start, end, client, accept);
  };
  /** The lines of `buf[p, end)` routed in JavaScript (shardKey); returns `end`. */
  const routeJs = (buf: Buffer, p: number, end: number): number => {
    while (p < end) {
      let nl = indexBefore(buf, 0x0a, p, end);
      if (nl < 0) nl = end;
      let e = nl;
      if (e > p && buf[e - 1] === 0x0d) e--;
      if (e > p) route(p, e, key(buf, p, e), -1, 0);
      p = nl + 1;
    }
    return end;
  };
  let source = 0;
  /** File offset of the first byte the assembler has not handed over yet. */
  let next = 0;
  const onBuffer = (buf: Buffer, end: number): boolean => {
    const base = next;
    next += end;
    for (const j of judges) j.ring.begin(end, source, base);
    n = 0;
    // In the scan buffer (every read buffer but one grown for a line longer than a read), the
    // scanner finds the lines and hashes their clients, many lines per call.
    for (let p = 0; p < end; ) {
      const after = routeLines(buf, p, end);
      if (after < 0) {
        p = routeJs(buf, p, end);
        continue;
      }
      const out = scanRouteOut;
      for (let i = 1, stop = 1 + ROUTE_CELLS * out[0]!; i < stop; i += ROUTE_CELLS) route(out[i]!, out[i + 1]!, out[i + 2]!, out[i + 3]!, out[i + 4]!);
      p = after;
    }
    // The judges get their lines before this thread judges its own.
    for (const j of judges) j.ring.finish();
    job.lineSource(sources[source]!, base);
    feedLines(job, rec, buf, mine, n);
    return true;
  };
  const scan = takeScanBuffer(CHUNK_SIZE);
  const asm = new LineAssembler(onBuffer, scan);
  try {
    for (source = 0; source < sources.length; source++) {
      const src = sources[source]!;
      next = 0;
      for (let pos = 0; ; ) {
        const space = asm.space();
        const n = readAt(src, space, 0, space.length, pos);
        if (n === 0) break;
        pos += n;
        asm.commit(n);
      }
      asm.end();
    }
  } finally {
    releaseScanBuffer(scan);
  }
}
