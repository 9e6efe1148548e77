import type { HalogOptions } from '../cli/options.js';
import { str2ic } from '../parse/bytes.js';
import { statusField } from './locate.js';
import { SKIP_LINE, type LineFilter } from './types.js';

/**
 * `-e`/`-E` (status < 0 or 5xx, or not) and `-hs`/`-HS` (status within bounds, or not),
 * which halog evaluates together on the same field.
 */
export function statusFilter(o: HalogOptions): LineFilter {
  const { errorsOnly, invertErrors, httpStatus, invertHttpStatus, statusLow, statusHigh } = o;
  return (ctx, env) => {
    const b = statusField(ctx, env);
    if (b < 0) return SKIP_LINE;
    const val = str2ic(ctx.buf, b, ctx.end);
    let test = 1;
    if (errorsOnly && (val < 0 || (val >= 500 && val <= 599)) === invertErrors) test = 0;
    if (httpStatus && (val >= statusLow && val <= statusHigh) === invertHttpStatus) test = 0;
    return test as 0 | 1;
  };
}
