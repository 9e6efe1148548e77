import { parseTimers } from '../parse/bytes.js';
import { timeField } from './locate.js';
import { SKIP_LINE, type LineFilter } from './types.js';

/** `-rt <ms>` / `-RT <ms>`: the 4th timer (Tr) at least / below the limit; -1 counts as -1. */
export function responseTimeFilter(limit: number, invert: boolean): LineFilter {
  const timers = new Int32Array(7);
  return (ctx, env) => {
    const time = timeField(ctx, env);
    if (time < 0) return SKIP_LINE;
    if (parseTimers(ctx.buf, time, ctx.end, 4, timers) < 4) {
      env.agg.parseErrors++;
      return SKIP_LINE;
    }
    return (timers[3]! >= limit) !== invert ? 1 : 0;
  };
}
