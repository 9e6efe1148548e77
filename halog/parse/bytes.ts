/**
 * Byte-level primitives that reproduce how HAProxy's halog 2.6 walks a log line.
 *
 * halog works on NUL-terminated C strings; here a line is `buf[start, end)` and any
 * position at or past `end` reads as NUL. Each function mirrors one halog primitive
 * exactly, quirks included, because the output must be byte-identical to the real tool.
 * No regexes and no strings: these run once or more per line on multi-GB inputs.
 */

import { simdScanner } from './simd-scan.js';

const SPACE = 0x20;

/**
 * The buffer of this thread's SIMD scanner (simd-scan.ts) and its walkers: `fieldStart`,
 * `fieldStop` and `indexBefore` on that buffer run in WebAssembly (on the benchmark log a
 * line's walks take about half the time of the JavaScript ones below), on any other buffer in
 * JavaScript.
 */
let scanBuf: Uint8Array | null = null;
let scanField: (p: number, end: number, n: number) => number = () => -1;
let scanFind: (p: number, end: number, byte: number) => number = () => -1;
let scanRecordFn: (start: number, end: number) => number = () => 0;
let scanRecordAtFn: (start: number, end: number, clientStart: number, accept: number) => number = () => 0;
let scanRouteFn: (from: number, to: number) => number = () => -1;
let scanTaken = false;
/** Where the scanner's `record` leaves a line's fields (simd-scan.ts, wasm-record.ts RecordOut). */
export let scanRecordOut: Int32Array = new Int32Array(0);
/** Where the scanner's `route` leaves a buffer's lines: the count, then ROUTE_CELLS cells a line (wasm-route.ts). */
export let scanRouteOut: Int32Array = new Int32Array(1);

/**
 * A buffer of `size` bytes for a line reader to read into so that the walkers here run on
 * SIMD; null while another reader of this thread holds it (two readers must not share one
 * buffer) or where WebAssembly SIMD is unavailable. A reader that is done gives it back with
 * releaseScanBuffer, so the next input of the thread is read into it too.
 */
export function takeScanBuffer(size: number): Buffer | null {
  if (scanTaken) return null;
  if (scanBuf === null) {
    const s = simdScanner(size);
    if (s === null) return null;
    scanBuf = s.buffer;
    scanField = s.field;
    scanFind = s.find;
    scanRecordFn = s.record;
    scanRecordAtFn = s.recordAt;
    scanRecordOut = s.recordOut;
    scanRouteFn = s.route;
    scanRouteOut = s.routeOut;
  }
  if (scanBuf.length < size) return null;
  scanTaken = true;
  return scanBuf as Buffer;
}

/** Gives back the buffer takeScanBuffer gave (a no-op for null). */
export function releaseScanBuffer(buf: Buffer | null): void {
  if (buf !== null && buf === scanBuf) scanTaken = false;
}

/**
 * The scanner's walk of a whole traffic line (wasm-record.ts) when `buf[start, end)` is in the
 * scan buffer: 1 (httplog) or 2 (tcplog) with the fields in `scanRecordOut`; 0 when the line
 * is elsewhere or not of the common shape (record.ts then walks it in JavaScript).
 */
export function scanRecord(buf: Uint8Array, start: number, end: number): number {
  return buf === scanBuf ? scanRecordFn(start, end) : 0;
}

/**
 * scanRecord for a line whose client field and accept date start where `route` found them
 * (scanRouteOut): the same result without walking the syslog header again.
 */
export function scanRecordAt(buf: Uint8Array, start: number, end: number, clientStart: number, accept: number): number {
  return buf === scanBuf ? scanRecordAtFn(start, end, clientStart, accept) : 0;
}

/**
 * The scanner's `route` (wasm-route.ts) when `buf` is the scan buffer: the next lines of
 * `buf[from, to)` with their client hashes in `scanRouteOut`, and where the line after them
 * starts; -1 for any other buffer.
 */
export function routeLines(buf: Uint8Array, from: number, to: number): number {
  return buf === scanBuf ? scanRouteFn(from, to) : -1;
}

/** Bytes indexBefore tests itself before it hands the rest of the range to indexOf. */
const NEAR = 512;

/** The first `byte` in `buf[p, end)`, or -1. */
export function indexBefore(buf: Uint8Array, byte: number, p: number, end: number): number {
  if (buf === scanBuf) {
    const i = scanFind(p, end, byte);
    return i < end ? i : -1;
  }
  // Never search past `end`: an unbounded indexOf for a byte a line lacks (a quote, say)
  // would run to the end of the 4 MiB chunk for every such line, quadratic on hostile input.
  // A short loop finds most hits (capture blocks and requests are 20 to 200 bytes, where a
  // native indexOf() call costs more than the scan): 4 bytes per step (SWAR, as skipWord does
  // for spaces), then byte by byte. The bounded native search (one view) takes long ranges.
  const stop = Math.min(end, p + NEAR);
  const dv = viewOf(buf);
  const pattern = Math.imul(byte, 0x01010101);
  let i = p;
  while (i + 4 <= stop) {
    const x = dv.getUint32(i, true) ^ pattern;
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
    i += 4;
  }
  for (; i < stop; i++) if (buf[i] === byte) return i;
  if (stop >= end) return -1;
  const far = buf.subarray(stop, end).indexOf(byte);
  return far < 0 ? -1 : stop + far;
}

/** Byte at `p`, or 0 past the end of the line (halog's terminating NUL). */
export function at(buf: Uint8Array, p: number, end: number): number {
  return p < end ? buf[p]! : 0;
}

