/**
 * HAProxy's log escaping (log.c `init_log()` maps, tools.c `encode_string()`): a byte to escape
 * becomes `#` and two upper-case hex digits. Strings here are latin1 (one char per byte), so
 * bytes >= 0x80 are escaped one by one, as HAProxy does. A client can therefore never put a CR,
 * LF or `"` into a log line through a header or the request line.
 */

/** '0'-'9', 'A'-'F'. */
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');

function makeMap(extra: string): Uint8Array {
  const m = new Uint8Array(256);
  for (let c = 0; c < 0x20; c++) m[c] = 1;
  for (let c = 0x7f; c < 256; c++) m[c] = 1;
  for (const ch of extra) m[ch.charCodeAt(0)] = 1;
  return m;
}

/** Captured headers (`%hr`, `%hs`): controls, >= 0x7f and `" # { | }`. Space is kept. */
export const HEADER_MAP = makeMap('"#{|}');
/** Request line (`%r`): controls, >= 0x7f, `"` and `#`. */
export const URL_MAP = makeMap('"#');

/** Bytes of `s` written at `at` with the bytes `map` marks escaped; returns the end offset (room: 3 bytes a char). */
function putEscaped(out: Buffer, at: number, s: string, map: Uint8Array): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) & 0xff;
    if (map[c] === 0) out[at++] = c;
    else {
      out[at++] = 0x23; // #
      out[at++] = HEX[c >> 4]!;
      out[at++] = HEX[c & 15]!;
    }
  }
  return at;
}

/** A captured header value, escaped, written at `at` (the log line is built as bytes). */
export const putHeader = (out: Buffer, at: number, s: string): number => putEscaped(out, at, s, HEADER_MAP);
/** A request line, escaped, written at `at`. */
export const putRequest = (out: Buffer, at: number, s: string): number => putEscaped(out, at, s, URL_MAP);

function encode(s: string, map: Uint8Array): string {
  const out = Buffer.allocUnsafe(s.length * 3);
  return out.toString('latin1', 0, putEscaped(out, 0, s, map));
}

export const escapeHeader = (s: string): string => encode(s, HEADER_MAP);
export const escapeRequest = (s: string): string => encode(s, URL_MAP);
