import { fieldStart, indexBefore, str2ic } from '../parse/bytes.js';
import { Dist } from '../parse/layout.js';
import type { LineContext } from '../parse/line-context.js';
import type { LineEnv } from '../filter/types.js';
import { fiveTimers } from '../filter/locate.js';
import type { UrlSort } from '../cli/options.js';
import type { OutBuffer } from '../output/out-buffer.js';
import type { KeyTable } from './key-table.js';
import { UrlCol, URL_COLUMNS } from './aggregates.js';
import { reachedMax, u64, type Printer } from './print-helpers.js';

const timers = new Int32Array(7);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const NEWLINE = 0x0a;

/**
 * `-u*`: per URL. The URL is the word after the quoted method, found by skipping capture
 * blocks field by field (HAProxy encodes quotes inside captures, so a field starting with
 * '"' is the request); without one (`"<BADREQ>"`) the quoted word itself is the key.
 */
export function urlLine(preserveQuery: boolean) {
  return (ctx: LineContext, env: LineEnv): void => {
    const { buf, end } = ctx;
    if (!fiveTimers(ctx, env, timers)) return;
    let e = fieldStart(buf, timers[6]!, end, Dist.bytesFromTime);
    const bytes = str2ic(buf, e, end);
    e = requestField(buf, fieldStart(buf, e, end, Dist.capturesFromBytes), end);
    if (e >= end) {
      env.truncated(ctx);
      return;
    }
    let b = fieldStart(buf, e, end, 2);
    if (b >= end) b = e;
    let k = b;
    do {
      const c = buf[k]!;
      if (c === 0x20 || (!preserveQuery && (c === 0x3f || c === 0x3b))) break;
      k++;
    } while (k < end);
    addRow(env.agg.urls, buf, b, k, timers[5]!, timers[3]! >= 0 ? timers[3]! : timers[4]!, timers[3]! >= 0 ? timers[3]! : 0, bytes);
  };
}

/**
 * The first field at or after the field start `from` that begins with '"' (or '\\"': some
 * syslog servers escape quotes), or `end`. halog steps over the capture blocks field by field;
 * jumping from quote to quote with memchr finds the same field (a quote inside a field is not
 * a field start) without walking the words of every captured User-Agent.
 */
function requestField(buf: Buffer, from: number, end: number): number {
  let q = from;
  for (;;) {
    q = indexBefore(buf, QUOTE, q, end);
    if (q < 0) return end;
    if (q === from || buf[q - 1] === SPACE) return q;
    if (buf[q - 1] === BACKSLASH && (q - 1 === from || buf[q - 2] === SPACE)) return q - 1;
    q++;
  }
}

/** Adds one request to a URL or client row (halog's `struct url_stat`). */
export function addRow(
  table: KeyTable, buf: Uint8Array, start: number, end: number,
  err: number, time: number, timeOk: number, bytes: number,
): void {
  const r = table.indexOf(buf, start, end) * URL_COLUMNS;
  const v = table.values;
  v[r + UrlCol.req]!++;
  v[r + UrlCol.err]! += err;
  v[r + UrlCol.time]! += time;
  v[r + UrlCol.timeOk]! += timeOk;
  v[r + UrlCol.bytes]! += bytes;
}

/**
 * The value a row is sorted on, as the unsigned 64-bit number halog compares: a plain
 * number when exact, a bigint only for sums that wrapped below zero (negative timers).
 */
function uval(x: number): number | bigint {
  return x >= 0 && x <= Number.MAX_SAFE_INTEGER ? x : u64(x);
}

function avg(x: number, n: number): number | bigint {
  if (!n) return 0;
  const u = uval(x);
  return typeof u === 'number' ? Math.floor(u / n) : u / BigInt(n);
}

function sortValue(v: Float64Array, r: number, sort: UrlSort): number | bigint {
  const req = v[r + UrlCol.req]!;
  const ok = req - v[r + UrlCol.err]!;
  switch (sort) {
    case 'uc': return req;
    case 'ue': return v[r + UrlCol.err]!;
    case 'ut': return uval(v[r + UrlCol.time]!);
    case 'ua': return avg(v[r + UrlCol.time]!, req);
    case 'uto': return uval(v[r + UrlCol.timeOk]!);
    case 'uao': return avg(v[r + UrlCol.timeOk]!, ok);
    case 'uba': return avg(v[r + UrlCol.bytes]!, req);
    case 'ubt': return uval(v[r + UrlCol.bytes]!);
    case 'u': return 0;
  }
}

