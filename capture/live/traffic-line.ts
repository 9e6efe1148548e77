/**
 * Reads the few fields the live view needs from one HAProxy traffic message, with halog's own
 * byte primitives and field distances (halog/parse), so `--live` and `halog` agree on what a
 * line says. Anchor: the accept date `[...]`, second field of the message (STYLE 5).
 */
import { fieldStart, fieldStop, parseTimers, str2ic } from '../../halog/parse/bytes.js';
import { Dist } from '../../halog/parse/layout.js';

export interface TrafficFields {
  /** httplog (5 timers) or tcplog (3 timers). */
  http: boolean;
  clientStart: number;
  /** End of the client address (before `:port`). */
  clientEnd: number;
  /** HTTP status, or -1 for tcplog lines. */
  status: number;
  /** Ta (httplog) or Tt (tcplog), -1 when the session had none. */
  totalMs: number;
  /** URL span without the query string, or -1 when there is no request line. */
  urlStart: number;
  urlEnd: number;
}

export function newTrafficFields(): TrafficFields {
  return { http: false, clientStart: 0, clientEnd: 0, status: -1, totalMs: -1, urlStart: -1, urlEnd: -1 };
}

const timers = new Int32Array(7);
const LBRACKET = 0x5b;
const QUOTE = 0x22;
const SPACE = 0x20;

/** Fills `f` and returns true for a traffic line; false for anything else (server DOWN, ...). */
export function readTrafficLine(buf: Buffer, start: number, end: number, f: TrafficFields): boolean {
  const source = fieldStart(buf, start, end, 1);
  if (source >= end) return false;
  const accept = fieldStart(buf, source, end, Dist.acceptFromSource);
  if (accept >= end || buf[accept] !== LBRACKET) return false;
  const time = fieldStart(buf, accept, end, Dist.timeFromAccept);
  if (time >= end) return false;
  const n = parseTimers(buf, time, end, 5, timers);
  let e = fieldStop(buf, source, end);
  while (e > source && buf[e - 1] !== 0x3a) e--;
  f.clientStart = source;
  f.clientEnd = e > source ? e - 1 : fieldStop(buf, source, end);
  f.urlStart = f.urlEnd = -1;
  if (n === 5) {
    f.http = true;
    f.totalMs = timers[4]!;
    const statusAt = fieldStart(buf, timers[6]!, end, Dist.statusFromTime);
    f.status = statusAt < end ? str2ic(buf, statusAt, end) : -1;
    // The request line: the first field starting with '"' after the captures.
    let q = fieldStart(buf, statusAt, end, Dist.capturesFromTime - Dist.statusFromTime + 1);
    while (q < end && buf[q] !== QUOTE) q = fieldStart(buf, q, end, 2);
    if (q < end) {
      const u = fieldStart(buf, q, end, 2);
      if (u < end) {
        let k = u;
        while (k < end && buf[k] !== SPACE && buf[k] !== 0x3f && buf[k] !== 0x3b && buf[k] !== QUOTE) k++;
        f.urlStart = u;
        f.urlEnd = k;
      }
    }
    return true;
  }
  if (n === 3) {
    f.http = false;
    f.totalMs = timers[2]!;
    f.status = -1;
    return true;
  }
  return false;
}
