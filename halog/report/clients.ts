import { fieldStart, fieldStop, isSep, skipTimer, str2ic } from '../parse/bytes.js';
import { Dist } from '../parse/layout.js';
import type { LineContext } from '../parse/line-context.js';
import type { LineEnv } from '../filter/types.js';
import { timeField } from '../filter/locate.js';
import { addRow } from './urls.js';

/**
 * `-ic`: per client address (the source field up to its last ':', so IPv6 works). Unlike
 * `-u*`, halog uses the request time TR (first timer) and only TR and Ta decide an error.
 */
export function clientLine(ctx: LineContext, env: LineEnv): void {
  const { buf, end } = ctx;
  let p = timeField(ctx, env);
  if (p < 0) return;
  let f = 0;
  let err = 0;
  let tr = 0;
  let ta = 0;
  let last = p;
  while (!isSep(buf, p, end)) {
    last = p;
    if (f === 0 || f === 4) {
      let v = str2ic(buf, p, end);
      if (v < 0) {
        v = -1;
        err = 1;
      }
      if (f === 0) tr = v;
      else ta = v;
    }
    if (++f === 5) break;
    p = skipTimer(buf, p, end);
  }
  if (f < 5) {
    env.agg.parseErrors++;
    return;
  }
  const bytes = str2ic(buf, fieldStart(buf, last, end, Dist.bytesFromTime), end);
  const b = ctx.source;
  let e = fieldStop(buf, b + 1, end);
  while (e > b && buf[e - 1] !== 0x3a) e--;
  // Without a ':' halog cuts before the field, and the key runs to the end of the line.
  const keyEnd = e > b ? e - 1 : end;
  addRow(env.agg.urls, buf, b, keyEnd, err, tr >= 0 ? tr : ta, tr >= 0 ? tr : 0, bytes);
}
