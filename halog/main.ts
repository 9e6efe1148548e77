#!/usr/bin/env node
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { hasInputFilter, parseOptions, type HalogOptions } from './cli/options.js';
import { helpText, usageText } from './cli/usage.js';
import { LineEngine, chooseLineHandler, printsLines } from './engine.js';
import { OutBuffer } from './output/out-buffer.js';
import { Aggregates } from './report/aggregates.js';
import { printAcceptHoles } from './report/accept-holes.js';
import { printStatusCounts } from './report/count-status.js';
import type { Printer } from './report/print-helpers.js';
import { printServers } from './report/servers.js';
import { printCodePairs } from './report/term-codes.js';
import { printGraph, printPercentiles } from './report/timers.js';
import { printUrlTable } from './report/urls.js';
import { takeScanBuffer } from './parse/bytes.js';
import { CHUNK_SIZE, LineAssembler, readGzip, readRange } from './read/chunks.js';
import { HalogInputError } from './read/errors.js';
import { countParallel, runParallel } from './read/parallel.js';
import { closeSources, openSources, type Source } from './read/sources.js';
import { countLines } from './read/count-lines.js';

/**
 * Below this much input, starting worker threads costs more than it saves.
 * HALOG_PARALLEL_MIN_BYTES overrides it (tests use 0 to exercise the threaded path).
 */
function parallelMinBytes(): number {
  const env = Number.parseInt(process.env.HALOG_PARALLEL_MIN_BYTES ?? '', 10);
  return Number.isFinite(env) && env >= 0 ? env : 32 << 20;
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

function threadCount(): number {
  const env = Number.parseInt(process.env.HALOG_THREADS ?? '', 10);
  return Number.isFinite(env) && env > 0 ? env : availableParallelism();
}

function flushMessages(agg: Aggregates, err: OutBuffer): void {
  for (const m of agg.messages) {
    err.text(m.kind === 'truncated' ? `Truncated line ${m.line}: ${m.text}\n` : `${m.text}\n`);
  }
  agg.messages.length = 0;
}

/** Worker threads to use on these inputs: 1 unless they are big regular files. */
function threadsFor(sources: readonly Source[]): number {
  const threads = threadCount();
  const total = sources.reduce((n, s) => n + s.size, 0);
  return threads > 1 && sources.every((s) => s.seekable) && total >= parallelMinBytes() ? threads : 1;
}

/** halog's `-c` without filters: lines counted, not parsed; -m caps the count. */
async function countOnly(o: HalogOptions, sources: Source[]): Promise<number> {
  if (o.invert) return 0;
  const threads = threadsFor(sources);
  const n = threads > 1 ? await countParallel(o, sources, threads) : await countLines(sources, -1);
  return o.linesMax >= 0 ? Math.min(n, o.linesMax) : n;
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

export async function main(argv: string[]): Promise<number> {
  const err = new OutBuffer(2);
  const parsed = parseOptions(argv);
  if (parsed.kind === 'help') {
    const out = new OutBuffer(1);
    out.text(helpText());
    out.flush();
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    err.text(usageText(parsed.message));
    err.flush();
    return 1;
  }
  const o = parsed.options;
  if (o.ignored.length && !o.quiet) {
    err.text(`halog: ignoring unknown option${o.ignored.length > 1 ? 's' : ''} ${o.ignored.join(' ')} (as HAProxy's halog does); see 'halog --help'\n`);
    err.flush();
  }
  let sources: Source[];
  try {
    sources = openSources(o.files);
  } catch (e) {
    if (e instanceof HalogInputError) {
      err.text(`halog: ${e.message}\n`);
      err.flush();
      return 1;
    }
    throw e;
  }
  const out = new OutBuffer(1);
  try {
    if (o.countOnly && chooseLineHandler(o) === null && !hasInputFilter(o)) {
      // halog counts raw lines without parsing them when nothing needs a field.
      const n = await countOnly(o, sources);
      out.text(`${n}\n`);
      out.flush();
      return 0;
    }
    const agg = await readAll(o, sources, out, err);
    flushMessages(agg, err);
    if (o.countOnly) {
      out.text(`${agg.linesOut}\n`);
    } else {
      choosePrinter(o, agg)?.(agg, out, o.linesMax);
      if (!o.quiet) err.text(`${agg.lineNum} lines in, ${agg.linesOut} lines out, ${agg.parseErrors} parsing errors\n`);
    }
    out.flush();
    err.flush();
    return 0;
  } catch (e) {
    if (e instanceof HalogInputError) {
      out.flush();
      err.text(`halog: ${e.message}\n`);
      err.flush();
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw e;
  } finally {
    closeSources(sources);
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`halog: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
