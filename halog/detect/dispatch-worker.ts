/**
 * A judge thread of dispatch.ts: takes where the lines of its clients are from its ring
 * (dispatch-ring.ts) as the reading thread hands them over, reads those buffers again (from
 * the page cache), feeds the lines to its own Detector, and at the end posts what it judged
 * (Detector.judged: its suspects, stats and client count; with --explain, its snapshot). It
 * looks for no line end and no client address: the reading thread did that once for every
 * thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CHUNK_SIZE } from '../read/chunks.js';
import { releaseScanBuffer, takeScanBuffer } from '../parse/bytes.js';
import { LogRecord } from '../parse/record.js';
import { lingerAfterResult } from '../read/linger.js';
import { readAt, type Source } from '../read/sources.js';
import type { ShardSpec } from '../read/record-part.js';
import { create, type DetectOptions, type DetectSnapshot, type JudgedShard } from './detector.js';
import { feedLines, LINE_CELLS, RingReader, SLOT_LINES, type RingMemory } from './dispatch-ring.js';

/** What a judge posts when it is done. */
export type JudgeDone = { readonly judged: JudgedShard } | { readonly snapshot: DetectSnapshot };

export interface DispatchWorkerInput {
  options: DetectOptions;
  sources: readonly Source[];
  shard: ShardSpec;
  ring: RingMemory;
}

const input = workerData as DispatchWorkerInput;
const ring = new RingReader(input.ring);
try {
  const job = create(input.options, input.shard);
  const rec = new LogRecord();
  // Read into this thread's SIMD scan buffer: parseRecord's field walks run there in
  // WebAssembly. A buffer longer than a read (a line longer than 4 MiB) gets one of its own.
  const scan = takeScanBuffer(CHUNK_SIZE);
  const lines = new Int32Array(LINE_CELLS * SLOT_LINES);
  try {
    for (let s = ring.next(); s !== null; s = ring.next()) {
      const src = input.sources[s.source]!;
      const buf = scan !== null && s.bytes <= scan.length ? scan : Buffer.allocUnsafe(s.bytes);
      for (let got = 0; got < s.bytes; ) {
        const n = readAt(src, buf, got, s.bytes - got, s.base + got);
        if (n === 0) throw new Error(`detect: '${src.name}' shrank while it was read`);
        got += n;
      }
      const count = s.count;
      lines.set(s.lines.subarray(0, LINE_CELLS * count));
      // Given back before the lines are judged: the reader fills it meanwhile.
      ring.release();
      job.lineSource(src, s.base);
      feedLines(job, rec, buf, lines, count);
    }
  } finally {
    releaseScanBuffer(scan);
  }
  // --explain prints the client's line decisions from the reading thread's table: its state
  // must come there. Otherwise the judged suspects are all that is needed.
  const done: JudgeDone = input.options.explain == null ? { judged: job.judged() } : { snapshot: job.snapshot() };
  parentPort!.postMessage(done);
  lingerAfterResult();
} catch (e) {
  ring.fail();
  throw e;
}
