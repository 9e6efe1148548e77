/**
 * Pattern tables, matched in one left-to-right pass over the input with an Aho-Corasick
 * automaton compiled to a full transition table (a DFA): the cost is one table lookup per
 * input character whatever the number of patterns, and there is no backtracking, so a hostile
 * 8 KB URI costs the same per byte as a benign one. (The first version called `indexOf` per
 * pattern: ~250 scans per request line, 20% of detect's time on a generated log.)
 *
 * A pattern is lower-case text with two optional anchors:
 *   `^text`  the input must start with `text`;
 *   `text$`  `text` must end the input or be followed by `/`, `;` or `?` (a whole path segment).
 * Everything else is a plain substring (`..`, `<script`, `union select`).
 *
 * Inputs are JS strings; characters above 0xFF (from `%uXXXX`) take a catch-all column that no
 * pattern uses unless a pattern has such a character, in which case that pattern is matched by
 * `indexOf` instead (rare, slow path).
 */
interface Pattern {
  readonly source: string;
  readonly text: string;
  readonly start: boolean;
  readonly end: boolean;
  /** Which list it came from (MultiNeedles) and its rank there (first listed wins). */
  readonly list: number;
  readonly rank: number;
}

function compile(p: string, list: number, rank: number): Pattern {
  let text = p.toLowerCase();
  const start = text.startsWith('^');
  if (start) text = text.slice(1);
  const end = text.length > 1 && text.endsWith('$');
  if (end) text = text.slice(0, -1);
  return { source: p, text, start, end, list, rank };
}

function endsSegment(s: string, at: number): boolean {
  if (at >= s.length) return true;
  const c = s.charCodeAt(at);
  return c === 0x2f || c === 0x3b || c === 0x3f;
}

/** Input columns: 256 byte values + 1 for every character above 0xFF. */
const COLS = 257;

/** Several pattern lists matched together: `scan()` gives, per list, its first matching pattern. */
export class MultiNeedles {
  readonly lists: number;
  /**
   * The transition table: a row per state, a column per character class (#classOf), 16-bit
   * when the states fit. The built-in probe tables have ~2900 states and 63 characters: 64
   * classes make 371 KB per thread, where a column per byte value made 1.5 MB of fresh memory
   * (~5 ms to touch here). The walk's speed is the same (~3 ns a byte, in cache either way).
   */
  readonly #delta: Uint16Array | Int32Array;
  /** The class of each input column: its own for a character some pattern has, 0 for all the others (they move every state alike). */
  readonly #classOf: Uint16Array;
  /** Classes: the width of a row. */
  readonly #width: number;
  /** Per state: 1 when patterns end there (#out non-null), read before #out on every byte. */
  readonly #ends: Uint8Array;
  /** Per state: patterns that end here (own and via failure links), or null. */
  readonly #out: (readonly Pattern[] | null)[];
  readonly #slow: readonly Pattern[];
  readonly #found: (Pattern | null)[];
  /** #found holds a match from the last walk (scan() always clears it). */
  #dirty = false;
  readonly #result: (string | null)[];

