/** Output sink of the table renderers: they write in chunks so a large report is never one string. */
export type Write = (chunk: string) => void;

/** Rows per chunk: big enough to amortize a write, small enough to keep memory flat. */
export const ROWS_PER_CHUNK = 2000;

/** Runs a chunked renderer into one string (tests, small outputs). */
export function collect(render: (write: Write) => void): string {
  const parts: string[] = [];
  render((s) => parts.push(s));
  return parts.join('');
}
