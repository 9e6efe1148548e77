import { fieldStart, parseTimers } from '../parse/bytes.js';
import { Dist } from '../parse/layout.js';
import type { LineContext } from '../parse/line-context.js';
import type { LineEnv } from './types.js';

/**
 * Locating the fields that filters and reports read, the way halog does: from the timer
 * field when a previous step found it, else from the accept date. Each returns the field's
 * position, or -1 after recording "Truncated line" when the line ends first.
 */
function located(ctx: LineContext, env: LineEnv, p: number): number {
  if (p < ctx.end) return p;
  env.truncated(ctx);
  return -1;
}

/** The timer field, cached in `ctx.time` for the steps that follow. */
export function timeField(ctx: LineContext, env: LineEnv): number {
  if (ctx.time < 0) {
    const p = located(ctx, env, fieldStart(ctx.buf, ctx.accept, ctx.end, Dist.timeFromAccept));
    if (p < 0) return -1;
    ctx.time = p;
  }
  return ctx.time;
}

function fromTimeOrAccept(ctx: LineContext, env: LineEnv, fromTime: number, fromAccept: number): number {
  const p = ctx.time >= 0
    ? fieldStart(ctx.buf, ctx.time, ctx.end, fromTime)
    : fieldStart(ctx.buf, ctx.accept, ctx.end, fromAccept);
  return located(ctx, env, p);
}

export const statusField = (ctx: LineContext, env: LineEnv): number =>
  fromTimeOrAccept(ctx, env, Dist.statusFromTime, Dist.statusFromAccept);

export const termField = (ctx: LineContext, env: LineEnv): number =>
  fromTimeOrAccept(ctx, env, Dist.termFromTime, Dist.termFromAccept);

export const queueField = (ctx: LineContext, env: LineEnv): number =>
  fromTimeOrAccept(ctx, env, Dist.queueFromTime, Dist.queueFromAccept);

/** The first field after the queues: a capture block or the quoted request. */
export const capturesField = (ctx: LineContext, env: LineEnv): number =>
  fromTimeOrAccept(ctx, env, Dist.capturesFromTime, Dist.capturesFromAccept);

/**
 * The line's five timers into `out` (layout of `parseTimers`); false when the line has no
 * timer field (recorded as truncated) or fewer than five timers (a parsing error, as halog
 * counts a tcplog line in the modes that need all five).
 */
export function fiveTimers(ctx: LineContext, env: LineEnv, out: Int32Array): boolean {
  const time = timeField(ctx, env);
  if (time < 0) return false;
  if (parseTimers(ctx.buf, time, ctx.end, 5, out) < 5) {
    env.agg.parseErrors++;
    return false;
  }
  return true;
}
