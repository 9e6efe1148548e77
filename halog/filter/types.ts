import type { HalogOptions } from '../cli/options.js';
import type { LineContext } from '../parse/line-context.js';
import type { Aggregates } from '../report/aggregates.js';

/** A filter's verdict: keep (1), drop (0), or abandon the line (halog's `continue`). */
export const SKIP_LINE = -1;
export type Verdict = 0 | 1 | typeof SKIP_LINE;

/** What filters and per-line reports may touch besides the line itself. */
export interface LineEnv {
  readonly options: HalogOptions;
  readonly agg: Aggregates;
  /** Records "Truncated line N: ..." (unless -q), as halog does when a field is missing. */
  truncated(ctx: LineContext): void;
  /** Writes bytes to stdout (line-printing modes only). */
  write(buf: Uint8Array, start: number, end: number): void;
}

export type LineFilter = (ctx: LineContext, env: LineEnv) => Verdict;