/**
 * Position of the `field`-th space-separated field counting the one at (or after the
 * spaces at) `p` as field 1; `end` when the line ends first. Only 0x20 separates fields
 * and runs of spaces count as one, like awk but without tabs.
 */
export function fieldStart(buf: Uint8Array, p: number, end: number, field: number): number {
  if (buf === scanBuf) return scanField(p, end, field);
  const view = viewOf(buf);
  for (;;) {
    while (p < end && buf[p] === SPACE) p++;
    if (p >= end) return end;
    if (--field === 0) return p;
    p = skipWord(buf, view, p, end);
    if (p >= end) return end;
  }
}

let viewBuf: Uint8Array | null = null;
let view: DataView = new DataView(new ArrayBuffer(8));

/** A DataView over `buf`, reused while the same buffer is scanned (one per read chunk). */
export function viewOf(buf: Uint8Array): DataView {
  if (buf !== viewBuf) {
    viewBuf = buf;
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return view;
}

/**
 * Position of the first space at or after `p`, or `end`. Tests 4 bytes per step for a
 * space (SWAR: a zero byte of x ^ 0x20202020), which measured about 1.6x the per-byte
 * loop on the benchmark log, since most fields are 8 to 30 bytes long.
 */
function skipWord(buf: Uint8Array, dv: DataView, p: number, end: number): number {
  while (p + 4 <= end) {
    const x = dv.getUint32(p, true) ^ 0x20202020;
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
    p += 4;
  }
  while (p < end && buf[p] !== SPACE) p++;
  return p;
}

/** First position after the field that starts at `p` (a space or the end of the line). */
export function fieldStop(buf: Uint8Array, p: number, end: number): number {
  if (buf === scanBuf) {
    const s = p < end ? scanFind(p, end, SPACE) : -1;
    return s < 0 ? Math.max(p, end) : s;
  }
  return skipWord(buf, viewOf(buf), p, end);
}

/**
 * halog's `str2ic`: an optional '-', then decimal digits up to the first non-digit,
 * wrapping like a 32-bit C int (no overflow check). `+30` parses as 0.
 */
export function str2ic(buf: Uint8Array, p: number, end: number): number {
  let i = 0;
  if (p < end && buf[p] === 0x2d) {
    p++;
    while (p < end) {
      const d = buf[p]! - 0x30;
      if (d < 0 || d > 9) break;
      i = (Math.imul(i, 10) - d) | 0;
      p++;
    }
  } else {
    while (p < end) {
      const d = buf[p]! - 0x30;
      if (d < 0 || d > 9) break;
      i = (Math.imul(i, 10) + d) | 0;
      p++;
    }
  }
  return i;
}

/** Moves past the next '/' of a timer field, or stops on a separator (any byte <= ' '). */
export function skipTimer(buf: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const c = buf[p]!;
    if (c === 0x2f) return p + 1;
    if (c <= SPACE) return p;
    p++;
  }
  return p;
}

/** True when the byte at `p` ends a timer list (halog's `SEP`: any byte <= ' ', or NUL). */
export function isSep(buf: Uint8Array, p: number, end: number): boolean {
  return p >= end || buf[p]! <= SPACE;
}

/**
 * Parses up to `max` '/'-separated timers starting at `p` into `out`, negative values
 * clamped to -1. Returns how many were found, and sets `out[5]` to 1 when one was negative.
 * `out[6]` receives the position of the last timer parsed (halog continues from there).
 */
export function parseTimers(buf: Uint8Array, p: number, end: number, max: number, out: Int32Array): number {
  let f = 0;
  let err = 0;
  let last = p;
  while (p < end && buf[p]! > SPACE) {
    last = p;
    let v = str2ic(buf, p, end);
    if (v < 0) {
      v = -1;
      err = 1;
    }
    out[f] = v;
    if (++f === max) break;
    p = skipTimer(buf, p, end);
  }
  out[5] = err;
  out[6] = last;
  return f;
}

/** C `atol` followed by a store into a 32-bit int: leading blanks, sign, digits. */
export function atol(text: string): number {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || (text[i]! >= '\t' && text[i]! <= '\r'))) i++;
  let neg = false;
  if (text[i] === '-' || text[i] === '+') {
    neg = text[i] === '-';
    i++;
  }
  let v = 0n;
  while (i < text.length && text[i]! >= '0' && text[i]! <= '9') {
    v = v * 10n + BigInt(text.charCodeAt(i) - 48);
    i++;
  }
  return Number(BigInt.asIntN(32, neg ? -v : v));
}

/**
 * halog's `convert_date`: `[dd/Mon/yyyy:HH:MM:SS.mmm]` to milliseconds of the day; the date
 * part is skipped, so multi-day logs wrap. -1 when the line ends inside the time.
 */
export function convertDate(buf: Uint8Array, p: number, end: number): number {
  for (;;) {
    const c = at(buf, p++, end);
    if (c === 0x3a) break;
    if (c === 0) return -1;
  }
  const parts = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    let v = 0;
    let c: number;
    for (;;) {
      c = (at(buf, p++, end) - 0x30) & 0xff;
      if (c > 9) break;
      v = (v * 10 + c) >>> 0;
    }
    if (c === 0xd0) return -1;
    parts[k] = v;
    if (k === 2 && c === 0xfe) {
      let ms = 0;
      for (;;) {
        c = (at(buf, p++, end) - 0x30) & 0xff;
        if (c > 9) break;
        ms = (ms * 10 + c) >>> 0;
      }
      if (c === 0xd0) return -1;
      return ((((parts[0]! * 60 + parts[1]!) * 60 + parts[2]!) * 1000 + ms) | 0);
    }
  }
  return (((parts[0]! * 60 + parts[1]!) * 60 + parts[2]!) * 1000) | 0;
}
