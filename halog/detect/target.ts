/**
 * The request target of the current line, as the families see it, without a string per line.
 *
 * Most targets are plain (decode.ts isPlain: starts with `/`, no `%`, `#`, `+`, `\`, upper case,
 * control or non-ASCII byte): then the decoded path and path?query are the logged bytes
 * themselves, and the pattern tables (needles.ts scanBytes), the static-asset test and the
 * distinct-page hash all read them in place. The strings are made only when a family keeps one
 * (a distinct error path, a matched probe). Other targets (3 % of a generated log) go through
 * decodeTarget() as before, so both ways see the same text.
 */
import { decodeTarget, type DecodedTarget } from './decode.js';

/**
 * 30-bit hash of a decoded path, from two 32-bit FNV-style hashes. 30 bits keep it a V8 small
 * integer: a 53-bit hash was a heap number, and every Set lookup and insert of one (a line of
 * every client, crawl.aggressive) hashed a double and allocated (a fifth of detect's time).
 * Collisions: a client at the 4096-path cap has them with probability ~ 4096^2 / 2^31 (0.8 %),
 * and one costs a single uncounted new page, far from any threshold.
 */
function finish(h1: number, h2: number): number {
  return (h1 ^ Math.imul(h2, 0x27d4eb2d) ^ (h2 >>> 17)) & 0x3fffffff;
}

export class TargetView {
  buf: Buffer = Buffer.alloc(0);
  /** The logged target (request line between method and version). */
  start = 0;
  end = 0;
  /** End of the path: the first raw `?`, or `end`. */
  pathEnd = 0;
  /** True when the bytes are the decoded text (see above). */
  plain = false;
  #decoded: DecodedTarget | null = null;
  #path: string | null = null;
  #full: string | null = null;
  /** pathHash() of this target, once computed (several rules key on it); -1 before. */
  #hash = -1;

  /** Points the view at `buf[start, end)` (a request target) for the next line. */
  reset(buf: Buffer, start: number, end: number): void {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.#decoded = null;
    this.#path = null;
    this.#full = null;
    this.#hash = -1;
    let plain = end > start && buf[start] === 0x2f;
    let q = -1;
    for (let i = start; plain && i < end; i++) {
      const c = buf[i]!;
      if (c === 0x25 || c === 0x23 || c === 0x2b || c === 0x5c || (c >= 0x41 && c <= 0x5a) || c > 0x7e || c < 0x20) plain = false;
      else if (c === 0x3f && q < 0) q = i;
    }
    this.plain = plain;
    this.pathEnd = q < 0 ? end : q;
    if (!plain) this.#decoded = decodeTarget(buf.toString('latin1', start, end));
  }

  /** Decoded, lower-cased path (DecodedTarget.path). */
  path(): string {
    if (this.#decoded) return this.#decoded.path;
    return (this.#path ??= this.buf.toString('latin1', this.start, this.pathEnd));
  }

  /** Decoded path?query (DecodedTarget.full). */
  full(): string {
    if (this.#decoded) return this.#decoded.full;
    return (this.#full ??= this.buf.toString('latin1', this.start, this.end));
  }

  /** Hash of path(), the same whether computed from the bytes or from the decoded string. */
  pathHash(): number {
    if (this.#hash < 0) this.#hash = this.#computeHash();
    return this.#hash;
  }

  #computeHash(): number {
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0x2545f491 | 0;
    if (this.#decoded) {
      const s = this.#decoded.path;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
      }
    } else {
      const b = this.buf;
      for (let i = this.start; i < this.pathEnd; i++) {
        const c = b[i]!;
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
      }
    }
    return finish(h1, h2);
  }

  /**
   * The extension of path() (from its last `.`, at most `max` characters, no `/` after it) as
   * a number (one byte per character, up to 6 fit in 48 bits), or -1. Compared against
   * extensionCode() of the configured static extensions.
   */
  extension(max: number): number {
    if (this.#decoded) return extensionCode(this.#decoded.path, max);
    const b = this.buf;
    let dot = -1;
    for (let i = this.pathEnd - 1; i >= this.start; i--) {
      const c = b[i]!;
      if (c === 0x2e) {
        dot = i;
        break;
      }
      if (c === 0x2f) return -1;
    }
    if (dot < 0 || this.pathEnd - dot > max) return -1;
    let v = 0;
    for (let i = dot; i < this.pathEnd; i++) v = v * 256 + b[i]!;
    return v;
  }
}

/** extension() of a string: the same number for the same characters (-1 when none). */
export function extensionCode(p: string, max: number): number {
  const dot = p.lastIndexOf('.');
  if (dot < 0 || p.length - dot > max || p.indexOf('/', dot) >= 0) return -1;
  let v = 0;
  for (let i = dot; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c > 0xff) return -2;
    v = v * 256 + c;
  }
  return v;
}
