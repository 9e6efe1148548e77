/**
 * Writes the parts of a log line straight into a Buffer at an offset: latin1 strings (one
 * char per byte, as every log field is), decimal integers, and strings with HAProxy's log
 * escaping. The per-request line is written this way instead of being built as a string and
 * copied into the datagram: the string took a concatenation per field and a flattening copy,
 * about a tenth of what a `Connection: close` request allocates. The caller makes sure the
 * buffer is large enough (see maxBytes); nothing here checks bounds.
 */
import { HEADER_MAP, URL_MAP } from './escape.js';

const HEX = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46];

/** Bytes a string takes at most once escaped (every byte may become `#XX`). */
export const maxBytes = (s: string): number => s.length * 3;

export function putStr(out: Buffer, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i);
  return at;
}

/** Bytes putInt() writes for `n`. */
export function intBytes(n: number): number {
  let digits = n < 0 ? 2 : 1;
  for (let t = Math.abs(n); t >= 10; t = Math.floor(t / 10)) digits++;
  return digits;
}

/** A safe integer, `-` first when negative, as String(n) writes it. */
export function putInt(out: Buffer, at: number, n: number): number {
  if (n < 0) {
    out[at++] = 0x2d;
    n = -n;
  }
  if (n < 10) {
    out[at] = 0x30 + n;
    return at + 1;
  }
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  let i = at + digits;
  for (let t = n; i > at; t = Math.floor(t / 10)) out[--i] = 0x30 + (t % 10);
  return at + digits;
}

function putEscaped(out: Buffer, at: number, s: string, map: Uint8Array): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) & 0xff;
    if (map[c] === 0) out[at++] = c;
    else {
      out[at++] = 0x23;
      out[at++] = HEX[c >> 4]!;
      out[at++] = HEX[c & 15]!;
    }
  }
  return at;
}

/** escapeHeader(s), written. */
export const putHeader = (out: Buffer, at: number, s: string): number => putEscaped(out, at, s, HEADER_MAP);
/** escapeRequest(s), written. */
export const putRequest = (out: Buffer, at: number, s: string): number => putEscaped(out, at, s, URL_MAP);
