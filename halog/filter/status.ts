import type { HalogOptions } from '../cli/options.js';
import { fieldStart, str2ic } from '../parse/bytes.js';
import { Dist } from '../parse/layout.js';
import { SKIP_LINE, type LineFilter } from './types.js';

/**
 * `-e`/`-E` (status < 0 or 5xx, or not) and `-hs`/`-HS` (status within bounds, or not),
 * which halog evaluates together on the same field.
 */
export function statusFilter(o: HalogOptions): LineFilter {
  const { errorsOnly, invertErrors, httpStatus, invertHttpStatus, statusLow, statusHigh } = o;
  return (ctx, env) => {
    const { buf, end } = ctx;
    const b = ctx.time >= 0
      ? fieldStart(buf, ctx.time, end, Dist.statusFromTime)
      : fieldStart(buf, ctx.accept, end, Dist.statusFromAccept);
    if (b >= end) {
      env.truncated(ctx);
      return SKIP_LINE;
    }
    const val = str2ic(buf, b, end);
    let test = 1;
    if (errorsOnly && (val < 0 || (val >= 500 && val <= 599)) === invertErrors) test = 0;
    if (httpStatus && (val >= statusLow && val <= statusHigh) === invertHttpStatus) test = 0;
    return test as 0 | 1;
  };
}
