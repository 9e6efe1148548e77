import { hasLineReport, type HalogOptions } from './cli/options.js';
import { buildFilters } from './filter/index.js';
import { SKIP_LINE, type LineEnv, type LineFilter } from './filter/types.js';
import { fieldStart, indexBefore } from './parse/bytes.js';
import { Dist } from './parse/layout.js';
import { newLineContext, type LineContext } from './parse/line-context.js';
import { Aggregates } from './report/aggregates.js';
import { acceptHoleLine } from './report/accept-holes.js';
import { captureLine, echoLine } from './report/capture.js';
import { clientLine } from './report/clients.js';
import { countStatusLine } from './report/count-status.js';
import { countServerLine } from './report/servers.js';
import { codePairLine } from './report/term-codes.js';
import { timerLine } from './report/timers.js';
import { urlLine } from './report/urls.js';

type LineHandler = (ctx: LineContext, env: LineEnv) => void;

const NL = 0x0a;
const OPEN_BRACKET = 0x5b;

/**
 * The per-line work a run does, chosen once from the options in halog's priority order:
 * accept holes, timers, statuses, cookie codes, termination codes, servers, URLs, a bare
 * count, or printing the line. `-ic` and `-hdr` take precedence over any of them except
 * the bare count, as in halog's main loop.
 */
export function chooseLineHandler(o: HalogOptions): LineHandler | null {
  if (o.countOnly && !hasLineReport(o)) return null;
  let handler: LineHandler = echoLine;
  if (o.accCount || o.accDelay) handler = acceptHoleLine;
  else if (o.graphTimers || o.percentile) handler = timerLine(o.graphTimers);
  else if (o.countStatus) handler = countStatusLine;
  else if (o.countCookCodes) handler = codePairLine(2);
  else if (o.countTermCodes) handler = codePairLine(0);
  else if (o.countSrv) handler = countServerLine;
  else if (o.urlSort) handler = urlLine(o.preserveQuery);
  if (o.ipCount) return clientLine;
  if (o.extractCapture) return captureLine(o.captureBlock, o.captureField);
  return handler;
}

/** True when the run prints while it reads, so its input cannot be split across threads. */
export function printsLines(o: HalogOptions): boolean {
  const h = chooseLineHandler(o);
  return h === echoLine || (o.extractCapture && h !== null && !o.ipCount);
}

export interface EngineSinks {
  /** stdout bytes of line-printing modes. */
  write(buf: Uint8Array, start: number, end: number): void;
}

/**
 * Runs the filters and the per-line report over buffers of complete lines. One engine per
 * thread; its `agg` is the partial result.
 */
export class LineEngine implements LineEnv {
  readonly options: HalogOptions;
  readonly agg: Aggregates;
  readonly #filters: LineFilter[];
  readonly #handler: LineHandler | null;
  readonly #ctx = newLineContext();
  readonly #sinks: EngineSinks;
  readonly #acceptDistance: number;
  readonly #linesMax: number;
  stopped = false;

  constructor(options: HalogOptions, sinks: EngineSinks) {
    this.options = options;
    this.agg = new Aggregates(options.urlSort !== null || options.ipCount);
    this.#filters = buildFilters(options);
    this.#handler = chooseLineHandler(options);
    this.#sinks = sinks;
    this.#acceptDistance = Dist.sourceFromLineStart + options.skipFields + 1;
    this.#linesMax = options.linesMax;
  }

  truncated(ctx: LineContext): void {
    if (this.options.quiet) return;
    this.agg.messages.push({
      kind: 'truncated',
      line: ctx.lineNum,
      text: Buffer.from(ctx.buf.subarray(ctx.start, ctx.end)).toString('latin1'),
    });
  }

  write(buf: Uint8Array, start: number, end: number): void {
    this.#sinks.write(buf, start, end);
  }

  /**
   * Processes the lines of `buf[start, end)`; the last one may lack its newline only at the
   * end of the input. Returns false once `-m` says to stop.
   */
  processLines(buf: Buffer, start: number, end: number): boolean {
    let p = start;
    let nul = nextNul(buf, p, end);
    while (p < end) {
      let nl = indexBefore(buf, NL, p, end);
      if (nl < 0) nl = end;
      let lineEnd = nl;
      if (nul < nl) {
        // halog's lines are C strings: a NUL byte ends the line for every purpose.
        lineEnd = nul;
        nul = nextNul(buf, nl + 1, end);
      }
      if (!this.#line(buf, p, lineEnd, nl, end)) {
        this.stopped = true;
        return false;
      }
      p = nl + 1;
    }
    return true;
  }

  #line(buf: Buffer, start: number, end: number, newline: number, dataEnd: number): boolean {
    const ctx = this.#ctx;
    const agg = this.agg;
    ctx.buf = buf;
    ctx.start = start;
    ctx.end = end;
    ctx.newline = newline;
    ctx.dataEnd = dataEnd;
    ctx.lineNum = ++agg.lineNum;
    ctx.time = -1;
    let accept: number;
    if (this.options.ipCount) {
      ctx.source = fieldStart(buf, start, end, this.#acceptDistance - 1);
      accept = fieldStart(buf, ctx.source, end, Dist.acceptFromSource);
    } else {
      accept = fieldStart(buf, start, end, this.#acceptDistance);
    }
    if (accept >= end || buf[accept] !== OPEN_BRACKET || accept + 1 >= end) {
      agg.parseErrors++;
      return true;
    }
    const day = buf[accept + 1]!;
    if (day < 0x30 || day > 0x33) {
      agg.parseErrors++;
      return true;
    }
    ctx.accept = accept;
    let test = 1;
    const filters = this.#filters;
    for (let i = 0; i < filters.length; i++) {
      const v = filters[i]!(ctx, this);
      if (v === SKIP_LINE) return true;
      test &= v;
    }
    if (this.options.invert) test ^= 1;
    if (!test) return true;
    if (this.#handler) this.#handler(ctx, this);
    else agg.linesOut++;
    return !(this.#linesMax >= 0 && agg.linesOut >= this.#linesMax);
  }
}

function nextNul(buf: Buffer, from: number, end: number): number {
  const n = buf.indexOf(0, from);
  return n < 0 || n > end ? end + 1 : n;
}