/** `a / b` for an unsigned 64-bit `a` held as an exact signed sum; 0 when b is 0. */
function div(a: number, b: number): string {
  if (!b) return '0';
  if (a >= 0 && a <= Number.MAX_SAFE_INTEGER) return String(Math.floor(a / b));
  return String(u64(a) / BigInt(b));
}

/** A sum as halog's unsigned 64-bit counter prints it, then a space. */
function printSum(out: OutBuffer, a: number): void {
  if (a >= 0 && a <= Number.MAX_SAFE_INTEGER) out.uint(a);
  else out.text(a >= 0 ? String(a) : u64(a).toString());
  out.byte(SPACE);
}

/** `a / b` as `div` computes it, then a space. */
function printAvg(out: OutBuffer, a: number, b: number): void {
  if (b && a >= 0 && a <= Number.MAX_SAFE_INTEGER) out.uint(Math.floor(a / b));
  else out.text(div(a, b));
  out.byte(SPACE);
}

/** Values below this, packed with a rank below 2^21, stay exact in a double (2^53). */
const PACK_VALUE_LIMIT = 2 ** 32;
const PACK_RANK = 2 ** 21;

/**
 * Rows in ascending order of `value(row)`, ties in the order of `byKey`. When every value is
 * an integer under 2^32 (nearly always: counts, and sums of milliseconds or bytes per URL),
 * each (value, rank in byKey) pair is packed into one double and the native Float64Array sort
 * does the work; otherwise a comparator does.
 */
function byValue(byKey: Int32Array, value: (row: number) => number | bigint): Int32Array {
  const n = byKey.length;
  const packed = new Float64Array(n);
  let packable = n < PACK_RANK;
  for (let rank = 0; rank < n && packable; rank++) {
    const x = value(byKey[rank]!);
    if (typeof x !== 'number' || x >= PACK_VALUE_LIMIT) packable = false;
    else packed[rank] = x * PACK_RANK + rank;
  }
  if (packable) {
    packed.sort();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = byKey[packed[i]! % PACK_RANK]!;
    return out;
  }
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[byKey[i]!] = i;
  const keys = Array.from({ length: n }, (_, row) => value(row));
  return Int32Array.from(byKey).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : rank[a]! - rank[b]!));
}

/**
 * Prints the `-u*` / `-ic` table. halog walks its tree from the last node back, so rows come
 * out in descending order of the sort value, ties in descending byte order of the key;
 * `-u` sorts on the key alone. The header always ends in `src` (a halog 2.6 quirk).
 */
export function printUrlTable(table: KeyTable, sort: UrlSort): Printer {
  return (agg, out, linesMax) => {
    const v = table.values;
    const arena = table.arena;
    let order = table.sortedByKey();
    if (sort !== 'u') order = byValue(order, (i) => sortValue(v, i * URL_COLUMNS, sort));
    out.text('#req err ttot tavg oktot okavg bavg btot src\n');
    for (let n = order.length - 1; n >= 0; n--) {
      const i = order[n]!;
      const r = i * URL_COLUMNS;
      const req = v[r + UrlCol.req]!;
      const err = v[r + UrlCol.err]!;
      const time = v[r + UrlCol.time]!;
      const timeOk = v[r + UrlCol.timeOk]!;
      const bytes = v[r + UrlCol.bytes]!;
      out.uint(req);
      out.byte(SPACE);
      out.uint(err);
      out.byte(SPACE);
      printSum(out, time);
      printAvg(out, time, req);
      printSum(out, timeOk);
      printAvg(out, timeOk, req - err);
      printAvg(out, bytes, req);
      printSum(out, bytes);
      out.bytes(arena, table.keyStart(i), table.keyEnd(i));
      out.byte(NEWLINE);
      if (reachedMax(agg, linesMax)) break;
    }
  };
}
