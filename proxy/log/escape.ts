/**
 * HAProxy's log escaping (log.c `init_log()` maps, tools.c `encode_string()`): a byte to escape
 * becomes `#` and two upper-case hex digits. Strings here are latin1 (one char per byte), so
 * bytes >= 0x80 are escaped one by one, as HAProxy does. A client can therefore never put a CR,
 * LF or `"` into a log line through a header or the request line.
 */

const HEX = '0123456789ABCDEF';

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

function encode(s: string, map: Uint8Array): string {
  let i = 0;
  const n = s.length;
  while (i < n && map[s.charCodeAt(i) & 0xff] === 0) i++;
  if (i === n) return s;
  let out = s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i) & 0xff;
    out += map[c] ? '#' + HEX[c >> 4] + HEX[c & 15] : s[i];
  }
  return out;
}

export const escapeHeader = (s: string): string => encode(s, HEADER_MAP);
export const escapeRequest = (s: string): string => encode(s, URL_MAP);
