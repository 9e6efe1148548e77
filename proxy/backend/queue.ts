/** A request waiting for a server slot (HAProxy's pendconn). */
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
