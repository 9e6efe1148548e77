/**
 * What every session records when it ends, HTTP request or TCP connection alike: HAProxy's
 * termination state and the connection counters the log line prints
 * (`actconn/feconn/beconn/srv_conn/retries`), read at the moment the session lets go of its
 * server, as HAProxy reads them in its log call.
 */
import { nowMs } from '../clock.js';
import type { BackendRuntime } from '../backend/backend.js';
import type { ServerState } from '../backend/server.js';
import type { FrontendRuntime } from '../frontend/frontend.js';
import type { SessionState, TerminationCause } from '../log/format/termination.js';

export interface SessionEnd {
  /** Monotonic ms of the end: last byte to the client (HTTP), both sides closed (TCP), or the abort. */
  tClose: number;
  cause: TerminationCause;
  state: SessionState;
  actconn: number;
  feconn: number;
  beconn: number;
  srvConn: number;
}

/**
 * Releases the session's server slot and backend connection count, then stamps `rec`. A slot
 * handed straight to a queued request still counts in `srv_conn` for that request, not for
 * this one (HAProxy logs after the hand-off).
 */
export function endSession(rec: SessionEnd, cause: TerminationCause, state: SessionState, fe: FrontendRuntime, be: BackendRuntime | null, server: ServerState | null): void {
  rec.tClose = nowMs();
  rec.cause = cause;
  rec.state = state;
  const handedOff = server && be ? be.release(server) : false;
  if (be) be.beconn--;
  rec.actconn = fe.process.actconn;
  rec.feconn = fe.feconn;
  rec.beconn = be ? be.beconn : 0;
  rec.srvConn = server ? server.cur - (handedOff ? 1 : 0) : 0;
}