  constructor(lists: readonly (readonly string[])[]) {
    this.lists = lists.length;
    const all: Pattern[] = [];
    lists.forEach((l, li) => l.forEach((p, r) => p.length > 0 && all.push(compile(p, li, r))));
    const fast = all.filter((p) => p.text.length > 0 && [...p.text].every((c) => c.charCodeAt(0) < 256));
    this.#slow = all.filter((p) => !fast.includes(p));
    const classOf = new Uint16Array(COLS);
    let width = 1;
    for (const p of fast) {
      for (let i = 0; i < p.text.length; i++) {
        const c = p.text.charCodeAt(i);
        if (classOf[c] === 0) classOf[c] = width++;
      }
    }
    // Trie, over classes
    const next: Map<number, number>[] = [new Map()];
    const own: Pattern[][] = [[]];
    for (const p of fast) {
      let s = 0;
      for (let i = 0; i < p.text.length; i++) {
        const c = classOf[p.text.charCodeAt(i)]!;
        let t = next[s]!.get(c);
        if (t === undefined) {
          t = next.length;
          next.push(new Map());
          own.push([]);
          next[s]!.set(c, t);
        }
        s = t;
      }
      own[s]!.push(p);
    }
    // Breadth-first: failure links, outputs and the full transition table.
    const n = next.length;
    // Built in its final width: an Int32 table converted afterwards was 3 MB more fresh memory
    // per thread: buildFamilies 33 -> 23 ms wall, 5 runs each (first touch is ~16 µs a page here).
    const delta = n <= 0x10000 ? new Uint16Array(n * width) : new Int32Array(n * width);
    const fail = new Int32Array(n);
    const out: (Pattern[] | null)[] = new Array(n).fill(null);
    const queue: number[] = [];
    for (let c = 0; c < width; c++) {
      const t = next[0]!.get(c);
      delta[c] = t ?? 0;
      if (t !== undefined) queue.push(t);
    }
    out[0] = own[0]!.length ? own[0]! : null;
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      const f = fail[s]!;
      const merged = [...own[s]!, ...(out[f] ?? [])];
      out[s] = merged.length ? merged : null;
      // The failure state's row (already complete: it is shallower), then this state's own
      // edges over it, children queued in column order.
      delta.copyWithin(s * width, f * width, f * width + width);
      const edges = [...next[s]!].sort((a, b) => a[0] - b[0]);
      for (const [c, t] of edges) {
        fail[t] = delta[f * width + c]!;
        delta[s * width + c] = t;
        queue.push(t);
      }
    }
    this.#delta = delta;
    this.#classOf = classOf;
    this.#width = width;
    this.#ends = Uint8Array.from(out, (o) => (o === null ? 0 : 1));
    this.#out = out;
    this.#found = new Array(this.lists).fill(null);
    this.#result = new Array(this.lists).fill(null);
  }

  /**
   * Matches `s` once; returns an array (reused: copy what you keep) with, per list, the
   * matching pattern listed first in that list, or null.
   */
  scan(s: string): readonly (string | null)[] {
    const found = this.#found;
    found.fill(null);
    const delta = this.#delta;
    const classOf = this.#classOf;
    const width = this.#width;
    const out = this.#out;
    let state = 0;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c > 0xff) c = 0x100;
      state = delta[state * width + classOf[c]!]!;
      const o = out[state];
      if (o === null) continue;
      for (const p of o) {
        const prev = found[p.list];
        if (prev && prev.rank <= p.rank) continue;
        if (p.start && i + 1 !== p.text.length) continue;
        if (p.end && !endsSegment(s, i + 1)) continue;
        found[p.list] = p;
      }
    }
    return this.#finish(s);
  }

  /**
   * scan() of the latin1 text of `b[start, end)`, read in place (no string): the same result
   * as `scan(b.toString('latin1', start, end))`.
   */
  scanBytes(b: Uint8Array, start: number, end: number): readonly (string | null)[] {
    this.#walk(b, start, end, end, 0);
    return this.#finish(this.#slow.length > 0 ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', start, end) : '');
  }

  /**
   * scanBytes() of `b[start, mid)` for the lists below `split` and of `b[start, end)` for the
   * others, in one pass (`mid` <= `end`: the path and the whole target of a request). A match
   * of a low list counts only if it ends by `mid`; a `$` anchor there sees `b[mid]`, which is
   * the `?` that ends the path (or the end), so it decides as a scan stopping at `mid` would.
   * Only without indexOf patterns (`canSplit`).
   */
  scanBytesSplit(b: Uint8Array, start: number, mid: number, end: number, split: number): readonly (string | null)[] | null {
    // Nearly every request matches nothing: then no result array is filled, nor read.
    if (this.#walk(b, start, mid, end, split) === 0) return null;
    return this.#finish('');
  }

  /** The automaton over `b[start, end)` into `#found` (lists below `split` end by `mid`); returns the lists matched. */
  #walk(b: Uint8Array, start: number, mid: number, end: number, split: number): number {
    const found = this.#found;
    if (this.#dirty) found.fill(null);
    let lists = 0;
    const delta = this.#delta;
    const classOf = this.#classOf;
    const width = this.#width;
    const out = this.#out;
    let state = 0;
    const ends = this.#ends;
    for (let i = start; i < end; i++) {
      state = delta[state * width + classOf[b[i]!]!]!;
      if (ends[state] === 0) continue;
      const o = out[state]!;
      for (const p of o) {
        if (p.list < split && i >= mid) continue;
        const prev = found[p.list];
        if (prev && prev.rank <= p.rank) continue;
        if (p.start && i + 1 - start !== p.text.length) continue;
        if (p.end && !endsSegmentBytes(b, i + 1, p.list < split ? mid : end)) continue;
        if (prev === null) lists++;
        found[p.list] = p;
      }
    }
    this.#dirty = lists > 0;
    return lists;
  }

  /** Whether scanBytesSplit() may be used (no pattern needs indexOf). */
  get canSplit(): boolean {
    return this.#slow.length === 0;
  }

  /** The patterns matched with indexOf (rare), then the result array. */
  #finish(s: string): readonly (string | null)[] {
    const found = this.#found;
    this.#dirty = true;
    for (const p of this.#slow) {
      const prev = found[p.list];
      if (prev && prev.rank <= p.rank) continue;
      if (matchOne(p, s)) found[p.list] = p;
    }
    const result = this.#result;
    for (let l = 0; l < found.length; l++) result[l] = found[l] ? found[l]!.source : null;
    return result;
  }
}

function endsSegmentBytes(b: Uint8Array, at: number, end: number): boolean {
  if (at >= end) return true;
  const c = b[at]!;
  return c === 0x2f || c === 0x3b || c === 0x3f;
}

function matchOne(n: Pattern, s: string): boolean {
  if (n.start) return s.startsWith(n.text) && (!n.end || endsSegment(s, n.text.length));
  let i = s.indexOf(n.text);
  if (!n.end) return i >= 0;
  while (i >= 0) {
    if (endsSegment(s, i + n.text.length)) return true;
    i = s.indexOf(n.text, i + 1);
  }
  return false;
}

/** One pattern list. */
export class NeedleList {
  readonly #m: MultiNeedles;
  readonly size: number;

  constructor(patterns: readonly string[]) {
    this.#m = new MultiNeedles([patterns]);
    this.size = patterns.filter((p) => p.length > 0).length;
  }

  /** The first pattern (in list order) found in `s`, or null. */
  match(s: string): string | null {
    return this.#m.scan(s)[0]!;
  }
}
