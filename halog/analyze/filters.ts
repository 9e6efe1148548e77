import { BlockList, isIPv6 } from 'node:net';
import { RecordKind, type LogRecord, type Span } from '../parse/record.js';

/**
 * Record filters of `haloscope report`: halog's input filters, re-stated on parsed records,
 * plus our own. Built once into a list of predicates; a line is kept when
 * `halogFilters(rec) !== invert && ourFilters(rec)`.
 *
 * Differences from halog, on purpose: fields are found by the record parser (any syslog
 * header, no `-s`), and tcplog lines have no status (-1), so `-e` keeps them and `-hs` drops them.
 */
export interface FilterSpec {
  /** -e / -E: status < 0 or 5xx (or the opposite). */
  errors?: 'only' | 'exclude';
  /** -H: httplog lines only. */
  httpOnly?: boolean;
  /** -Q (server or backend queue > 0) / -QS (server queue > 0). */
  queue?: 'any' | 'server';
  /** -rt N (Tr >= N) / -RT N (Tr < N, -1 included). */
  tr?: { ms: number; below: boolean };
  /** -hs / -HS low:high. */
  status?: { low: number; high: number; invert: boolean };
  /** -tcn / -TCN: first two termination characters. */
  termCode?: { code: string; invert: boolean };
  /** -time low:high, Unix seconds of the accept date (read as UTC). */
  time?: { low: number; high: number };
  /** -v: invert the halog filters above. */
  invert?: boolean;
  /** --since / --until: accept date in ms since the epoch, [since, until). */
  sinceMs?: number;
  untilMs?: number;
  frontends?: string[];
  backends?: string[];
  /** `name` (any backend) or `backend/name`. */
  servers?: string[];
  /** CIDR blocks or single addresses. */
  clients?: string[];
  urlPrefixes?: string[];
}

export type RecordPredicate = (rec: LogRecord) => boolean;

function spanIn(names: string[]): (rec: LogRecord, s: Span) => boolean {
  const bufs = names.map((n) => Buffer.from(n, 'latin1'));
  return (rec, s) => {
    const len = s.end - s.start;
    for (const b of bufs) if (b.length === len && rec.buf.compare(b, 0, len, s.start, s.end) === 0) return true;
    return false;
  };
}

/** Parses `10.0.0.0/8`, `::1`, `2001:db8::/32` into a BlockList; throws with the bad value. */
export function clientBlockList(cidrs: string[]): BlockList {
  const bl = new BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.split('/');
    const type = isIPv6(addr!) ? 'ipv6' : 'ipv4';
    const prefix = bits === undefined ? (type === 'ipv6' ? 128 : 32) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv6' ? 128 : 32)) throw new Error(`bad CIDR prefix in '${c}'`);
    try {
      bl.addSubnet(addr!, prefix, type);
    } catch {
      throw new Error(`bad client address or CIDR '${c}' (examples: 10.1.0.0/16, 192.0.2.7, 2001:db8::/32)`);
    }
  }
  return bl;
}

export function buildFilter(f: FilterSpec): RecordPredicate | null {
  const halog: RecordPredicate[] = [];
  const ours: RecordPredicate[] = [];
  if (f.time) {
    const { low, high } = f.time;
    halog.push((r) => {
      const s = Math.floor(r.acceptMs / 1000);
      return s >= low && s <= high;
    });
  }
  if (f.httpOnly) halog.push((r) => r.kind === RecordKind.http);
  if (f.tr) {
    const { ms, below } = f.tr;
    halog.push((r) => (r.timers[3]! >= ms) !== below);
  }
  if (f.errors) {
    const want = f.errors === 'only';
    halog.push((r) => (r.status < 0 || (r.status >= 500 && r.status <= 599)) === want);
  }
  if (f.status) {
    const { low, high, invert } = f.status;
    halog.push((r) => (r.status >= low && r.status <= high) !== invert);
  }
  if (f.queue) {
    halog.push(f.queue === 'server' ? (r) => r.serverQueue > 0 : (r) => r.serverQueue > 0 || r.backendQueue > 0);
  }
  if (f.termCode) {
    const c0 = f.termCode.code.charCodeAt(0);
    const c1 = f.termCode.code.charCodeAt(1);
    const inv = f.termCode.invert;
    halog.push((r) => (r.termChar(0) === c0 && r.termChar(1) === c1) !== inv);
  }
  if (f.sinceMs !== undefined) {
    const s = f.sinceMs;
    ours.push((r) => r.acceptMs >= s);
  }
  if (f.untilMs !== undefined) {
    const u = f.untilMs;
    ours.push((r) => r.acceptMs < u);
  }
  if (f.frontends?.length) {
    const m = spanIn(f.frontends);
    ours.push((r) => m(r, r.frontend));
  }
  if (f.backends?.length) {
    const m = spanIn(f.backends);
    ours.push((r) => m(r, r.backend));
  }
  if (f.servers?.length) {
    const plain = spanIn(f.servers.filter((s) => !s.includes('/')));
    const full = spanIn(f.servers.filter((s) => s.includes('/')));
    ours.push((r) => plain(r, r.server) || full(r, { start: r.backend.start, end: r.server.end }));
  }
  if (f.clients?.length) {
    const bl = clientBlockList(f.clients);
    ours.push((r) => {
      const ip = r.text(r.clientIp);
      return bl.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4');
    });
  }
  if (f.urlPrefixes?.length) {
    const prefixes = f.urlPrefixes.map((p) => Buffer.from(p, 'latin1'));
    ours.push((r) => {
      const len = r.uri.end - r.uri.start;
      for (const p of prefixes) if (p.length <= len && r.buf.compare(p, 0, p.length, r.uri.start, r.uri.start + p.length) === 0) return true;
      return false;
    });
  }
  if (!halog.length && !ours.length && !f.invert) return null;
  const inv = f.invert === true;
  return (r) => {
    let keep = true;
    for (const p of halog) if (!p(r)) {
      keep = false;
      break;
    }
    if (keep === inv) return false;
    for (const p of ours) if (!p(r)) return false;
    return true;
  };
}
