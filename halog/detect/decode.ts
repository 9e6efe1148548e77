/**
 * Normalizes a request target before matching, so that `%2e%2e%2f`, `%252e%252e%252f`,
 * `..%5c` and HAProxy's own `#22` escapes all reach the pattern tables as `../`.
 *
 * Everything here is a single left-to-right pass over the string (no regex): attacker input
 * never meets a backtracking engine.
 */

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Undoes HAProxy's log escaping: a byte it would not log raw (`"`, `#`, control bytes,
 * non-ASCII...) is written `#XX`. Only `#` followed by two hex digits is an escape.
 */
export function unescapeHaproxy(s: string): string {
  if (s.indexOf('#') < 0) return s;
  let out = '';
  let from = 0;
  for (let i = 0; i + 2 < s.length; i++) {
    if (s.charCodeAt(i) !== 0x23) continue;
    const h = hexVal(s.charCodeAt(i + 1));
    const l = hexVal(s.charCodeAt(i + 2));
    if (h < 0 || l < 0) continue;
    out += s.slice(from, i) + String.fromCharCode(h * 16 + l);
    from = i + 3;
    i += 2;
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * One round of percent-decoding: `%XX` and IIS-style `%uXXXX`; `+` becomes a space when
 * `plusIsSpace` (query strings). Invalid escapes stay as they are, as servers treat them.
 */
export function percentDecodeOnce(s: string, plusIsSpace: boolean): string {
  if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) return s;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b && plusIsSpace) {
      out += s.slice(from, i) + ' ';
      from = i + 1;
      continue;
    }
    if (c !== 0x25) continue;
    if (i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        out += s.slice(from, i) + String.fromCharCode(h * 16 + l);
        from = i + 3;
        i += 2;
        continue;
      }
    }
    if (i + 5 < s.length && (s.charCodeAt(i + 1) | 0x20) === 0x75) {
      let v = 0;
      let ok = true;
      for (let k = 2; k < 6; k++) {
        const d = hexVal(s.charCodeAt(i + k));
        if (d < 0) {
          ok = false;
          break;
        }
        v = v * 16 + d;
      }
      if (ok) {
        out += s.slice(from, i) + String.fromCharCode(v);
        from = i + 6;
        i += 5;
      }
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** Decodes until stable, at most `rounds` times (2 covers double encoding; 3 is the default). */
export function percentDecode(s: string, plusIsSpace: boolean, rounds = 3): string {
  for (let r = 0; r < rounds; r++) {
    // `+` means a space only as sent: a `+` that decoding produced (%2B) is a plus sign.
    const d = percentDecodeOnce(s, plusIsSpace && r === 0);
    if (d === s) return d;
    s = d;
  }
  return s;
}

/** What the matchers see of one request target. */
export interface DecodedTarget {
  /** Path before the first raw `?`, decoded, lower-cased, `\` turned into `/`. */
  readonly path: string;
  /** Query string after the first raw `?` (without it), decoded (`+` = space), lower-cased. */
  readonly query: string;
  /** `path` + `?` + `query` when there is a query, else `path`. */
  readonly full: string;
  /** The path as logged (not decoded), for distinct-path counting. */
  readonly rawPath: string;
}

function normalize(s: string): string {
  let t = s.toLowerCase();
  if (t.indexOf('\\') >= 0) t = t.split('\\').join('/');
  return t;
}

/**
 * Nothing to decode or normalize: no `%`, `#`, `+`, `\\`, upper-case letter or non-ASCII, and
 * not absolute-form. Most request targets are; they are then used as they are (no copies).
 */
function isPlain(s: string): boolean {
  if (s.charCodeAt(0) !== 0x2f) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 || c === 0x23 || c === 0x2b || c === 0x5c || (c >= 0x41 && c <= 0x5a) || c > 0x7e || c < 0x20) return false;
  }
  return true;
}

/**
 * Splits at the first raw `?` (an encoded `%3f` belongs to the path, as for the server),
 * strips an absolute-form `scheme://host` prefix, then decodes each part.
 */
export function decodeTarget(uri: string): DecodedTarget {
  if (isPlain(uri)) {
    const q = uri.indexOf('?');
    if (q < 0) return { path: uri, query: '', full: uri, rawPath: uri };
    const path = uri.slice(0, q);
    return { path, query: uri.slice(q + 1), full: uri, rawPath: path };
  }
  let u = unescapeHaproxy(uri);
  const scheme = u.indexOf('://');
  if (scheme > 0 && scheme < 8 && u.charCodeAt(0) !== 0x2f) {
    const slash = u.indexOf('/', scheme + 3);
    u = slash < 0 ? '/' : u.slice(slash);
  }
  const q = u.indexOf('?');
  const rawPath = q < 0 ? u : u.slice(0, q);
  const path = normalize(percentDecode(rawPath, false));
  if (q < 0) return { path, query: '', full: path, rawPath };
  const query = normalize(percentDecode(u.slice(q + 1), true));
  return { path, query, full: `${path}?${query}`, rawPath };
}
