import { convertDate } from '../parse/bytes.js';
import type { LineContext } from '../parse/line-context.js';
import type { LineEnv } from '../filter/types.js';
import { pad } from '../output/c-format.js';
import { reachedMax, type Printer } from './print-helpers.js';

/** `-ad`/`-ac`: accepts per millisecond of the day, to spot silences followed by bursts. */
export function acceptHoleLine(ctx: LineContext, env: LineEnv): void {
  const ms = convertDate(ctx.buf, ctx.accept, ctx.end);
  if (ms < 0) {
    env.truncated(ctx);
    return;
  }
  env.agg.counts.add(ms);
}

export function printAcceptHoles(delay: number, countMin: number): Printer {
  return (agg, out, linesMax) => {
    const keys = agg.counts.sortedKeys();
    let last = keys.length ? keys[0]! : 0;
    for (const key of keys) {
      const count = agg.counts.get(key);
      let h = key >>> 0;
      const d = (h - last) >>> 0;
      last = h;
      if (d >= delay && count >= countMin) {
        const ms = h % 1000; h = Math.floor(h / 1000);
        const s = h % 60; h = Math.floor(h / 60);
        const m = h % 60; h = Math.floor(h / 60);
        out.text(`${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms, 3)} ${last | 0} ${d} ${count}\n`);
        if (reachedMax(agg, linesMax)) break;
      }
    }
  };
}
