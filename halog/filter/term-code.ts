import { at, fieldStart } from '../parse/bytes.js';
import { Dist } from '../parse/layout.js';
import { SKIP_LINE, type LineFilter } from './types.js';

/** `-tcn <code>` / `-TCN <code>`: the first two termination-state characters equal `code`. */
export function termCodeFilter(code: Uint8Array, invert: boolean): LineFilter {
  const c0 = code[0]!;
  const c1 = code[1]!;
  return (ctx, env) => {
    const { buf, end } = ctx;
    const b = ctx.time >= 0
      ? fieldStart(buf, ctx.time, end, Dist.termFromTime)
      : fieldStart(buf, ctx.accept, end, Dist.termFromAccept);
    if (b >= end) {
      env.truncated(ctx);
      return SKIP_LINE;
    }
    return (buf[b] === c0 && at(buf, b + 1, end) === c1) !== invert ? 1 : 0;
  };
}
