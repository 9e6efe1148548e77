import type { HalogOptions } from '../cli/options.js';
import { LineEngine } from '../engine.js';
import { Aggregates, type AggregatesSnapshot, type LineMessage } from '../report/aggregates.js';
import { takeScanBuffer } from '../parse/bytes.js';
import { CHUNK_SIZE, LineAssembler, readRange } from './chunks.js';
import type { Source } from './sources.js';
import { startWorkers } from './start-workers.js';
import { LineNumbering, WorkQueue, drainQueue, finishWorkers, planChunks } from './work-queue.js';

/**
 * Reads the inputs on the main thread and `threads - 1` worker threads, all claiming chunks
 * from one queue (work-queue.ts), and returns the merged aggregates: the same report as one
 * thread, since every aggregate is a sum or a count, and warnings are renumbered and put back
 * in input order.
 */
export async function runParallel(options: HalogOptions, sources: readonly Source[], threads: number): Promise<Aggregates> {
  const chunks = planChunks(sources, threads);
  const queue = new WorkQueue(threads - 1);
  const others = startWorkers<AggregatesSnapshot>('./parallel-worker.js', options, sources, chunks, queue, threads - 1);
  const engine = new LineEngine(options, {
    write: () => {
      throw new Error('line-printing modes never run in parallel');
    },
  });
  const asm = new LineAssembler((buf, end) => engine.processLines(buf, 0, end), takeScanBuffer(CHUNK_SIZE));
  const mine = drainQueue(queue, chunks, sources, () => engine.agg.lineNum, (s, start, end) => readRange(s, start, end, asm));
  const results = await finishWorkers(queue, others);
  const agg = engine.agg;
  const numbering = new LineNumbering(chunks.length, [mine, ...results.map((r) => r.chunks)]);
  const messages: LineMessage[] = agg.messages.map((m) => ({ ...m, line: numbering.globalLine(mine, m.line) }));
  for (const r of results) {
    for (const m of r.result.messages) messages.push({ ...m, line: numbering.globalLine(r.chunks, m.line) });
    agg.merge({ ...r.result, messages: [] });
  }
  messages.sort((a, b) => a.line - b.line);
  agg.messages.length = 0;
  for (const m of messages) agg.messages.push(m);
  return agg;
}
