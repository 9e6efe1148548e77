import { at, fieldStart } from '../parse/bytes.js';
import type { LineContext } from '../parse/line-context.js';
import type { LineEnv } from '../filter/types.js';
import { capturesField } from '../filter/locate.js';

const QUOTE = 0x22;
const BRACE = 0x7b;
const CLOSE = 0x7d;
const PIPE = 0x7c;
const NL = new Uint8Array([0x0a]);

/**
 * `-hdr <block>:<field>`: prints one captured header per line, from the `{a|b|c}` blocks
 * before the request (block 1 = request captures, 2 = response captures); an empty line
 * when the line has no such block or field.
 */
export function captureLine(block: number, field: number) {
  return (ctx: LineContext, env: LineEnv): void => {
    const { buf, end } = ctx;
    let e = capturesField(ctx, env);
    if (e < 0) return;
    for (let b = block; b > 0; b--) {
      while (e < end && buf[e] !== QUOTE && buf[e] !== BRACE) {
        if (buf[e] === 0x5c && at(buf, e + 1, end) === QUOTE) break;
        e = fieldStart(buf, e, end, 2);
      }
      if (e >= end) {
        env.truncated(ctx);
        return;
      }
      if (buf[e] !== BRACE) {
        emit(env, buf, 0, 0);
        return;
      }
      e++;
    }
    for (let f = field; --f > 0;) {
      while (e < end && buf[e] !== PIPE && buf[e] !== CLOSE) e++;
      if (e >= end) {
        env.truncated(ctx);
        return;
      }
      if (buf[e] !== PIPE) {
        emit(env, buf, 0, 0);
        return;
      }
      e++;
    }
    let f = e;
    while (f < end && buf[f] !== PIPE && buf[f] !== CLOSE) f++;
    if (f >= end) {
      env.truncated(ctx);
      return;
    }
    emit(env, buf, e, f);
  };
}

function emit(env: LineEnv, buf: Uint8Array, start: number, end: number): void {
  env.write(buf, start, end);
  env.write(NL, 0, 1);
  env.agg.linesOut++;
}

/** Default output: matching lines printed as they are (halog as a structured grep). */
export function echoLine(ctx: LineContext, env: LineEnv): void {
  env.write(ctx.buf, ctx.start, ctx.end);
  env.write(NL, 0, 1);
  env.agg.linesOut++;
}
