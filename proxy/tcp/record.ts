/**
 * What a TCP session records: events only (monotonic ms, -1 = did not happen). The tcplog
 * line derives HAProxy's `Tw/Tc/Tt` from them and from nothing else.
 */
import type { SessionEnd } from '../session/session-end.js';

export interface TcpRecord extends SessionEnd {
  clientIp: string;
  clientPort: number;
  /** Wall-clock ms of the accept: `[%t]`. */
  dateMs: number;
  /** Monotonic ms of the accept. */
  tAccept: number;
  /** Server slot obtained (left the queue, or assigned at once), -1 if never. */
  tQueue: number;
  /** Server connection established, -1 if never. */
  tConnect: number;
  /** `%ft`: the frontend name, with `~` when the listener is TLS. */
  frontend: string;
  backend: string;
  /** null = `<NOSRV>`. */
  server: string | null;
  /** Bytes server -> client (`%B`). */
  bytesOut: number;
  /** Bytes client -> server (`%U`; `dontlognull` looks at it). */
  bytesIn: number;
  retries: number;
  redispatched: boolean;
  srvQueue: number;
  bkQueue: number;
}

export function newTcpRecord(clientIp: string, clientPort: number, frontend: string, t: number): TcpRecord {
  return {
    clientIp,
    clientPort,
    dateMs: t,
    tAccept: t,
    tQueue: -1,
    tConnect: -1,
    tClose: -1,
    frontend,
    backend: frontend,
    server: null,
    bytesOut: 0,
    bytesIn: 0,
    cause: '-',
    state: '-',
    actconn: 0,
    feconn: 0,
    beconn: 0,
    srvConn: 0,
    retries: 0,
    redispatched: false,
    srvQueue: 0,
    bkQueue: 0,
  };
}
