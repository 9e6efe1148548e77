import { str2ic } from '../parse/bytes.js';
import { statusField } from '../filter/locate.js';
import type { LineContext } from '../parse/line-context.js';
import type { LineEnv } from '../filter/types.js';
import type { OutBuffer } from '../output/out-buffer.js';
import type { Aggregates } from './aggregates.js';
import { reachedMax, type Printer } from './print-helpers.js';

/** `-st`: requests per status value (a tcplog line's byte count lands here too, as in halog). */
export function countStatusLine(ctx: LineContext, env: LineEnv): void {
  const b = statusField(ctx, env);
  if (b >= 0) env.agg.counts.add(str2ic(ctx.buf, b, ctx.end));
}

export const printStatusCounts: Printer = (agg: Aggregates, out: OutBuffer, linesMax: number) => {
  for (const key of agg.counts.sortedKeys()) {
    out.text(`${key} ${agg.counts.get(key)}\n`);
    if (reachedMax(agg, linesMax)) break;
  }
};
