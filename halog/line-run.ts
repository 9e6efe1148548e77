import type { HalogOptions } from './cli/options.js';
import { LineEngine, printsLines } from './engine.js';
import type { OutBuffer } from './output/out-buffer.js';
import { takeScanBuffer } from './parse/bytes.js';
import { CHUNK_SIZE, LineAssembler, readGzip, readRange } from './read/chunks.js';
import { runParallel } from './read/parallel.js';
import type { Source } from './read/sources.js';
import { threadsFor } from './read/threads.js';
import type { Aggregates } from './report/aggregates.js';
import { printAcceptHoles } from './report/accept-holes.js';
import { printStatusCounts } from './report/count-status.js';
import type { Printer } from './report/print-helpers.js';
import { printServers } from './report/servers.js';
import { printCodePairs } from './report/term-codes.js';
import { printGraph, printPercentiles } from './report/timers.js';
import { printUrlTable } from './report/urls.js';

/**
 * Every halog run that parses lines: the engine over the inputs (on threads when they are
 * big files and nothing is printed per line), then halog's report and its summary line on
 * stderr. Loaded by main.ts only for such runs, so that a bare `-c` never loads it.
 */
export async function runLines(o: HalogOptions, sources: Source[], out: OutBuffer, err: OutBuffer): Promise<void> {
  const agg = await readAll(o, sources, out, err);
  flushMessages(agg, err);
  if (o.countOnly) {
    out.text(`${agg.linesOut}\n`);
  } else {
    choosePrinter(o, agg)?.(agg, out, o.linesMax);
    if (!o.quiet) err.text(`${agg.lineNum} lines in, ${agg.linesOut} lines out, ${agg.parseErrors} parsing errors\n`);
  }
}

/** halog 2.6's final report, chosen in its priority order. */
function choosePrinter(o: HalogOptions, agg: Aggregates): Printer | null {
  if (o.accCount || o.accDelay) return printAcceptHoles(o.accDelayMs, o.accCountMin);
  if (o.graphTimers) return printGraph;
  if (o.percentile) return printPercentiles;
  if (o.countStatus) return printStatusCounts;
  if (o.countSrv) return printServers;
  if (o.countTermCodes || o.countCookCodes) return printCodePairs;
  if (o.urlSort || o.ipCount) {
    const sort = o.ipCount ? (o.urlSort === 'u' ? 'u' : 'uc') : o.urlSort!;
    return printUrlTable(agg.urls, sort);
  }
  return null;
}

function flushMessages(agg: Aggregates, err: OutBuffer): void {
  for (const m of agg.messages) {
    err.text(m.kind === 'truncated' ? `Truncated line ${m.line}: ${m.text}\n` : `${m.text}\n`);
  }
  agg.messages.length = 0;
}

async function readAll(o: HalogOptions, sources: Source[], out: OutBuffer, err: OutBuffer): Promise<Aggregates> {
  const threads = threadsFor(sources);
  if (threads > 1 && o.linesMax < 0 && !printsLines(o)) {
    return runParallel(o, sources, threads);
  }
  const engine = new LineEngine(o, { write: (b, s, e) => out.bytes(b, s, e) });
  const asm = new LineAssembler((buf, end) => {
    const go = engine.processLines(buf, 0, end);
    if (engine.agg.messages.length) flushMessages(engine.agg, err);
    return go;
  }, takeScanBuffer(CHUNK_SIZE));
  for (const s of sources) {
    const go = s.gzip ? await readGzip(s, asm) : readRange(s, 0, -1, asm);
    if (!go) break;
  }
  return engine.agg;
}
