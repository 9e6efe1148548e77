/**
 * Pattern tables matched with `indexOf` only: each pattern costs O(input length x pattern
 * length) at worst, with no backtracking, so a hostile 8 KB URI costs the same as a benign one.
 *
 * A pattern is lower-case text with two optional anchors:
 *   `^text`  the input must start with `text`;
 *   `text$`  `text` must end the input or be followed by `/`, `;` or `?` (a whole path segment).
 * Everything else is a plain substring (`..`, `<script`, `union select`).
 */
interface Needle {
  readonly source: string;
  readonly text: string;
  readonly start: boolean;
  readonly end: boolean;
}

function compile(p: string): Needle {
  let text = p.toLowerCase();
  const start = text.startsWith('^');
  if (start) text = text.slice(1);
  const end = text.length > 1 && text.endsWith('$');
  if (end) text = text.slice(0, -1);
  return { source: p, text, start, end };
}

function endsSegment(s: string, at: number): boolean {
  if (at >= s.length) return true;
  const c = s.charCodeAt(at);
  return c === 0x2f || c === 0x3b || c === 0x3f;
}

export class NeedleList {
  readonly #needles: readonly Needle[];

  constructor(patterns: readonly string[]) {
    this.#needles = patterns.filter((p) => p.length > 0).map(compile);
  }

  get size(): number {
    return this.#needles.length;
  }

  /** The first pattern (as written in the rules) found in `s`, or null. */
  match(s: string): string | null {
    for (const n of this.#needles) {
      if (n.start) {
        if (s.startsWith(n.text) && (!n.end || endsSegment(s, n.text.length))) return n.source;
        continue;
      }
      let i = s.indexOf(n.text);
      if (!n.end) {
        if (i >= 0) return n.source;
        continue;
      }
      while (i >= 0) {
        if (endsSegment(s, i + n.text.length)) return n.source;
        i = s.indexOf(n.text, i + 1);
      }
    }
    return null;
  }
}
