import { fieldStart, isSep, skipTimer } from '../parse/bytes.js';
import { Dist } from '../parse/layout.js';
import { SKIP_LINE, type LineFilter } from './types.js';

/** `-H`: keep lines with at least 4 timers, which tells httplog (5) from tcplog (3). */
export const httpOnlyFilter: LineFilter = (ctx, env) => {
  const { buf, end } = ctx;
  if (ctx.time < 0) {
    ctx.time = fieldStart(buf, ctx.accept, end, Dist.timeFromAccept);
    if (ctx.time >= end) {
      env.truncated(ctx);
      return SKIP_LINE;
    }
  }
  let p = ctx.time;
  let f = 0;
  while (!isSep(buf, p, end)) {
    if (++f === 4) break;
    p = skipTimer(buf, p, end);
  }
  return f >= 4 ? 1 : 0;
};
