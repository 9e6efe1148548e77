/**
 * HTTP/1.x message heads, parsed from latin1 strings (one char per byte, so no byte is ever
 * reinterpreted). As strict as llhttp/HAProxy on what makes a request invalid: token method,
 * no control characters or spaces in the URI, version HTTP/1.0 or 1.1, header names are
 * tokens with no space before the colon, no obsolete line folding, no NUL/CR in values,
 * consistent Content-Length, Transfer-Encoding ending in chunked.
 */

export interface Header {
  /** lower-case name */
  readonly name: string;
  readonly value: string;
}

export type Framing = { readonly kind: 'none' } | { readonly kind: 'length'; readonly length: number } | { readonly kind: 'chunked' } | { readonly kind: 'close' };

export interface RequestHead {
  readonly method: string;
  readonly uri: string;
  /** 10 or 11 (any other HTTP/d.d is handled as 1.1) */
  readonly version: number;
  /** As received, for the log: `HTTP/1.1` */
  readonly versionText: string;
  /** The request line as received, `METHOD URI VERSION` (single spaces): the log's `%r`. */
  readonly line: string;
  readonly headers: Header[];
  readonly framing: Framing;
  /** Client asked to keep the connection alive (per its version and Connection header). */
  readonly keepAlive: boolean;
  readonly expectContinue: boolean;
}

export interface ResponseHead {
  readonly versionText: string;
  readonly version: number;
  readonly status: number;
  readonly reason: string;
  readonly headers: Header[];
  /** Server intends to close after this response. */
  readonly close: boolean;
}

/** Maximum size of a request or response head, like HAProxy's default tune.bufsize budget. */
export const MAX_HEAD = 15 * 1024;

