import { HTTP_TIMER_COUNT, TCP_TIMER_COUNT } from '../../proxy/log/format/fields.js';
import { fieldStop, indexBefore, scanRecord, scanRecordAt, scanRecordOut, viewOf } from './bytes.js';
import { FLAG_LOGASAP, FLAG_REDISPATCHED, RecordOut } from './wasm-record.js';

/**
 * A full parse of one HAProxy traffic line (httplog or tcplog) into typed fields, for the
 * reports, the detectors and the live view. Unlike the halog-compatible path, it finds the
 * accept date by its shape, so it reads any syslog header (RFC 3164 with or without a
 * hostname, RFC 5424, short, raw) without a `-s` offset.
 *
 * One record object is reused for every line: strings are byte ranges into the line's buffer,
 * turned into JS strings only when a caller asks (`text()`), so a report that groups by status
 * allocates nothing per line.
 */
export const RecordKind = { invalid: 0, http: 1, tcp: 2 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

/** A byte range of the current line. */
export interface Span {
  start: number;
  end: number;
}

const span = (): Span => ({ start: 0, end: 0 });

/**
 * Sets `out` to the n-th (0-based) `|`-separated value of capture block `block` of `buf`;
 * false (and `out` empty) when the block has fewer values. Every search stops at the block's
 * end: a block without `|` (a frontend that captures one header) must cost its own length,
 * not a search through the lines after it (unbounded, that was a scan to the end of the read
 * chunk for every line: detect took 5.6 s for 34 MB of such lines).
 */
export function captureValue(buf: Buffer, block: Span, n: number, out: Span): boolean {
  let p = block.start;
  for (let i = 0; i < n; i++) {
    const bar = indexBefore(buf, 0x7c, p, block.end);
    if (bar < 0) {
      out.start = out.end = 0;
      return false;
    }
    p = bar + 1;
  }
  const e = indexBefore(buf, 0x7c, p, block.end);
  out.start = p;
  out.end = e < 0 ? block.end : e;
  return true;
}

const fieldScratch = span();

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

export class LogRecord {
  buf: Buffer = Buffer.alloc(0);
  lineStart = 0;
  lineEnd = 0;
  kind: RecordKind = RecordKind.invalid;
  /** Why the line was rejected, for `--explain` and error counts. */
  invalidReason = '';
  readonly client = span();
  /** Address without the port (IPv6 printed without brackets, as HAProxy does). */
  readonly clientIp = span();
  // Numeric fields that the parser may set to NaN (a malformed line) or past int32 start as doubles:
  // a field that starts as a small integer and later holds a double changes the record's
  // hidden class, and V8 then throws away every optimized function that reads records
  // (docs/detection.md, sixth pass: 16 such deoptimizations per 300 MB run, none from NaN).
  clientPort = Number.NaN;
  /** Accept (tcplog) or request (httplog) date as written, in ms since the epoch, read as UTC. */
  acceptMs = Number.NaN;
  readonly frontend = span();
  readonly backend = span();
  readonly server = span();
  /** httplog: TR, Tw, Tc, Tr, Ta; tcplog: -1, Tw, Tc, -1, Tt. -1 = not reached. */
  readonly timers = new Int32Array(5);
  /** Ta (httplog) or Tt (tcplog) carried a logasap `+`. */
  logasap = false;
  /** HTTP status; -1 for tcplog lines. */
  status = Number.NaN;
  bytesRead = Number.NaN;
  readonly requestCookie = span();
  readonly responseCookie = span();
  /** 4 characters (httplog) or 2 (tcplog). */
  readonly termination = span();
  readonly connections = new Int32Array(5);
  retriesRedispatched = false;
  serverQueue = 0;
  backendQueue = 0;
  /** Contents of the `{...}` blocks without braces; empty spans when absent. */
  readonly requestCaptures = span();
  readonly responseCaptures = span();
  captureBlocks = 0;
  /** The quoted request without quotes, e.g. `GET /x HTTP/1.1` or `<BADREQ>`. */
  readonly request = span();
  readonly method = span();
  readonly uri = span();
  readonly version = span();
  /** Bytes after the request (httpslog SSL fields, custom suffixes). */
  readonly trailer = span();

  text(s: Span): string {
    return this.buf.toString('latin1', s.start, s.end);
  }

  /** The n-th (0-based) `|`-separated value of a capture block, or '' when absent. */
  captureField(block: Span, n: number): string {
    return captureValue(this.buf, block, n, fieldScratch) ? this.text(fieldScratch) : '';
  }

  termChar(i: number): number {
    const p = this.termination.start + i;
    return p < this.termination.end ? this.buf[p]! : 0x2d;
  }

  get isBadRequest(): boolean {
    return this.method.start === this.method.end;
  }

  /** HAProxy refused the request by policy: termination state `PR` (http-request deny, or a request it judged invalid) or `PT` (tarpit). */
  get deniedByProxy(): boolean {
    const c1 = this.termChar(1);
    return this.termChar(0) === 0x50 && (c1 === 0x52 || c1 === 0x54);
  }

  /** The request waited in a queue: Tw > 0, or a server or backend queue when it was logged. */
  get waitedInQueue(): boolean {
    return this.timers[1]! > 0 || this.serverQueue > 0 || this.backendQueue > 0;
  }
}

const SPACE = 0x20;

/** First space at or after `p` (4 bytes per step, see halog/parse/bytes.ts). */
const fieldEnd = fieldStop;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Parses a signed decimal from `p` up to `end`; NaN when there is no digit. */
function int(buf: Buffer, p: number, end: number): number {
  let neg = false;
  if (p < end && (buf[p] === 0x2d || buf[p] === 0x2b)) {
    neg = buf[p] === 0x2d;
    p++;
  }
  if (p >= end || !isDigit(buf[p])) return Number.NaN;
  let v = 0;
  while (p < end && isDigit(buf[p])) v = v * 10 + buf[p++]! - 0x30;
  return neg ? -v : v;
}

/** Set by slashField when a value carried a `+` (logasap, redispatch). */
let sawPlus = false;
/** Set by slashField: the end of the field it read (its first space, or the line end). */
let slashEnd = 0;

/**
 * Splits the field `a/b/c...` that starts at `p` into `out` and finds its end (into
 * `slashEnd`) in the same pass; returns the count, or -1 on a part that is not a signed
 * decimal. Parts past `max` are not read (the field end is then searched for). Bytes are read
 * once, no sub-slices: this runs three times a line, on short fields where a separate search
 * for the field end cost as much as the parse.
 */
function slashField(buf: Buffer, p: number, end: number, out: Int32Array, max: number): number {
  let n = 0;
  sawPlus = false;
  while (p < end && n < max) {
    let c = buf[p]!;
    if (c === SPACE) break;
    let neg = false;
    if (c === 0x2d || c === 0x2b) {
      neg = c === 0x2d;
      if (c === 0x2b) sawPlus = true;
      c = ++p < end ? buf[p]! : 0;
    }
    if (c < 0x30 || c > 0x39) return -1;
    let v = 0;
    while (p < end) {
      c = buf[p]!;
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + c - 0x30;
      p++;
    }
    out[n++] = neg ? -v : v;
    if (p < end && c !== SPACE) {
      if (c !== 0x2f) return -1;
      p++;
    }
  }
  slashEnd = p < end && buf[p] !== SPACE ? fieldEnd(buf, p, end) : p;
  return n;
}

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Two decimal digits at `i`, or -1000 (which fails every range check) when not digits. */
function twoDigits(buf: Buffer, i: number): number {
  const a = buf[i]! - 0x30;
  const b = buf[i + 1]! - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1000;
}

/** Month index of the 3 letters at `i`, -1 when not an English month abbreviation. */
function monthAt(buf: Buffer, i: number): number {
  const key = (buf[i]! << 16) | (buf[i + 1]! << 8) | buf[i + 2]!;
  const m = MONTH_BY_KEY.get(key);
  return m === undefined ? -1 : m;
}

const MONTH_BY_KEY = new Map<number, number>(
  Object.entries(MONTHS).map(([name, m]) => [(name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2), m]),
);

/**
 * The bytes `dd/Mon/yyyy:HH:MM` of the last accept date whose day and minute were valid (four
 * little-endian words and the 17th byte) and that minute's epoch ms. Lines come in time order,
 * so most share their minute with the line before: then only the seconds are parsed
 * (parseAcceptDate was ~3.5 % of a `report urls` run, most of it the month lookup and the day
 * arithmetic). Keyed on the bytes themselves, so a hit gives what the full parse would.
 */
let minuteW0 = 0;
let minuteW1 = 0;
let minuteW2 = 0;
let minuteW3 = 0;
let minuteB16 = -1;
let minuteMs = Number.NaN;

/** `[dd/Mon/yyyy:HH:MM:SS.mmm]` at `p` to epoch ms (UTC), or NaN. */
export function parseAcceptDate(buf: Buffer, p: number, end: number): number {
  if (end - p < 22 || buf[p] !== 0x5b) return Number.NaN;
  const dv = viewOf(buf);
  const w0 = dv.getInt32(p + 1, true);
  const w1 = dv.getInt32(p + 5, true);
  const w2 = dv.getInt32(p + 9, true);
  const w3 = dv.getInt32(p + 13, true);
  const b16 = buf[p + 17]!;
  let base = minuteMs;
  if (w0 !== minuteW0 || w1 !== minuteW1 || w2 !== minuteW2 || w3 !== minuteW3 || b16 !== minuteB16) {
    base = minuteOf(buf, p);
    if (Number.isNaN(base)) return base;
    minuteW0 = w0;
    minuteW1 = w1;
    minuteW2 = w2;
    minuteW3 = w3;
    minuteB16 = b16;
    minuteMs = base;
  }
  const s = twoDigits(buf, p + 19);
  let ms = 0;
  if (buf[p + 21] === 0x2e && end - p >= 25) {
    const a = twoDigits(buf, p + 22);
    const c = buf[p + 24]! - 0x30;
    ms = c >= 0 && c <= 9 ? a * 10 + c : -1;
  }
  if (s < 0 || s > 60 || ms < 0) return Number.NaN;
  return base + s * 1000 + ms;
}

/** Epoch ms of `[dd/Mon/yyyy:HH:MM` at `p` (seconds not read), or NaN. */
function minuteOf(buf: Buffer, p: number): number {
  const day = twoDigits(buf, p + 1);
  const mon = monthAt(buf, p + 4);
  if (mon < 0) return Number.NaN;
  const year = twoDigits(buf, p + 8) * 100 + twoDigits(buf, p + 10);
  const h = twoDigits(buf, p + 13);
  const m = twoDigits(buf, p + 16);
  if (year < 0 || day < 1 || day > 31 || h < 0 || h > 23 || m < 0 || m > 59) return Number.NaN;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const yd = DAYS_BEFORE_MONTH[mon]! + (leap && mon > 1 ? 1 : 0) + day - 1;
  const y = year - 1970;
  const days = y * 365 + Math.floor((year - 1969) / 4) - Math.floor((year - 1901) / 100) + Math.floor((year - 1601) / 400) + yd;
  return ((days * 24 + h) * 60 + m) * 60000;
}

/** Set by findAccept: the client field before the accept date, and its last ':'. */
let clientStart = 0;
let clientEnd = 0;
let clientColon = 0;

/**
 * Locates the accept date: the first field that starts with `[d` and follows a field that
 * holds a ':' (the client `ip:port`). Looks at most 12 fields in, past any syslog header.
 * Leaves that client field and its last ':' in clientStart/clientEnd/clientColon, so that
 * clientSpans need not walk back to them.
 */
function findAccept(buf: Buffer, start: number, end: number): number {
  let prev = -1;
  let prevEnd = -1;
  let p = skipSpaces(buf, start, end);
  for (let i = 0; i < 12 && p < end; i++) {
    if (buf[p] === 0x5b && isDigit(buf[p + 1]) && prev >= 0) {
      // The last ':' (the port's, also for IPv6): a few bytes from the field end.
      let k = prevEnd - 1;
      while (k >= prev && buf[k] !== 0x3a) k--;
      if (k >= prev) {
        clientStart = prev;
        clientEnd = prevEnd;
        clientColon = k;
        return p;
      }
    }
    prev = p;
    prevEnd = fieldStop(buf, p, end);
    p = skipSpaces(buf, prevEnd, end);
  }
  return -1;
}

function set(s: Span, start: number, end: number): void {
  s.start = start;
  s.end = end;
}

/** The client field findAccept found and its address without the port. */
function clientSpans(buf: Buffer, client: Span, ip: Span): boolean {
  let c = clientStart;
  // `format short`/`priority` glue `<PRI>` to the message.
  if (buf[c] === 0x3c) {
    const gt = indexBefore(buf, 0x3e, c, clientEnd);
    if (gt > c) c = gt + 1;
  }
  set(client, c, clientEnd);
  if (clientColon < c) return false;
  set(ip, c, clientColon);
  return true;
}

const scratch = span();

/**
 * Where parseRecord() would put `rec.clientIp` for `buf[start, end)`, without parsing the rest
 * (to route a line by client before parsing it); false when the line has no client address.
 */
export function locateClientIp(buf: Buffer, start: number, end: number, ip: Span): boolean {
  const accept = findAccept(buf, start, end);
  return accept >= 0 && clientSpans(buf, scratch, ip);
}

/** First non-space at or after `p` (a field start), or `end`. */
function skipSpaces(buf: Buffer, p: number, end: number): number {
  while (p < end && buf[p] === SPACE) p++;
  return p;
}

/** Set by intField: the value of the decimal at the field start (NaN when it has no digit). */
let fieldInt = 0;

/** `int(buf, p, fieldEnd(buf, p, end))` into `fieldInt`, returning that field end (one scan). */
function intField(buf: Buffer, p: number, end: number): number {
  let neg = false;
  let q = p;
  if (q < end && (buf[q] === 0x2d || buf[q] === 0x2b)) {
    neg = buf[q] === 0x2d;
    q++;
  }
  let c = q < end ? buf[q]! : SPACE;
  if (c < 0x30 || c > 0x39) {
    fieldInt = Number.NaN;
    return fieldEnd(buf, q, end);
  }
  let v = 0;
  while (c >= 0x30 && c <= 0x39) {
    v = v * 10 + c - 0x30;
    c = ++q < end ? buf[q]! : SPACE;
  }
  fieldInt = neg ? -v : v;
  return c === SPACE ? q : fieldEnd(buf, q, end);
}

/** Fills `rec` from `buf[start, end)` (no newline). Returns false for a non-traffic or malformed line. */
const timerScratch = new Int32Array(5);
const counterScratch = new Int32Array(5);
const queueScratch = new Int32Array(2);

function fail(rec: LogRecord, why: string): boolean {
  rec.invalidReason = why;
  return false;
}

// Each field is scanned once: the next field starts at the first non-space after the end of
// the current one.
export function parseRecord(buf: Buffer, start: number, end: number, rec: LogRecord): boolean {
  return parseRecordAt(buf, start, end, -1, 0, rec);
}

/**
 * parseRecord for a line whose client field starts at `clientStart` and accept date at
 * `accept`, as the scanner's `route` found them on these bytes (-1: not known); the same
 * record, without the walk through the syslog header.
 */
export function parseRecordAt(buf: Buffer, start: number, end: number, clientStart: number, accept: number, rec: LogRecord): boolean {
  rec.buf = buf;
  rec.lineStart = start;
  rec.lineEnd = end;
  rec.kind = RecordKind.invalid;
  const scanned = clientStart >= 0 ? scanRecordAt(buf, start, end, clientStart, accept) : scanRecord(buf, start, end);
  if (scanned !== 0 && fromScan(buf, end, rec, scanned)) return true;
  return walkRecord(buf, start, end, rec);
}

/**
 * parseRecord for a line the scanner did not read (another buffer, or not of the common
 * shape). Apart, so that TurboFan's code for parseRecord, which is inlined into every reader's
 * loop, does not include this walk: rare lines reaching its branches one after the other
 * (a truncated line, a `<BADREQ>`...) deoptimized parseRecord and its callers each time.
 */
function walkRecord(buf: Buffer, start: number, end: number, rec: LogRecord): boolean {
  const accept = findAccept(buf, start, end);
  if (accept < 0) return fail(rec, 'no accept date after a client address');
  if (!clientSpans(buf, rec.client, rec.clientIp)) return fail(rec, 'client field has no port');
  rec.clientPort = int(buf, rec.clientIp.end + 1, rec.client.end);
  const acceptEnd = fieldEnd(buf, accept, end);
  rec.acceptMs = parseAcceptDate(buf, accept, acceptEnd);
  if (Number.isNaN(rec.acceptMs)) return fail(rec, 'unreadable accept date');
  let p = skipSpaces(buf, acceptEnd, end);
  let e = fieldEnd(buf, p, end);
  set(rec.frontend, p, e);
  p = skipSpaces(buf, e, end);
  e = fieldEnd(buf, p, end);
  let slash = p;
  while (slash < e && buf[slash] !== 0x2f) slash++;
  if (p >= end || slash >= e) return fail(rec, 'no backend/server field');
  set(rec.backend, p, slash);
  set(rec.server, slash + 1, e);
  p = skipSpaces(buf, e, end);
  const t = timerScratch;
  const n = slashField(buf, p, end, t, 5);
  e = slashEnd;
  rec.logasap = sawPlus;
  if (n === HTTP_TIMER_COUNT) return parseHttpRest(buf, e, end, rec, t);
  if (n === TCP_TIMER_COUNT) return parseTcpRest(buf, e, end, rec, t);
  return fail(rec, 'timer field is neither TR/Tw/Tc/Tr/Ta nor Tw/Tc/Tt');
}

/**
 * Fills `rec` from what the scanner's `record` left in scanRecordOut (wasm-record.ts): the
 * same fields parseRecord's walk below would set, from the same bytes. `kind`: what `record`
 * returned, 1 or 2, the values of RecordKind.http and RecordKind.tcp. False when the accept
 * date does not read (the walk below then gives the reason).
 */
function fromScan(buf: Buffer, end: number, rec: LogRecord, kind: number): boolean {
  const o = scanRecordOut;
  const acceptMs = parseAcceptDate(buf, o[RecordOut.accept]!, o[RecordOut.acceptEnd]!);
  if (Number.isNaN(acceptMs)) return false;
  const clientStart = o[RecordOut.clientStart]!;
  set(rec.client, clientStart, o[RecordOut.clientEnd]!);
  set(rec.clientIp, clientStart, o[RecordOut.clientColon]!);
  rec.clientPort = o[RecordOut.clientPort]!;
  rec.acceptMs = acceptMs;
  set(rec.frontend, o[RecordOut.frontendStart]!, o[RecordOut.frontendEnd]!);
  const slash = o[RecordOut.backendSlash]!;
  set(rec.backend, o[RecordOut.backendStart]!, slash);
  set(rec.server, slash + 1, o[RecordOut.serverEnd]!);
  const flags = o[RecordOut.flags]!;
  rec.logasap = (flags & FLAG_LOGASAP) !== 0;
  rec.bytesRead = o[RecordOut.bytes]!;
  set(rec.termination, o[RecordOut.terminationStart]!, o[RecordOut.terminationEnd]!);
  const c = rec.connections;
  const cs = RecordOut.connections;
  c[0] = o[cs]!;
  c[1] = o[cs + 1]!;
  c[2] = o[cs + 2]!;
  c[3] = o[cs + 3]!;
  c[4] = o[cs + 4]!;
  rec.retriesRedispatched = (flags & FLAG_REDISPATCHED) !== 0;
  rec.serverQueue = o[RecordOut.queues]!;
  rec.backendQueue = o[RecordOut.queues + 1]!;
  const t = rec.timers;
  const ts = RecordOut.timers;
  if (kind === RecordKind.tcp) {
    setTcpTimers(rec, o[ts]!, o[ts + 1]!, o[ts + 2]!);
    markTcp(rec);
    return true;
  }
  t[0] = o[ts]!;
  t[1] = o[ts + 1]!;
  t[2] = o[ts + 2]!;
  t[3] = o[ts + 3]!;
  t[4] = o[ts + 4]!;
  rec.status = o[RecordOut.status]!;
  set(rec.requestCookie, o[RecordOut.requestCookieStart]!, o[RecordOut.requestCookieEnd]!);
  set(rec.responseCookie, o[RecordOut.responseCookieStart]!, o[RecordOut.responseCookieEnd]!);
  set(rec.requestCaptures, o[RecordOut.requestCapturesStart]!, o[RecordOut.requestCapturesEnd]!);
  set(rec.responseCaptures, o[RecordOut.responseCapturesStart]!, o[RecordOut.responseCapturesEnd]!);
  rec.captureBlocks = o[RecordOut.captureBlocks]!;
  const requestStart = o[RecordOut.requestStart]!;
  const requestEnd = o[RecordOut.requestEnd]!;
  set(rec.request, requestStart, requestEnd);
  set(rec.trailer, o[RecordOut.trailerStart]!, end);
  set(rec.method, requestStart, o[RecordOut.methodEnd]!);
  set(rec.uri, o[RecordOut.uriStart]!, o[RecordOut.uriEnd]!);
  set(rec.version, o[RecordOut.versionStart]!, requestEnd);
  rec.kind = RecordKind.http;
  return true;
}

/** A tcplog line's Tw/Tc/Tt in the httplog timer slots (TR and Tr: -1), and no status. */
function setTcpTimers(rec: LogRecord, tw: number, tc: number, tt: number): void {
  const t = rec.timers;
  t[0] = -1;
  t[1] = tw;
  t[2] = tc;
  t[3] = -1;
  t[4] = tt;
  rec.status = -1;
}

/** A tcplog record: no cookies, captures or request. */
function markTcp(rec: LogRecord): void {
  set(rec.requestCookie, 0, 0);
  set(rec.responseCookie, 0, 0);
  set(rec.requestCaptures, 0, 0);
  set(rec.responseCaptures, 0, 0);
  set(rec.request, 0, 0);
  set(rec.method, 0, 0);
  set(rec.uri, 0, 0);
  set(rec.version, 0, 0);
  set(rec.trailer, 0, 0);
  rec.captureBlocks = 0;
  rec.kind = RecordKind.tcp;
}

/** Reads the connection counters and queues at field start `p`; returns the end of the queue field, or -1. */
function parseCounters(buf: Buffer, p: number, end: number, rec: LogRecord): number {
  const conns = counterScratch;
  if (slashField(buf, p, end, conns, 5) !== 5) return -1;
  const c = rec.connections;
  c[0] = conns[0]!;
  c[1] = conns[1]!;
  c[2] = conns[2]!;
  c[3] = conns[3]!;
  c[4] = conns[4]!;
  rec.retriesRedispatched = sawPlus;
  p = skipSpaces(buf, slashEnd, end);
  const q = queueScratch;
  if (slashField(buf, p, end, q, 2) !== 2) return -1;
  rec.serverQueue = q[0]!;
  rec.backendQueue = q[1]!;
  return slashEnd;
}

/** `p`: the end of the timer field. */
function parseTcpRest(buf: Buffer, p: number, end: number, rec: LogRecord, t: Int32Array): boolean {
  setTcpTimers(rec, t[0]!, t[1]!, t[2]!);
  p = skipSpaces(buf, p, end);
  let e = intField(buf, p, end);
  rec.bytesRead = fieldInt;
  p = skipSpaces(buf, e, end);
  e = fieldEnd(buf, p, end);
  set(rec.termination, p, e);
  if (e - p !== 2) return (rec.invalidReason = 'tcplog termination state is not 2 characters'), false;
  p = skipSpaces(buf, e, end);
  if (parseCounters(buf, p, end, rec) < 0) return (rec.invalidReason = 'bad connection counters or queues'), false;
  markTcp(rec);
  return !Number.isNaN(rec.bytesRead);
}

/** `p`: the end of the timer field. */
function parseHttpRest(buf: Buffer, p: number, end: number, rec: LogRecord, t: Int32Array): boolean {
  const timers = rec.timers;
  timers[0] = t[0]!;
  timers[1] = t[1]!;
  timers[2] = t[2]!;
  timers[3] = t[3]!;
  timers[4] = t[4]!;
  p = skipSpaces(buf, p, end);
  let e = intField(buf, p, end);
  rec.status = fieldInt;
  p = skipSpaces(buf, e, end);
  e = intField(buf, p, end);
  rec.bytesRead = fieldInt;
  if (Number.isNaN(rec.status) || Number.isNaN(rec.bytesRead)) return (rec.invalidReason = 'status or bytes not numeric'), false;
  p = skipSpaces(buf, e, end);
  e = fieldEnd(buf, p, end);
  set(rec.requestCookie, p, e);
  p = skipSpaces(buf, e, end);
  e = fieldEnd(buf, p, end);
  set(rec.responseCookie, p, e);
  p = skipSpaces(buf, e, end);
  e = fieldEnd(buf, p, end);
  set(rec.termination, p, e);
  if (e - p !== 4) return (rec.invalidReason = 'termination state is not 4 characters'), false;
  p = skipSpaces(buf, e, end);
  e = parseCounters(buf, p, end, rec);
  if (e < 0) return (rec.invalidReason = 'bad connection counters or queues'), false;
  p = skipSpaces(buf, e, end);
  // Capture blocks: HAProxy encodes '"' and '{' '}' '|' are not escaped, but a block always
  // ends with '}' followed by a space, and the request always starts with '"'.
  set(rec.requestCaptures, 0, 0);
  set(rec.responseCaptures, 0, 0);
  rec.captureBlocks = 0;
  while (p < end && buf[p] === 0x7b) {
    let close = indexBefore(buf, 0x7d, p + 1, end);
    while (close >= 0 && close + 1 < end && buf[close + 1] !== SPACE) close = indexBefore(buf, 0x7d, close + 1, end);
    if (close < 0) return (rec.invalidReason = 'unterminated capture block'), false;
    if (rec.captureBlocks === 0) set(rec.requestCaptures, p + 1, close);
    else set(rec.responseCaptures, p + 1, close);
    rec.captureBlocks++;
    p = skipSpaces(buf, close + 1, end);
  }
  // One block: request captures unless the frontend only captures responses; the log does
  // not say which, and request headers (Host, User-Agent) are by far the common case.
  if (p >= end || buf[p] !== 0x22) return (rec.invalidReason = 'no quoted request'), false;
  // The closing quote; a quote right at `end` counts too (as an unbounded search would find it).
  let q = indexBefore(buf, 0x22, p + 1, Math.min(end + 1, buf.length));
  if (q < 0) q = end; // truncated by the log length limit
  set(rec.request, p + 1, q);
  set(rec.trailer, Math.min(q + 2, end), end);
  // Request line: METHOD SP URI [SP VERSION]
  const rs = p + 1;
  let sp1 = rs;
  while (sp1 < q && buf[sp1] !== SPACE) sp1++;
  if (buf[rs] === 0x3c /* '<' as in <BADREQ> */ || sp1 >= q) {
    set(rec.method, rs, rs);
    set(rec.uri, rs, q);
    set(rec.version, q, q);
  } else {
    set(rec.method, rs, sp1);
    // The last space before the quote (there is one: sp1).
    let sp2 = q - 1;
    while (buf[sp2] !== SPACE) sp2--;
    if (sp2 > sp1 && sp2 + 5 < q && buf[sp2 + 1] === 0x48 && buf[sp2 + 2] === 0x54 && buf[sp2 + 3] === 0x54 && buf[sp2 + 4] === 0x50 && buf[sp2 + 5] === 0x2f) {
      set(rec.uri, sp1 + 1, sp2);
      set(rec.version, sp2 + 1, q);
    } else {
      set(rec.uri, sp1 + 1, q);
      set(rec.version, q, q);
    }
  }
  rec.kind = RecordKind.http;
  return true;
}
