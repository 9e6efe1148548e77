/**
 * `option tcplog` lines (log.c L197-206): `ip:port [accept] fe be/srv Tw/Tc/Tt bytes ts
 * ac/fc/bc/sc/rc sq/bq`, nothing after the queues. Field order: TcpField in
 * proxy/log/format/fields.ts. The date is the accept date, Tt spans the whole connection.
 */
import { SessionState, TerminationCause } from '../../proxy/log/format/termination.js';
import { bytes, type ByteWriter } from './byte-writer.js';
import { BACKENDS, FRONTENDS, routeBytes, type ClientPool } from './catalog.js';
import type { AcceptDates } from './clock.js';
import { weightedTable, type Prng } from './prng.js';

const causes = new Set<string>(Object.values(TerminationCause));
const states = new Set<string>(Object.values(SessionState));

function ts(code: string): Buffer {
  if (code.length !== 2 || !causes.has(code[0]!) || !states.has(code[1]!)) throw new Error(`bug: bad tcp state '${code}'`);
  return bytes(code);
}

interface TcpKind {
  readonly state: Buffer;
  /** Fills Tw/Tc/Tt, the byte count and the retries. */
  readonly fill: (p: Prng, t: TcpTimers) => void;
  readonly nosrv?: boolean;
}

interface TcpTimers {
  Tw: number;
  Tc: number;
  Tt: number;
  bytes: number;
  rc: number;
}

const KINDS = weightedTable<TcpKind>([
  [{ state: ts('--'), fill: (p, t) => ((t.Tw = 0), (t.Tc = p.below(3)), (t.Tt = p.lognormal(800, 1.5)), (t.bytes = p.lognormal(4000, 1.5))) }, 60],
  [{ state: ts('SC'), fill: (p, t) => ((t.Tw = p.below(2)), (t.Tc = -1), (t.Tt = 2000 + p.below(5)), (t.bytes = 0), (t.rc = 2)) }, 15],
  [{ state: ts('CD'), fill: (p, t) => ((t.Tw = 1), (t.Tc = 0), (t.Tt = p.below(50)), (t.bytes = p.below(200))) }, 8],
  [{ state: ts('cD'), fill: (p, t) => ((t.Tw = 0), (t.Tc = 0), (t.Tt = 3000 + p.below(5)), (t.bytes = p.below(5000))) }, 4],
  [{ state: ts('CC'), fill: (p, t) => ((t.Tw = 0), (t.Tc = -1), (t.Tt = p.below(3)), (t.bytes = 0)) }, 2],
  [{ state: ts('CR'), nosrv: true, fill: (p, t) => ((t.Tw = -1), (t.Tc = -1), (t.Tt = p.below(2)), (t.bytes = 0)) }, 6],
  [{ state: ts('sD'), fill: (p, t) => ((t.Tw = 0), (t.Tc = 1), (t.Tt = 30000 + p.below(5)), (t.bytes = p.lognormal(900, 1))) }, 2],
]);


export class TcpLineWriter {
  readonly #t: TcpTimers = { Tw: 0, Tc: 0, Tt: 0, bytes: 0, rc: 0 };

  constructor(
    readonly prng: Prng,
    readonly clients: ClientPool,
    readonly dates: AcceptDates,
  ) {}

  /** Writes one line (no header, no LF) for a connection closed at `endMs`. */
  write(out: ByteWriter, endMs: number, load: number): void {
    const p = this.prng;
    const kind = p.pick(KINDS);
    const t = this.#t;
    t.rc = 0;
    kind.fill(p, t);
    // A few dozen TCP clients (agents, database tools), not the web visitors' long tail.
    out.put(this.clients.addresses[p.skewed2(Math.min(64, this.clients.addresses.length))]!);
    out.uint(p.range(1024, 65535));
    out.byte(0x20);
    this.dates.write(out, endMs - t.Tt - p.below(2));
    // tcp3 has nothing listening: every refused connection is on it.
    const tcp = BACKENDS.tcp;
    out.put(routeBytes(FRONTENDS.tcp, kind.nosrv ? tcp.nosrv : t.Tc === -1 && t.rc > 0 ? tcp.servers[2]! : tcp.servers[p.below(2)]!));
    out.int(t.Tw);
    out.byte(0x2f);
    out.int(t.Tc);
    out.byte(0x2f);
    out.uint(t.Tt);
    out.byte(0x20);
    out.uint(t.bytes);
    out.byte(0x20);
    out.put(kind.state);
    out.byte(0x20);
    const fc = 1 + p.below(8);
    out.uint(Math.max(load, fc));
    out.byte(0x2f);
    out.uint(fc);
    out.byte(0x2f);
    const bc = kind.nosrv ? 0 : p.below(fc + 1);
    out.uint(bc);
    out.byte(0x2f);
    out.uint(kind.nosrv ? 0 : Math.min(bc, p.below(3)));
    out.byte(0x2f);
    out.uint(t.rc);
    out.byte(0x20);
    out.put(ZERO_QUEUES);
  }
}

const ZERO_QUEUES = bytes('0/0');
