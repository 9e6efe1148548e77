import { fiveTimers } from '../filter/locate.js';
import type { LineContext } from '../parse/line-context.js';
import type { LineEnv } from '../filter/types.js';
import { formatFixed } from '../output/c-format.js';
import type { Printer } from './print-helpers.js';

const timers = new Int32Array(7);
const QBITS = 4;

/** Highest set bit, 1-based (C `fls`); 0 for 0. */
function fls(v: number): number {
  return v === 0 ? 0 : 32 - Math.clz32(v);
}

/** Keeps the QBITS most significant bits of |v|, and its sign (halog's `quantify`). */
function quantify(v: number): number {
  const a = v < 0 ? -v >>> 0 : v >>> 0;
  const high = fls(a);
  const q = high <= QBITS ? a : (a & ~((1 << (high - QBITS)) - 1)) >>> 0;
  return v < 0 ? -q | 0 : q | 0;
}

/**
 * `-pct` and `-gt`: lines without a -1 timer are samples of TR, Tc, Tr and the data time
 * (Ta minus the four others); lines with one only record Ta in series 0. `-gt` keeps
 * values quantized to 4 significant bits.
 */
export function timerLine(graph: boolean) {
  const key = graph ? quantify : (v: number) => v;
  return (ctx: LineContext, env: LineEnv): void => {
    const { buf } = ctx;
    if (!fiveTimers(ctx, env, timers)) return;
    const t = env.agg.timers;
    if (timers[5]) {
      t[0]!.add(key(timers[4]!));
      return;
    }
    t[1]!.add(key(timers[0]!));
    t[2]!.add(key(timers[2]!));
    t[3]!.add(key(timers[3]!));
    const data = (timers[4]! - timers[0]! - timers[1]! - timers[2]! - timers[3]!) | 0;
    if (data < 0 && !env.options.quiet) {
      env.agg.messages.push({
        kind: 'negative-data-time',
        line: ctx.lineNum,
        text: `ERR: ${Buffer.from(buf.subarray(ctx.start, ctx.end)).toString('latin1')} (${timers[0]} ${timers[1]} ${timers[2]} ${timers[3]} ${timers[4]} => ${data})`,
      });
    }
    t[4]!.add(key(data));
    env.agg.linesOut++;
  };
}

/**
 * `-pct`: 72 rows from 0.1% to 100%; each value is the smallest one whose cumulative count
 * reaches floor(samples * pct), like halog's walk over its sorted trees.
 */
export const printPercentiles: Printer = (agg, out) => {
  const n = agg.linesOut;
  if (!n) return;
  const series = [1, 2, 3, 4].map((f) => {
    const m = agg.timers[f]!;
    return { keys: m.sortedKeys(), counts: m, pos: 0, cum: 0 };
  });
  for (const s of series) s.cum = s.counts.get(s.keys[0]!);
  for (let step = 1; step <= 1000;) {
    const thres = Math.floor(n * (step / 1000.0)) >>> 0;
    let line = `${(step / 10.0).toFixed(1)} ${thres} `;
    for (const s of series) {
      while (s.cum < thres && s.pos + 1 < s.keys.length) {
        s.pos++;
        s.cum += s.counts.get(s.keys[s.pos]!);
      }
      line += `${s.keys[s.pos]} `;
    }
    out.text(line + '\n');
    if (step >= 100 && step < 900) step += 50;
    else if (step >= 20 && step < 980) step += 10;
    else step += 1;
  }
};

/** `-gt`: `<series> <value> <count per unit of bucket width + 1>` for gnuplot. */
export const printGraph: Printer = (agg, out) => {
  for (let f = 0; f < 5; f++) {
    const m = agg.timers[f]!;
    for (const key of m.sortedKeys()) {
      const count = m.get(key);
      const i = fls(key < 0 ? -key >>> 0 : key) - QBITS;
      const d = i > 0 ? count / 2 ** i : count;
      if (d > 0) out.text(`${f} ${key} ${formatFixed(d + 1.0, 6)}\n`);
    }
  }
};
