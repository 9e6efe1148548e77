import { fieldStart, str2ic } from '../parse/bytes.js';
import { Dist } from '../parse/layout.js';
import type { LineContext } from '../parse/line-context.js';
import type { LineEnv } from '../filter/types.js';
import type { OutBuffer } from '../output/out-buffer.js';
import type { Aggregates } from './aggregates.js';
import { reachedMax, type Printer } from './print-helpers.js';

/** `-st`: requests per status value (a tcplog line's byte count lands here too, as in halog). */
export function countStatusLine(ctx: LineContext, env: LineEnv): void {
  const { buf, end } = ctx;
  const b = ctx.time >= 0
    ? fieldStart(buf, ctx.time, end, Dist.statusFromTime)
    : fieldStart(buf, ctx.accept, end, Dist.statusFromAccept);
  if (b >= end) {
    env.truncated(ctx);
    return;
  }
  env.agg.counts.add(str2ic(buf, b, end));
}

export const printStatusCounts: Printer = (agg: Aggregates, out: OutBuffer, linesMax: number) => {
  for (const key of agg.counts.sortedKeys()) {
    out.text(`${key} ${agg.counts.get(key)}\n`);
    if (reachedMax(agg, linesMax)) break;
  }
};
