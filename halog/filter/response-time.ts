import { fieldStart, parseTimers } from '../parse/bytes.js';
import { Dist } from '../parse/layout.js';
import { SKIP_LINE, type LineFilter } from './types.js';

/** `-rt <ms>` / `-RT <ms>`: the 4th timer (Tr) at least / below the limit; -1 counts as -1. */
export function responseTimeFilter(limit: number, invert: boolean): LineFilter {
  const timers = new Int32Array(7);
  return (ctx, env) => {
    const { buf, end } = ctx;
    if (ctx.time < 0) {
      ctx.time = fieldStart(buf, ctx.accept, end, Dist.timeFromAccept);
      if (ctx.time >= end) {
        env.truncated(ctx);
        return SKIP_LINE;
      }
    }
    if (parseTimers(buf, ctx.time, end, 4, timers) < 4) {
      env.agg.parseErrors++;
      return SKIP_LINE;
    }
    return (timers[3]! >= limit) !== invert ? 1 : 0;
  };
}
