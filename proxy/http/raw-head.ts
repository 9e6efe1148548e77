/**
 * A final response head read and re-written as bytes, without the strings and header objects
 * of parser.ts: for a session that needs nothing from the response headers (no capture, no
 * persistence cookie), which is the usual case. The head is taken only in the shape that
 * parser.ts's fast path reads (CRLF lines, no folding, HTTP/1.0 or 1.1, tchar names, a colon
 * right after the name) and only when its framing is plain: no Transfer-Encoding, a
 * Content-Length of digits (the same value if repeated), `Connection` values of one token.
 * Anything else is declined (scanResponseHead returns false) and goes to parseResponseHead,
 * which decides; so both accept the same heads, and the bytes written are those
 * writeResponseHead() writes from the parsed head (test/proxy/raw-response-head.test.ts).
 */
import { putStr } from '../log/line-bytes.js';
import { TCHAR, bodylessFraming, lengthFraming, toCloseFraming, type Framing } from './parser.js';
import { connectionLine } from './responses.js';

/** What the exchange and the session need from a head, filled in by scanResponseHead(). */
export interface RawHeadScan {
  status: number;
  /** HTTP/1.1 (else 1.0). */
  v11: boolean;
  /** The server closes after this response (per its version and Connection header). */
  close: boolean;
  /** Content-Length, or -1 without one. */
  length: number;
  /** What HAProxy counts in `%B` for this head (its HTX size; as responseHtxBytes()). */
  htx: number;
  /** Bytes of the head toward the client without its `connection` line (writeRawHead()). */
  size: number;
}

/** The CR of the CRLF ending the line at `from` (a line not followed by a folded one), else -1. */
function lineEnd(buf: Buffer, from: number, end: number): number {
  const nl = buf.indexOf(10, from);
  if (nl <= from || nl >= end || buf[nl - 1] !== 13) return -1;
  if (nl + 1 < end) {
    const next = buf[nl + 1];
    if (next === 32 || next === 9) return -1; // obsolete line folding
  }
  return nl - 1;
}

const CONNECTION = Buffer.from('connection', 'latin1');
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const CLOSE = Buffer.from('close', 'latin1');
const KEEP_ALIVE = Buffer.from('keep-alive', 'latin1');

/**
 * Whether buf[from, to) is `lower` ignoring ASCII case. The bytes are tchars or a value
 * without spaces; OR 0x20 maps only A-Z onto a-z among them, and nothing onto '-'.
 */
function eqLower(buf: Buffer, from: number, to: number, lower: Buffer): boolean {
  if (to - from !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) if ((buf[from + k]! | 0x20) !== lower[k]) return false;
  return true;
}

/** Where the name of the header line at `p` ends (its colon), after parser.ts's checks. */
function nameEnd(buf: Buffer, p: number, eol: number): number {
  let i = p;
  while (i < eol && TCHAR[buf[i]!] === 1) i++;
  return i;
}

function valueStart(buf: Buffer, colon: number, eol: number): number {
  let vs = colon + 1;
  while (vs < eol && (buf[vs] === 32 || buf[vs] === 9)) vs++;
  return vs;
}

function valueEnd(buf: Buffer, vs: number, eol: number): number {
  let ve = eol;
  while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
  return ve;
}

/**
 * Reads the final response head buf[0, end) (`end` from headEnd()) into `out`; false when
 * the head is not of the plain shape above or is interim (1xx): the caller parses it then.
 */
