import { termField } from '../filter/locate.js';
import { byteBeyond, type LineContext } from '../parse/line-context.js';
import type { LineEnv } from '../filter/types.js';
import { reachedMax, type Printer } from './print-helpers.js';

/**
 * `-tc` counts the first two termination-state characters, `-cc` the last two (the cookie
 * flags). The key is `256 * c1 + c2`, so the report sorts by those bytes.
 */
export function codePairLine(offset: 0 | 2) {
  return (ctx: LineContext, env: LineEnv): void => {
    const b = termField(ctx, env);
    if (b < 0) return;
    // halog reads past a short field into the next bytes of the line, up to its NUL.
    // halog's bytes are signed chars, which orders bytes >= 0x80 first.
    env.agg.counts.add(256 * signedChar(byteBeyond(ctx, b + offset)) + signedChar(byteBeyond(ctx, b + offset + 1)));
  };
}

function signedChar(c: number): number {
  return c >= 128 ? c - 256 : c;
}

export const printCodePairs: Printer = (agg, out, linesMax) => {
  for (const key of agg.counts.sortedKeys()) {
    out.text(`${String.fromCharCode((key >> 8) & 0xff, key & 0xff)} ${agg.counts.get(key)}\n`);
    if (reachedMax(agg, linesMax)) break;
  }
};
