import { isSep, skipTimer } from '../parse/bytes.js';
import { timeField } from './locate.js';
import { SKIP_LINE, type LineFilter } from './types.js';

/** `-H`: keep lines with at least 4 timers, which tells httplog (5) from tcplog (3). */
export const httpOnlyFilter: LineFilter = (ctx, env) => {
  const { buf, end } = ctx;
  let p = timeField(ctx, env);
  if (p < 0) return SKIP_LINE;
  let f = 0;
  while (!isSep(buf, p, end)) {
    if (++f === 4) break;
    p = skipTimer(buf, p, end);
  }
  return f >= 4 ? 1 : 0;
};