export function scanResponseHead(buf: Buffer, end: number, out: RawHeadScan): boolean {
  const eol = lineEnd(buf, 0, end);
  // "HTTP/1.x SSS" then CRLF or " reason"
  if (eol < 12 || buf[0] !== 72 || buf[1] !== 84 || buf[2] !== 84 || buf[3] !== 80 || buf[4] !== 47 || buf[5] !== 49 || buf[6] !== 46) return false;
  const minor = buf[7];
  if ((minor !== 48 && minor !== 49) || buf[8] !== 32) return false;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return false;
    status = status * 10 + d;
  }
  if (status < 200) return false;
  if (eol > 12) {
    if (buf[12] !== 32) return false;
    for (let i = 13; i < eol; i++) if (buf[i] === 13) return false;
  }
  const v11 = minor === 49;
  // "HTTP/1.x SSS reason\r\n", with the space before an empty reason that HAProxy writes
  let size = (eol === 12 ? 13 : eol) + 2;
  let htx = 20 + 8 + 3 + (eol > 12 ? eol - 13 : 0) + 1;
  let connClose = false;
  let connKeepAlive = false;
  let length = -1;
  let p = eol + 2;
  for (;;) {
    if (p >= end) return false;
    if (buf[p] === 13 && buf[p + 1] === 10) {
      if (p + 2 !== end) return false;
      break;
    }
    const le = lineEnd(buf, p, end);
    if (le < 0) return false;
    const ne = nameEnd(buf, p, le);
    if (ne === p || ne === le || buf[ne] !== 58) return false;
    const vs = valueStart(buf, ne, le);
    const ve = valueEnd(buf, vs, le);
    for (let j = vs; j < ve; j++) {
      const c = buf[j];
      if (c === 0 || c === 13) return false;
    }
    if (eqLower(buf, p, ne, CONNECTION)) {
      // one plain token, as parser.ts's listHas() compares in place; lists go to the parser
      for (let j = vs; j < ve; j++) {
        const c = buf[j]!;
        if (c === 44 || c <= 32 || c === 0xa0) return false;
      }
      if (eqLower(buf, vs, ve, CLOSE)) connClose = true;
      else if (eqLower(buf, vs, ve, KEEP_ALIVE)) connKeepAlive = true;
    } else {
      if (eqLower(buf, p, ne, TRANSFER_ENCODING)) return false;
      if (eqLower(buf, p, ne, CONTENT_LENGTH)) {
        if (ve === vs || ve - vs > 15) return false;
        let n = 0;
        for (let j = vs; j < ve; j++) {
          const d = buf[j]! - 48;
          if (d < 0 || d > 9) return false;
          n = n * 10 + d;
        }
        if (length >= 0 && length !== n) return false;
        length = n;
      }
      htx += ne - p + (ve - vs);
      size += ne - p + 2 + (ve - vs) + 2;
    }
    p = le + 2;
  }
  out.status = status;
  out.v11 = v11;
  out.close = v11 ? connClose : !connKeepAlive;
  out.length = length;
  out.htx = htx;
  out.size = size;
  return true;
}

/** The body framing of a scanned head, as parser.ts's responseFraming() gives it. */
export function rawFraming(method: string, scan: RawHeadScan): Framing {
  if (method === 'HEAD' || scan.status === 204 || scan.status === 304 || scan.length === 0) return bodylessFraming;
  return scan.length < 0 ? toCloseFraming : lengthFraming(scan.length);
}

/** Length of what writeRawHead() writes for a head of `scan.size` bytes. */
export function rawHeadLength(size: number, v11: boolean, keepAlive: boolean): number {
  return size + connectionLine(v11, keepAlive).length + 2;
}

/**
 * The head buf[0, end) (scanned) toward the client at `at`, as writeResponseHead() writes it:
 * status line, header names in lower case and `name: value`, the server's `connection`
 * headers dropped and the client's fate's line added. Returns the end offset.
 */
export function writeRawHead(out: Buffer, at: number, buf: Buffer, end: number, v11: boolean, keepAlive: boolean): number {
  // bytes are moved by loops: Buffer#copy of a range allocates a Uint8Array view per call
  const eol = lineEnd(buf, 0, end);
  let o = at;
  for (let j = 0; j < eol; j++) out[o++] = buf[j]!;
  if (eol === 12) out[o++] = 32;
  out[o++] = 13;
  out[o++] = 10;
  let p = eol + 2;
  while (buf[p] !== 13) {
    const le = lineEnd(buf, p, end);
    const ne = nameEnd(buf, p, le);
    if (!eqLower(buf, p, ne, CONNECTION)) {
      for (let j = p; j < ne; j++) {
        const c = buf[j]!;
        out[o++] = c >= 65 && c <= 90 ? c | 0x20 : c;
      }
      out[o++] = 58;
      out[o++] = 32;
      const vs = valueStart(buf, ne, le);
      const ve = valueEnd(buf, vs, le);
      for (let j = vs; j < ve; j++) out[o++] = buf[j]!;
      out[o++] = 13;
      out[o++] = 10;
    }
    p = le + 2;
  }
  o = putStr(out, o, connectionLine(v11, keepAlive));
  out[o++] = 13;
  out[o++] = 10;
  return o;
}
