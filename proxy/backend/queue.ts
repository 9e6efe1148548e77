/** A request waiting for a server slot (HAProxy's pendconn). */
import { nowMs } from '../clock.js';
import type { Assignment, BackendRuntime } from './backend.js';
import type { ServerState } from './server.js';

export interface Waiter {
  /** Called once with the server that now has a slot for it (already taken), or null on timeout. */
  resolve(server: ServerState | null): void;
  timer: NodeJS.Timeout | null;
  readonly req: import('../lb/types.js').LbRequest;
  /** Dequeue counter of its queue when it entered. */
  readonly start: number;
  /** Set when it leaves the queue. */
  position: number;
  readonly inServerQueue: boolean;
}

/** What a session's log record keeps of its wait in a queue (HTTP and TCP records alike). */
export interface QueueFields {
  srvQueue: number;
  bkQueue: number;
  tQueue: number;
}

/**
 * The end of a wait in a queue, for HTTP and TCP sessions: the position it had goes to the
 * record; a session that ended meanwhile gives its slot back (undefined); a queue timeout gives
 * null and records the time spent, since HAProxy logs Tw even then.
 */
export async function leaveQueue(
  be: BackendRuntime,
  a: Extract<Assignment, { kind: 'queued' }>,
  rec: QueueFields,
  finished: () => boolean,
): Promise<ServerState | null | undefined> {
  const server = await a.waiter;
  if (a.inServerQueue) rec.srvQueue = a.position();
  else rec.bkQueue = a.position();
  if (finished()) {
    if (server) be.release(server);
    return undefined;
  }
  if (!server) rec.tQueue = nowMs();
  return server;
}
