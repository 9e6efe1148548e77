/**
 * What a session records about one HTTP request. Only events are stored (monotonic
 * milliseconds, -1 = did not happen); the log emitter derives HAProxy's timers and fields from
 * them and from nothing else.
 */
import type { ClientCookieState, ServerCookieState } from '../log/format/termination.js';
import type { SessionEnd } from './session-end.js';

export interface RequestRecord extends SessionEnd {
  clientIp: string;
  clientPort: number;
  /** Wall-clock ms of the first byte of this request (accept time when none arrived): `[%tr]`. */
  dateMs: number;
  /** Monotonic ms: stream start (accept, or end of the previous request on keep-alive). */
  tStart: number;
  /** First byte of the request, -1 if none. */
  tFirstByte: number;
  /** End of request headers (t_request), -1 if never complete. */
  tRequest: number;
  /** Server slot obtained / left the queue (t_queue), -1 if never. */
  tQueue: number;
  /** Server connection established (t_connect), -1 if never. */
  tConnect: number;
  /** Complete response headers received (t_data), -1 if never. */
  tResponse: number;
  frontend: string;
  backend: string;
  /** null = `<NOSRV>`. */
  server: string | null;
  /** -1 when no response was produced. */
  status: number;
  /** Bytes sent to the client, headers included. */
  bytesOut: number;
  /** Bytes received from the client (dontlognull uses it). */
  bytesIn: number;
  reqCookie: string | null;
  resCookie: string | null;
  /** 3rd and 4th termination characters, `-` without `cookie` in the backend. */
  cookieIn: ClientCookieState;
  cookieOut: ServerCookieState;
  retries: number;
  redispatched: boolean;
  srvQueue: number;
  bkQueue: number;
  /** null = no block (nothing configured, or request never parsed). Values are raw latin1. */
  reqCaptures: (string | null)[] | null;
  resCaptures: (string | null)[] | null;
  /** Raw latin1 request line `METHOD URI VERSION`; null = `<BADREQ>`. */
  requestLine: string | null;
  /** `option httpslog`: the two TLS fields after the request, null = not logged. */
  tlsFields: string | null;
}

export function newRecord(clientIp: string, clientPort: number, frontend: string, tStart: number, wallStart: number): RequestRecord {
  return {
    clientIp,
    clientPort,
    dateMs: wallStart,
    tStart,
    tFirstByte: -1,
    tRequest: -1,
    tQueue: -1,
    tConnect: -1,
    tResponse: -1,
    tClose: -1,
    frontend,
    backend: frontend,
    server: null,
    status: -1,
    bytesOut: 0,
    bytesIn: 0,
    reqCookie: null,
    resCookie: null,
    cause: '-',
    state: '-',
    cookieIn: '-',
    cookieOut: '-',
    actconn: 0,
    feconn: 0,
    beconn: 0,
    srvConn: 0,
    retries: 0,
    redispatched: false,
    srvQueue: 0,
    bkQueue: 0,
    reqCaptures: null,
    resCaptures: null,
    requestLine: null,
    tlsFields: null,
  };
}
