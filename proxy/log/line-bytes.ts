/**
 * Writes the parts of a log line straight into a Buffer at an offset: latin1 strings (one
 * char per byte, as every log field is) and decimal integers (escaped strings: escape.ts
 * putHeader/putRequest). The per-request line is written this way instead of being built as a string and
 * copied into the datagram: the string took a concatenation per field and a flattening copy,
 * about a tenth of what a `Connection: close` request allocates. The caller makes sure the
 * buffer is large enough (see maxBytes); nothing here checks bounds.
 */

/** Bytes a string takes at most once escaped (every byte may become `#XX`). */
export const maxBytes = (s: string): number => s.length * 3;

export function putStr(out: Buffer, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i);
  return at;
}

/** `name: value` and CRLF, an HTTP head's header line (latin1, as putStr). */
export function putHeaderLine(out: Buffer, at: number, name: string, value: string): number {
  at = putStr(out, at, name);
  out[at++] = 0x3a;
  out[at++] = 0x20;
  at = putStr(out, at, value);
  out[at++] = 0x0d;
  out[at++] = 0x0a;
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
  const end = at + intBytes(n);
  let t = Math.abs(n);
  let i = end;
  do {
    out[--i] = 0x30 + (t % 10);
    t = Math.floor(t / 10);
  } while (t > 0);
  if (n < 0) out[at] = 0x2d;
  return end;
}
