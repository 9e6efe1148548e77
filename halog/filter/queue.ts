import { at } from '../parse/bytes.js';
import { queueField } from './locate.js';
import { SKIP_LINE, type LineFilter } from './types.js';

/**
 * `-Q` (queued anywhere) and `-QS` (queued on the server). halog only looks at first
 * digits: a server queue starting with '0' is empty, then `-Q` checks whether the backend
 * queue starts with 1-9.
 */
export function queueFilter(serverOnly: boolean): LineFilter {
  return (ctx, env) => {
    const { buf, end } = ctx;
    let b = queueField(ctx, env);
    if (b < 0) return SKIP_LINE;
    if (buf[b] !== 0x30) return 1;
    if (serverOnly) return 0;
    do {
      b++;
      if (at(buf, b, end) === 0x2f) {
        b++;
        break;
      }
    } while (b < end);
    const c = (at(buf, b, end) - 0x31) & 0xff;
    return c < 9 ? 1 : 0;
  };
}
