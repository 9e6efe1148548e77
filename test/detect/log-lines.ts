/**
 * Builds HAProxy 2.6 httplog / tcplog lines in the corpus layout (RFC 3164 without hostname,
 * captures {Host|User-Agent|Referer} and {Content-Type}) for the detector's unit tables.
 */
import { LogRecord, parseRecord } from '../../halog/parse/record.js';
import { Detector, type DetectOptions } from '../../halog/detect/detector.js';
import type { Decision } from '../../halog/detect/families/family.js';
import { judge, type ClientJudgement } from '../../halog/detect/verdict.js';

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** `[dd/Mon/yyyy:hh:mm:ss.mmm]` (UTC) for ms since the epoch. */
export function acceptDate(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

function header(ms: number): string {
  const d = new Date(ms);
  return `<134>${MON[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} haproxy[13531]:`;
}

/** 2026-11-24T17:00:00Z, the corpus day. */
export const T0 = Date.UTC(2026, 10, 24, 17, 0, 0);

export interface HttpLine {
  ip?: string;
  port?: number;
  ms?: number;
  server?: string;
  timers?: string;
  status?: number;
  bytes?: number;
  term?: string;
  ua?: string;
  host?: string;
  /** Full request line, e.g. `GET /x HTTP/1.1`; or `<BADREQ>`. */
  request?: string;
  uri?: string;
  captures?: boolean;
  xff?: string;
}

export function http(o: HttpLine = {}): string {
  const ms = o.ms ?? T0;
  const ip = o.ip ?? '192.0.2.10';
  const bad = o.request === '<BADREQ>';
  const request = o.request ?? `GET ${o.uri ?? '/'} HTTP/1.1`;
  const caps = o.captures ?? !bad;
  const capBlock = caps ? ` {${o.host ?? 'www.shop.test'}|${o.ua ?? 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0'}|${o.xff !== undefined ? `|${o.xff}` : ''}} {text/html}` : '';
  return `${header(ms)} ${ip}:${o.port ?? 40000} [${acceptDate(ms)}] fe_web ${o.server ?? (bad ? 'fe_web/<NOSRV>' : 'bk_app/app1')} ${o.timers ?? (bad ? '-1/-1/-1/-1/0' : '0/0/0/1/1')} ${o.status ?? (bad ? 400 : 200)} ${o.bytes ?? (bad ? 0 : 1200)} - - ${o.term ?? (bad ? 'CR--' : '----')} 5/5/0/0/0 0/0${capBlock} "${request}"`;
}

export interface TcpLine {
  ip?: string;
  port?: number;
  ms?: number;
  server?: string;
  timers?: string;
  bytes?: number;
  term?: string;
}

export function tcp(o: TcpLine = {}): string {
  const ms = o.ms ?? T0;
  return `${header(ms)} ${o.ip ?? '192.0.2.10'}:${o.port ?? 40000} [${acceptDate(ms)}] fe_tcp ${o.server ?? 'bk_tcp/tcp1'} ${o.timers ?? '1/0/0'} ${o.bytes ?? 0} ${o.term ?? 'CD'} 7/1/0/0/0 0/0`;
}

/** Feeds lines to a fresh Detector (parsing each one like the CLI does). */
export function detect(lines: readonly string[], options: DetectOptions = {}): Detector {
  const d = new Detector(options);
  const rec = new LogRecord();
  for (const line of lines) {
    const b = Buffer.from(line, 'latin1');
    if (parseRecord(b, 0, b.length, rec)) d.onRecord(rec);
    else d.onInvalid(rec);
  }
  return d;
}

/** Judgement of one client (the only one, or `key`). */
export function judgeOne(lines: readonly string[], key = '192.0.2.10', options: DetectOptions = {}): ClientJudgement & { byId: Map<string, Decision> } {
  const d = detect(lines, options);
  const st = d.clients.get(key);
  if (!st) throw new Error(`no client ${key} in ${d.clients.size} clients`);
  const j = judge(d, st);
  return { ...j, byId: new Map(j.decisions.map((x) => [x.id, x])) };
}

/** `n` items from `f(i)`. */
export function times<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}
