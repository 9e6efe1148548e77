/**
 * The load-balancing interface. Each algorithm is one file exporting an `LbAlgorithm`; the
 * backend calls it without knowing which one it is (proxy/lb/index.ts is the registry).
 */

/** What an algorithm may read of a server. The backend owns and updates these fields. */
export interface LbServer {
  /** 1-based position in the backend (HAProxy's server id). */
  readonly id: number;
  readonly name: string;
  /** The effective weight: the runtime API may change it (`set server ... weight`), 0 while draining. */
  readonly weight: number;
  /** 0 = unlimited. */
  readonly maxconn: number;
  /** Requests currently being served by this server. */
  readonly cur: number;
  /** false when disabled or down. */
  readonly usable: boolean;
}

/** The request attributes hash-based algorithms look at. */
export interface LbRequest {
  readonly src: string;
  /** Path without the query string. */
  readonly path: string;
  /** Query string without '?', '' when none. */
  readonly query: string;
  header(name: string): string | undefined;
}

export const isFull = (s: LbServer): boolean => s.maxconn > 0 && s.cur >= s.maxconn;
export const canTake = (s: LbServer): boolean => s.usable && s.weight > 0;

export interface Balancer {
  /**
   * The server for this request, or null when no server can take it now. Round-robin-like
   * algorithms skip full servers (null means "queue in the backend"); hash-based ones return
   * the hashed server even when full (the request then waits in that server's queue).
   * `avoid` is a server to skip if possible (redispatch after a failed connection).
   */
  pick(req: LbRequest, avoid?: LbServer): LbServer | null;
  /** A request was given to `s` (its `cur` was just incremented). */
  onTake(s: LbServer): void;
  /** A request finished on `s` (its `cur` was just decremented). */
  onRelease(s: LbServer): void;
  /** `s` became usable / unusable. */
  onUp(s: LbServer): void;
  onDown(s: LbServer): void;
  /** The effective weight of `s` changed (runtime API: weight, drain). */
  onWeight(s: LbServer): void;
}

export interface LbAlgorithm {
  readonly name: string;
  /** Whether `pick` may return a full server (hash-based algorithms). */
  readonly hashBased: boolean;
  /**
   * Whether a weight may change at run time (HAProxy's BE_LB_PROP_DYN). A static algorithm
   * (static-rr, map-based hashing) only takes 0% or 100% of the initial weight.
   */
  readonly dynamicWeights: boolean;
  init(servers: readonly LbServer[], arg: string | null): Balancer;
}