/** Index just after the empty line ending a head (`\r\n\r\n` or bare `\n\n`), or -1. */
export function headEnd(buf: Buffer, from = 0): number {
  let i = buf.indexOf(10, from);
  while (i >= 0) {
    const n = buf[i + 1];
    if (n === 10) return i + 2;
    if (n === 13 && buf[i + 2] === 10) return i + 3;
    i = buf.indexOf(10, i + 1);
  }
  return -1;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const BAD_URI = /[\x00-\x20#\x7f-\xff]/; // haproxy 2.6 also refuses '#' and non-ASCII bytes, accepts '"{|}\\^`<>'
// eslint-disable-next-line no-control-regex
const BAD_VALUE = /[\x00\r\n]/; // haproxy 2.6 forwards other control bytes in values (and escapes them in logs)

function splitLines(raw: string): string[] {
  // obsolete line folding: HAProxy 2.6 turns the CR and LF before the continuation into spaces
  const head = raw.includes('\n ') || raw.includes('\n\t') ? raw.replace(/\r?\n(?=[ \t])/g, (m) => ' '.repeat(m.length)) : raw;
  const lines = head.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function parseHeaders(lines: string[]): Header[] | null {
  const headers: Header[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const c = l.indexOf(':');
    if (c <= 0) return null;
    const name = l.slice(0, c);
    if (!TOKEN.test(name)) return null; // also rejects "Name :" and obs-fold lines
    const value = l.slice(c + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (BAD_VALUE.test(value)) return null;
    headers.push({ name: name.toLowerCase(), value });
  }
  return headers;
}

/** Whether a `Connection` header lists `token` (lower case: a-z and '-'). */
function connectionHas(headers: Header[], token: string): boolean {
  for (const h of headers) if (h.name === 'connection' && listHas(h.value, token)) return true;
  return false;
}

function listHas(v: string, token: string): boolean {
  // the usual value is one plain token (`close`, `keep-alive`): compared in place, without
  // the split, trim and lower-cased copies; nothing trim() would remove, no comma
  let plain = true;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 44 || c <= 32 || c === 0xa0) {
      plain = false;
      break;
    }
  }
  if (plain) {
    if (v.length !== token.length) return false;
    // OR 0x20 lower-cases A-Z; among bytes above 0x20 it maps no other byte onto a-z or '-'
    for (let i = 0; i < v.length; i++) if ((v.charCodeAt(i) | 0x20) !== token.charCodeAt(i)) return false;
    return true;
  }
  for (const t of v.split(',')) if (t.trim().toLowerCase() === token) return true;
  return false;
}

/** A Content-Length of 1 to 15 digits and nothing else (the usual form): its value, else -1. */
function plainLength(v: string): number {
  if (v.length === 0 || v.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

// the framings without a length, one object each for every message
const NO_BODY: Framing = { kind: 'none' };
const CHUNKED: Framing = { kind: 'chunked' };
const TO_CLOSE: Framing = { kind: 'close' };
/** The framings of a response read as bytes (raw-head.ts): the same objects as a parsed one's. */
export const bodylessFraming = NO_BODY;
export const toCloseFraming = TO_CLOSE;
export function lengthFraming(length: number): Framing {
  return { kind: 'length', length };
}

/** Body framing from Content-Length / Transfer-Encoding, or null when they are invalid. */
function framing(headers: Header[], isRequest: boolean): Framing | null {
  let te: string | null = null;
  let cl: number | null = null;
  for (const h of headers) {
    if (h.name === 'transfer-encoding') te = te === null ? h.value : `${te}, ${h.value}`;
    else if (h.name === 'content-length') {
      const v = plainLength(h.value);
      if (v >= 0) {
        if (cl !== null && cl !== v) return null;
        cl = v;
        continue;
      }
      for (const part of h.value.split(',')) {
        const p = part.trim();
        if (!/^\d{1,15}$/.test(p)) return null;
        const v = Number(p);
        if (cl !== null && cl !== v) return null;
        cl = v;
      }
    }
  }
  if (te !== null) {
    const codings = te.split(',').map((t) => t.trim().toLowerCase());
    if (codings[codings.length - 1] !== 'chunked' || codings.slice(0, -1).includes('chunked')) return isRequest ? null : TO_CLOSE;
    return CHUNKED;
  }
  if (cl !== null) return cl === 0 ? NO_BODY : { kind: 'length', length: cl };
  return isRequest ? NO_BODY : TO_CLOSE;
}

export function parseRequestHead(head: string): RequestHead | null {
  const fast = fastRequestHead(head);
  return fast === undefined ? parseRequestHeadGeneral(head) : fast;
}

/** Every request head goes through here when the fast path (below) cannot decide. */
export function parseRequestHeadGeneral(head: string): RequestHead | null {
  const lines = splitLines(head);
  // HAProxy and llhttp skip empty lines before a request line.
  while (lines.length && lines[0] === '') lines.shift();
  const rl = lines[0];
  if (rl === undefined) return null;
  const parts = rl.split(' ');
  if (parts.length !== 3) return null;
  const [method, uri, ver] = parts as [string, string, string];
  if (!TOKEN.test(method) || uri === '' || BAD_URI.test(uri)) return null;
  // HAProxy 2.6 accepts any HTTP/d.d on an HTTP/1 connection (checked: "HTTP/2.0" is served)
  if (!/^HTTP\/\d\.\d$/.test(ver) || ver < 'HTTP/1.0') return null;
  if (!(uri.startsWith('/') || uri === '*' || /^https?:\/\//i.test(uri) || method === 'CONNECT')) return null;
  const headers = parseHeaders(lines);
  if (!headers) return null;
  return requestHead(rl, method, uri, ver, headers);
}

function requestHead(line: string, method: string, uri: string, ver: string, headers: Header[]): RequestHead | null {
  const version = ver === 'HTTP/1.0' ? 10 : 11;
  // HAProxy 2.6 accepts HTTP/1.1 without Host (checked), but not two different Host values.
  let host: string | null = null;
  let expectContinue = false;
  let conn = false;
  for (const h of headers) {
    if (h.name === 'host') {
      if (host === null) host = h.value.toLowerCase();
      else if (h.value.toLowerCase() !== host) return null;
    } else if (h.name === 'connection') conn = true;
    else if (h.name === 'expect' && version === 11 && h.value.toLowerCase() === '100-continue') expectContinue = true;
  }
  const f = framing(headers, true);
  if (!f) return null;
  const keepAlive = version === 11 ? !(conn && connectionHas(headers, 'close')) : conn && connectionHas(headers, 'keep-alive');
  return { method, uri, version, versionText: ver, line, headers, framing: f, keepAlive, expectContinue };
}

export function parseResponseHead(head: string): ResponseHead | null {
  const fast = fastResponseHead(head);
  return fast === undefined ? parseResponseHeadGeneral(head) : fast;
}

export function parseResponseHeadGeneral(head: string): ResponseHead | null {
  const lines = splitLines(head);
  const sl = lines[0];
  if (sl === undefined) return null;
  const m = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/.exec(sl);
  if (!m) return null;
  const headers = parseHeaders(lines);
  if (!headers) return null;
  return responseHead(m[1]!, Number(m[2]), m[3] ?? '', headers);
}

function responseHead(versionText: string, status: number, reason: string, headers: Header[]): ResponseHead {
  const version = versionText === 'HTTP/1.1' ? 11 : 10;
  let conn = false;
  for (const h of headers) if (h.name === 'connection') conn = true;
  return {
    versionText,
    version,
    status,
    reason,
    headers,
    close: version === 11 ? conn && connectionHas(headers, 'close') : !(conn && connectionHas(headers, 'keep-alive')),
  };
}

// ---- fast path ---------------------------------------------------------------------------
// The common shape of a head (CRLF line ends, no folding, origin-form URI, HTTP/1.0 or 1.1,
// well-formed header lines) read in one pass over the string, without splitting it into
// lines or running regular expressions. Anything else (`undefined`) goes to the general
// parser above, which decides; so both accept and refuse exactly the same heads.

/** RFC 9110 tchar (1 for the bytes a header name or method may hold). */
export const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

/** Index of the CR of the line starting at `from` when it ends in CRLF and is not folded, else -1. */
function lineEnd(raw: string, from: number): number {
  const nl = raw.indexOf('\n', from);
  if (nl <= from || raw.charCodeAt(nl - 1) !== 13) return -1;
  const next = raw.charCodeAt(nl + 1);
  if (next === 32 || next === 9) return -1; // obsolete line folding
  return nl - 1;
}

/**
 * Names of the usual request and response headers, lower case, by length: a head's name
 * that is one of them (in any case) becomes this string instead of a slice of the head and a
 * lower-cased copy, two strings per header of every request and response.
 */
const KNOWN_NAMES: readonly (readonly string[])[] = (() => {
  const names = ['host', 'connection', 'content-length', 'content-type', 'date', 'server', 'accept', 'user-agent', 'accept-encoding', 'accept-language', 'accept-ranges', 'last-modified', 'etag', 'cache-control', 'transfer-encoding', 'keep-alive', 'cookie', 'set-cookie', 'location', 'vary', 'expires', 'x-forwarded-for', 'authorization', 'upgrade', 'expect', 'referer', 'pragma', 'age'];
  const byLength: string[][] = [];
  for (const n of names) (byLength[n.length] ??= []).push(n);
  return Array.from(byLength, (l) => l ?? []);
})();

/**
 * The known lower-case name equal to raw[from, to) ignoring ASCII case, else null. The bytes
 * are tchars (checked by the caller), and OR-ing 0x20 changes only A-Z among the tchars that
 * can match a name made of a-z, 0-9 and '-'.
 */
function knownName(raw: string, from: number, to: number): string | null {
  const cands = KNOWN_NAMES[to - from];
  if (cands === undefined) return null;
  next: for (const c of cands) {
    for (let k = 0; k < c.length; k++) if ((raw.charCodeAt(from + k) | 0x20) !== c.charCodeAt(k)) continue next;
    return c;
  }
  return null;
}

/** Header lines from `p` to the empty line ending the head, or undefined. */
function fastHeaders(raw: string, p: number): Header[] | undefined {
  const headers: Header[] = [];
  for (;;) {
    if (raw.charCodeAt(p) === 13 && raw.charCodeAt(p + 1) === 10) return p + 2 === raw.length ? headers : undefined;
    const eol = lineEnd(raw, p);
    if (eol < 0) return undefined;
    let i = p;
    let upper = false;
    for (; i < eol; i++) {
      const c = raw.charCodeAt(i);
      if (TCHAR[c] === 0) break;
      if (c <= 90 && c >= 65) upper = true;
    }
    if (i === p || i === eol || raw.charCodeAt(i) !== 58) return undefined;
    let vs = i + 1;
    let c = raw.charCodeAt(vs);
    while (vs < eol && (c === 32 || c === 9)) c = raw.charCodeAt(++vs);
    let ve = eol;
    c = raw.charCodeAt(ve - 1);
    while (ve > vs && (c === 32 || c === 9)) c = raw.charCodeAt(--ve - 1);
    for (let j = vs; j < ve; j++) {
      c = raw.charCodeAt(j);
      if (c === 0 || c === 13) return undefined;
    }
    let name = knownName(raw, p, i);
    if (name === null) {
      name = raw.slice(p, i);
      if (upper) name = name.toLowerCase();
    }
    headers.push({ name, value: raw.slice(vs, ve) });
    p = eol + 2;
  }
}

function fastRequestHead(raw: string): RequestHead | null | undefined {
  const eol = lineEnd(raw, 0);
  if (eol < 0) return undefined;
  const sp1 = raw.indexOf(' ');
  if (sp1 <= 0 || sp1 >= eol) return undefined;
  const sp2 = raw.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || sp2 >= eol || sp2 === sp1 + 1 || eol - sp2 !== 9) return undefined;
  for (let i = 0; i < sp1; i++) if (TCHAR[raw.charCodeAt(i)] === 0) return undefined;
  if (raw.charCodeAt(sp1 + 1) !== 47) return undefined; // '/'
  for (let i = sp1 + 2; i < sp2; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 35) return undefined;
  }
  // "HTTP/1.0" or "HTTP/1.1"
  const minor = raw.charCodeAt(sp2 + 8);
  if (!raw.startsWith('HTTP/1.', sp2 + 1) || (minor !== 48 && minor !== 49)) return undefined;
  const headers = fastHeaders(raw, eol + 2);
  if (headers === undefined) return undefined;
  return requestHead(raw.slice(0, eol), raw.slice(0, sp1), raw.slice(sp1 + 1, sp2), minor === 49 ? 'HTTP/1.1' : 'HTTP/1.0', headers);
}

function fastResponseHead(raw: string): ResponseHead | null | undefined {
  const eol = lineEnd(raw, 0);
  if (eol < 12 || !raw.startsWith('HTTP/1.')) return undefined;
  const minor = raw.charCodeAt(7);
  if ((minor !== 48 && minor !== 49) || raw.charCodeAt(8) !== 32) return undefined;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const d = raw.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    status = status * 10 + d;
  }
  let reason = '';
  if (eol > 12) {
    if (raw.charCodeAt(12) !== 32 || raw.indexOf('\r', 13) !== eol) return undefined;
    reason = raw.slice(13, eol);
  }
  const headers = fastHeaders(raw, eol + 2);
  if (headers === undefined) return undefined;
  return responseHead(minor === 49 ? 'HTTP/1.1' : 'HTTP/1.0', status, reason, headers);
}

/** Response body framing, given the request method and the status (RFC 9112 6.3). */
export function responseFraming(method: string, head: ResponseHead): Framing | null {
  if (method === 'HEAD' || head.status === 204 || head.status === 304 || head.status < 200) return NO_BODY;
  return framing(head.headers, false);
}

/**
 * Incremental scanner of a chunked body: finds where it ends without copying it, so that
 * the raw bytes can be forwarded as they are. `payload` counts the chunk data bytes.
 */
export class ChunkedScanner {
  #state: 'size' | 'ext' | 'sizeLf' | 'data' | 'dataCr' | 'dataLf' | 'trailer' | 'trailerLf' | 'trailerLine' | 'done' = 'size';
  #remaining = 0;
  #sizeDigits = 0;
  #trailerEmpty = true;
  payload = 0;
  error = false;

  get done(): boolean {
    return this.#state === 'done';
  }

  /** Scans `buf` from `off`; returns the index just after the last byte of the body, or -1 if not finished. */
  feed(buf: Buffer, off = 0): number {
    let i = off;
    const n = buf.length;
    while (i < n && !this.error) {
      const c = buf[i]!;
      switch (this.#state) {
        case 'size': {
          const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
          if (d >= 0) {
            if (++this.#sizeDigits > 12) this.error = true;
            this.#remaining = this.#remaining * 16 + d;
          } else if (this.#sizeDigits === 0) this.error = true;
          else if (c === 13) this.#state = 'sizeLf';
          else if (c === 10) this.#afterSize();
          else if (c === 59 || c === 32 || c === 9) this.#state = 'ext';
          else this.error = true;
          i++;
          break;
        }
        case 'ext':
          if (c === 13) this.#state = 'sizeLf';
          else if (c === 10) this.#afterSize();
          i++;
          break;
        case 'sizeLf':
          if (c !== 10) this.error = true;
          else this.#afterSize();
          i++;
          break;
        case 'data': {
          const take = Math.min(this.#remaining, n - i);
          this.#remaining -= take;
          this.payload += take;
          i += take;
          if (this.#remaining === 0) this.#state = 'dataCr';
          break;
        }
        case 'dataCr':
          if (c === 13) this.#state = 'dataLf';
          else if (c === 10) this.#state = 'size';
          else this.error = true;
          i++;
          break;
        case 'dataLf':
          if (c !== 10) this.error = true;
          this.#state = 'size';
          i++;
          break;
        case 'trailer':
          if (c === 13) this.#state = 'trailerLf';
          else if (c === 10) {
            if (this.#trailerEmpty) {
              this.#state = 'done';
              return i + 1;
            }
            this.#trailerEmpty = true;
          } else {
            this.#trailerEmpty = false;
            this.#state = 'trailerLine';
          }
          i++;
          break;
        case 'trailerLine':
          if (c === 10) {
            this.#trailerEmpty = true;
            this.#state = 'trailer';
          }
          i++;
          break;
        case 'trailerLf':
          if (c !== 10) this.error = true;
          i++;
          if (this.#trailerEmpty) {
            this.#state = 'done';
            return i;
          }
          this.#trailerEmpty = true;
          this.#state = 'trailer';
          break;
        case 'done':
          return i;
      }
    }
    return this.#state === 'done' ? i : -1;
  }

  #afterSize(): void {
    this.#sizeDigits = 0;
    if (this.#remaining === 0) {
      this.#state = 'trailer';
      this.#trailerEmpty = true;
    } else this.#state = 'data';
  }
}
