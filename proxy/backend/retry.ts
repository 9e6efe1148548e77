/**
 * What follows a failed connection attempt to a server, as HAProxy 2.6 decides it
 * (stream_choose_redispatch() and back_handle_st_cer()); shared by the HTTP and TCP sessions.
 *
 * With `option redispatch`, the next attempt goes to another server when the server is not UP
 * any more, on the last retry, and at once (first retry) when the request does not follow
 * persistence, the algorithm is round-robin-like (any server will do) and more than one active
 * server is up: a dead server that the checks have not caught yet costs one failed connect,
 * not `retries` turn-arounds. A refused connection is retried after min(1 s, timeout connect)
 * unless the retry goes elsewhere with such an algorithm; a connect timeout is retried at once.
 */
import { canTake } from '../lb/types.js';
import type { BackendRuntime } from './backend.js';
import type { ServerState } from './server.js';

/** HAProxy's BE_LB_KIND_RR: algorithms for which the server picked does not matter. */
const ROUND_ROBIN_LIKE = new Set(['roundrobin', 'static-rr']);

export interface RetryPlan {
  /** Pick another server (the caller still keeps the same one if none is free). */
  readonly redispatch: boolean;
  /** Turn-around before the next attempt, 0 = none. */
  readonly waitMs: number;
}

/**
 * `tries`: failed attempts so far (the retry about to be made is number `tries`). `direct`:
 * the server came from persistence (a valid cookie); HAProxy also counts a stick-table match,
 * which the backend does not report here, so a sticky request may be redispatched sooner.
 */
export function retryPlan(be: BackendRuntime, server: ServerState, tries: number, direct: boolean, refused: boolean): RetryPlan {
  const cfg = be.cfg;
  const anyServer = ROUND_ROBIN_LIKE.has(cfg.balance.algorithm);
  let active = 0;
  for (const s of be.servers) if (!s.backup && canTake(s)) active++;
  const redispatch = cfg.redispatch && (!server.usable || tries === cfg.retries || (!direct && active > 1 && anyServer));
  const sameServer = !redispatch || !anyServer || active <= 1;
  return { redispatch, waitMs: refused && sameServer ? Math.min(1000, cfg.timeouts.connect || 1000) : 0 };
}
