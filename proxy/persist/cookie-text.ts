/**
 * Text-level helpers for `Cookie` / `Set-Cookie` values, with HAProxy 2.6's exact rules
 * (src/http.c, src/http_ana.c, src/base64.c): where a value ends, how a value is cut out of
 * a list (the spacing that remains is visible to servers and clients, so it must match byte
 * for byte), and the 5-character dates of `maxidle` / `maxlife` cookies. Values are latin1
 * strings, as the HTTP parser produces them.
 */

export function isSpHt(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** End of a cookie value starting at `from`: the first `;` or `,` outside double quotes. */
export function cookieValueEnd(s: string, from: number, end: number): number {
  return valueEnd(s, from, end, true);
}

/** End of one element of a comma-separated header value (quotes respected). */
export function listValueEnd(s: string, from: number, end: number): number {
  return valueEnd(s, from, end, false);
}

function valueEnd(s: string, from: number, end: number, semicolon: boolean): number {
  let quoted = false;
  let pair = false;
  let i = from;
  for (; i < end; i++) {
    const c = s[i];
    if (pair) pair = false;
    else if (quoted) {
      if (c === '\\') pair = true;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',' || (semicolon && c === ';')) return i;
  }
  return i;
}

/**
 * Removes the element between the delimiter at `from` (or the start, 0) and the delimiter at
 * `next` (or the end) from `s`, whose length is the header end. Like HAProxy: removing the first
 * element also eats the following delimiter and blanks; otherwise the blanks before `from` go,
 * `from` takes the next delimiter, followed by one space when the removed block was long
 * enough to hold it. `delta` is the (negative) length change, `from` the moved delimiter.
 */
export function deleteValue(s: string, from: number, next: number): { s: string; delta: number; from: number } {
  const end = s.length;
  let prev = from;
  let head: string;
  if (prev === 0) {
    if (next < end) next++;
    while (next < end && isSpHt(s[next])) next++;
    head = '';
  } else {
    while (isSpHt(s[prev - 1])) prev--;
    from = prev;
    head = s.slice(0, prev);
    if (next < end) {
      head += s[next];
      prev++;
      next++;
      if (prev + 1 < next) {
        head += ' ';
        prev++;
      }
      while (next < end && isSpHt(s[next])) next++;
    }
  }
  return { s: head + s.slice(next), delta: prev - next, from };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The low 30 bits of `v` as 5 base64 characters, most significant first (no padding). */
export function encodeDate30(v: number): string {
  let out = '';
  for (let shift = 24; shift >= 0; shift -= 6) out += B64[(v >>> shift) & 0x3f];
  return out;
}

/** The 5 characters at `at` decoded by `encodeDate30`'s rule; -1 on any other character. */
export function decodeDate30(s: string, at: number): number {
  let out = 0;
  for (let i = at; i < at + 5; i++) {
    const d = B64.indexOf(s[i] ?? '=');
    if (d < 0) return -1;
    out = (out << 6) + d;
  }
  return out;
}
