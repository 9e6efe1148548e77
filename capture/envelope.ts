/**
 * Classifies the syslog envelope of one datagram, enough to split by tag and to normalize,
 * without making a string: offsets into the Buffer only (STYLE 4). The shapes are the ones
 * HAProxy 2.6 builds in `build_log_header()` (reference/logformat.md section 5):
 *
 *   rfc3164       `<PRI>Mmm dd HH:MM:SS tag[pid]: msg`          (`local`, HAProxy's default)
 *   rfc3164-host  `<PRI>Mmm dd HH:MM:SS host tag[pid]: msg`     (`rfc3164`, log-send-hostname)
 *   rfc5424       `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD msg`
 *   timed         `<level>YYYY-MM-DDTHH:MM:SS.uuuuuu+hh:mm msg`
 *   short         `<level>msg` (level 0..7), priority `<PRI>msg`
 *   iso           `YYYY-MM-DDTHH:MM:SS.uuuuuu+hh:mm msg`
 *   raw           `msg`
 *
 * Anything starting with `<` that is not a valid `<PRI>` (1-3 digits, at most 191), and the
 * empty datagram, is `malformed`: still written as received, and counted.
 */
export type EnvelopeKind =
  | 'rfc3164'
  | 'rfc3164-host'
  | 'rfc5424'
  | 'timed'
  | 'short'
  | 'priority'
  | 'iso'
  | 'raw'
  | 'malformed';

/** Reused for every datagram (no allocation on the hot path); -1 means absent. */
export interface Envelope {
  kind: EnvelopeKind;
  pri: number;
  /** Start of the header timestamp, or -1. */
  timeStart: number;
  timeEnd: number;
  hostStart: number;
  hostEnd: number;
  tagStart: number;
  tagEnd: number;
  /** Process id as written between `[` `]` (3164) or PROCID (5424), or -1. */
  pidStart: number;
  pidEnd: number;
  /** First byte of the message proper (after the header). */
  msgStart: number;
}

export function newEnvelope(): Envelope {
  return {
    kind: 'raw',
    pri: -1,
    timeStart: -1,
    timeEnd: -1,
    hostStart: -1,
    hostEnd: -1,
    tagStart: -1,
    tagEnd: -1,
    pidStart: -1,
    pidEnd: -1,
    msgStart: 0,
  };
}

const LT = 0x3c; // <
const GT = 0x3e; // >
const SP = 0x20;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const DASH = 0x2d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function isAlpha(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
}

/** `Mmm dd HH:MM:SS ` (16 bytes) at p; the day may be space-padded (`Feb  6`). */
function isLegacyTime(b: Buffer, p: number, end: number): boolean {
  return (
    p + 16 <= end &&
    isAlpha(b[p]) &&
    isAlpha(b[p + 1]) &&
    isAlpha(b[p + 2]) &&
    b[p + 3] === SP &&
    (isDigit(b[p + 4]) || b[p + 4] === SP) &&
    isDigit(b[p + 5]) &&
    b[p + 6] === SP &&
    isDigit(b[p + 7]) &&
    isDigit(b[p + 8]) &&
    b[p + 9] === COLON &&
    b[p + 12] === COLON &&
    b[p + 15] === SP
  );
}

/** `YYYY-MM-DDT` at p. */
function isIsoTime(b: Buffer, p: number, end: number): boolean {
  return (
    p + 11 <= end &&
    isDigit(b[p]) &&
    isDigit(b[p + 3]) &&
    b[p + 4] === DASH &&
    b[p + 7] === DASH &&
    b[p + 10] === 0x54 // T
  );
}

/**
 * The fields scanned are short (a tag, a timestamp): a loop here is several times cheaper than
 * Buffer#indexOf, whose call into C++ costs more than scanning a few dozen bytes.
 */
function nextSpace(b: Buffer, p: number, end: number): number {
  while (p < end && b[p] !== SP) p++;
  return p;
}

function reset(e: Envelope, start: number): void {
  e.pri = -1;
  e.timeStart = e.timeEnd = -1;
  e.hostStart = e.hostEnd = -1;
  e.tagStart = e.tagEnd = -1;
  e.pidStart = e.pidEnd = -1;
  e.msgStart = start;
}

/**
 * Fills `e` for the bytes b[start, end) (offsets stay absolute, so a datagram can be classified
 * where it lies in a larger receive buffer). `end` excludes the trailing newline if any.
 */
