import { at } from '../parse/bytes.js';
import { termField } from './locate.js';
import { SKIP_LINE, type LineFilter } from './types.js';

/** `-tcn <code>` / `-TCN <code>`: the first two termination-state characters equal `code`. */
export function termCodeFilter(code: Uint8Array, invert: boolean): LineFilter {
  const c0 = code[0]!;
  const c1 = code[1]!;
  return (ctx, env) => {
    const b = termField(ctx, env);
    if (b < 0) return SKIP_LINE;
    return (ctx.buf[b] === c0 && at(ctx.buf, b + 1, ctx.end) === c1) !== invert ? 1 : 0;
  };
}
