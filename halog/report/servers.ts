import { fieldStart, fieldStop, parseTimers } from '../parse/bytes.js';
import { Dist } from '../parse/layout.js';
import type { LineContext } from '../parse/line-context.js';
import type { LineEnv } from '../filter/types.js';
import { formatFixed } from '../output/c-format.js';
import { SrvCol, SRV_COLUMNS } from './aggregates.js';
import { reachedMax, type Printer } from './print-helpers.js';

const timers = new Int32Array(7);

/**
 * `-srv`: per `backend/server` token, status classes, requests without a -1 timer, and
 * mean connect/response times. The server is registered before its timers are checked,
 * so a tcplog server shows up with an all-zero row, as in halog.
 */
export function countServerLine(ctx: LineContext, env: LineEnv): void {
  const { buf, end } = ctx;
  const b = fieldStart(buf, ctx.accept, end, Dist.serverFromAccept);
  if (b >= end) {
    env.truncated(ctx);
    return;
  }
  const e = fieldStop(buf, b + 1, end);
  const table = env.agg.servers;
  const row = table.indexOf(buf, b, e) * SRV_COLUMNS;
  if (ctx.time < 0) {
    ctx.time = fieldStart(buf, e, end, Dist.timeFromServer);
    if (ctx.time >= end) {
      env.truncated(ctx);
      return;
    }
  }
  const timeEnd = fieldStop(buf, ctx.time + 1, end);
  if (parseTimers(buf, ctx.time, end, 5, timers) < 5) {
    env.agg.parseErrors++;
    return;
  }
  const v = table.values;
  if (timers[5] === 0) v[row + SrvCol.nbOk]!++;
  if (timers[2]! >= 0) {
    v[row + SrvCol.cumCt]! += timers[2]!;
    v[row + SrvCol.nbCt]!++;
  }
  if (timers[3]! >= 0) {
    v[row + SrvCol.cumRt]! += timers[3]!;
    v[row + SrvCol.nbRt]!++;
  }
  const s = fieldStart(buf, timeEnd, end, Dist.statusFromTime - 1);
  if (s >= end) {
    env.truncated(ctx);
    return;
  }
  const c = buf[s]!;
  v[row + SrvCol.status0 + (c >= 0x31 && c <= 0x35 ? c - 0x30 : 0)]!++;
}

export const printServers: Printer = (agg, out, linesMax) => {
  out.text('#srv_name 1xx 2xx 3xx 4xx 5xx other tot_req req_ok pct_ok avg_ct avg_rt\n');
  const t = agg.servers;
  const names = t.keyStrings();
  const order = Array.from({ length: t.size }, (_, i) => i).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
  for (const i of order) {
    const v = t.values;
    const r = i * SRV_COLUMNS;
    let tot = 0;
    for (let k = 0; k <= 5; k++) tot += v[r + k]!;
    const ok = v[r + SrvCol.nbOk]!;
    const nbCt = v[r + SrvCol.nbCt]!;
    const nbRt = v[r + SrvCol.nbRt]!;
    out.bytes(t.key(i));
    out.text(
      ` ${v[r + 1]} ${v[r + 2]} ${v[r + 3]} ${v[r + 4]} ${v[r + 5]} ${v[r]} ${tot} ${ok} ` +
        `${formatFixed((ok * 100.0) / (tot || 1), 1)} ` +
        `${Math.floor(v[r + SrvCol.cumCt]! / (nbCt || 1)) | 0} ${Math.floor(v[r + SrvCol.cumRt]! / (nbRt || 1)) | 0}\n`,
    );
    if (reachedMax(agg, linesMax)) break;
  }
};