export function classify(b: Buffer, end: number, e: Envelope, start = 0): Envelope {
  reset(e, start);
  if (end === start) {
    e.kind = 'malformed';
    return e;
  }
  if (b[start] !== LT) {
    if (isIsoTime(b, start, end)) {
      e.kind = 'iso';
      e.timeStart = start;
      e.timeEnd = nextSpace(b, start, end);
      e.msgStart = Math.min(e.timeEnd + 1, end);
    } else {
      e.kind = 'raw';
    }
    return e;
  }
  // <PRI>: 1 to 3 digits, at most 191 (facility 23 * 8 + level 7).
  let p = start + 1;
  let pri = 0;
  while (p < end && p <= start + 3 && isDigit(b[p])) pri = pri * 10 + (b[p++]! - 0x30);
  if (p === start + 1 || p >= end || b[p] !== GT || pri > 191) {
    e.kind = 'malformed';
    return e;
  }
  e.pri = pri;
  p++;
  if (isLegacyTime(b, p, end)) {
    e.timeStart = p;
    e.timeEnd = p + 15;
    parse3164Rest(b, p + 16, end, e);
    return e;
  }
  if (b[p] === 0x31 && b[p + 1] === SP && p + 2 < end) {
    parse5424(b, p + 2, end, e, start);
    return e;
  }
  if (isIsoTime(b, p, end)) {
    e.kind = 'timed';
    e.timeStart = p;
    e.timeEnd = nextSpace(b, p, end);
    e.msgStart = Math.min(e.timeEnd + 1, end);
    return e;
  }
  e.kind = pri <= 7 ? 'short' : 'priority';
  e.msgStart = p;
  return e;
}

/** After the legacy timestamp: `tag[pid]: msg` or `host tag[pid]: msg`. */
function parse3164Rest(b: Buffer, p: number, end: number, e: Envelope): void {
  const t1End = nextSpace(b, p, end);
  if (tagToken(b, p, t1End, e)) {
    e.kind = 'rfc3164';
    e.msgStart = Math.min(t1End + 1, end);
    return;
  }
  const t2Start = t1End + 1;
  const t2End = nextSpace(b, t2Start, end);
  if (t2Start < end && tagToken(b, t2Start, t2End, e)) {
    e.kind = 'rfc3164-host';
    e.hostStart = p;
    e.hostEnd = t1End;
    e.msgStart = Math.min(t2End + 1, end);
    return;
  }
  // A legacy timestamp but no `tag:`: RFC 3164 allows it; the message starts after the time.
  e.kind = 'rfc3164';
  e.msgStart = p;
}

/** `tag:` or `tag[pid]:` spanning exactly [s, t); fills tag and pid offsets when it is one. */
function tagToken(b: Buffer, s: number, t: number, e: Envelope): boolean {
  if (t - s < 2 || b[t - 1] !== COLON) return false;
  let lb = s;
  while (lb < t && b[lb] !== LBRACKET) lb++;
  if (lb < t) {
    if (b[t - 2] !== RBRACKET || lb === s) return false;
    e.tagStart = s;
    e.tagEnd = lb;
    e.pidStart = lb + 1;
    e.pidEnd = t - 2;
    return true;
  }
  e.tagStart = s;
  e.tagEnd = t - 1;
  return true;
}

// Field offsets of the header being parsed, shared so that a 5424 datagram allocates nothing.
const starts = new Int32Array(5);
const ends = new Int32Array(5);

/** After `<PRI>1 `: TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [msg]. */
function parse5424(b: Buffer, p: number, end: number, e: Envelope, start: number): void {
  for (let i = 0; i < 5; i++) {
    if (p >= end) {
      e.kind = 'malformed';
      e.msgStart = start;
      return;
    }
    starts[i] = p;
    ends[i] = nextSpace(b, p, end);
    p = ends[i]! + 1;
  }
  e.kind = 'rfc5424';
  e.timeStart = starts[0]!;
  e.timeEnd = ends[0]!;
  if (!(ends[1]! - starts[1]! === 1 && b[starts[1]!] === DASH)) {
    e.hostStart = starts[1]!;
    e.hostEnd = ends[1]!;
  }
  e.tagStart = starts[2]!;
  e.tagEnd = ends[2]!;
  e.pidStart = starts[3]!;
  e.pidEnd = ends[3]!;
  // STRUCTURED-DATA: `-` or one or more `[id k="v" ...]`, `]` and `"` escaped with `\` in values.
  if (p >= end) {
    e.msgStart = end;
    return;
  }
  if (b[p] === DASH) {
    p++;
  } else {
    while (p < end && b[p] === LBRACKET) {
      let inQuote = false;
      p++;
      while (p < end) {
        const c = b[p]!;
        if (c === BACKSLASH && inQuote) p += 2;
        else {
          if (c === QUOTE) inQuote = !inQuote;
          else if (c === RBRACKET && !inQuote) break;
          p++;
        }
      }
      p++;
    }
  }
  e.msgStart = p < end && b[p] === SP ? p + 1 : Math.min(p, end);
}
