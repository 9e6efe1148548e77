/** Runtime state of one server: load counters, queue, idle connections for reuse. */
import type { ServerConn } from './connect.js';
import type { ServerConfig, ServerTlsConfig } from '../config/types.js';
import type { LbServer } from '../lb/types.js';
import type { Waiter } from './queue.js';

/** What the backend asks of a server's health checker when the server enters or leaves maintenance. */
export interface ServerChecker {
  readonly up: boolean;
  readonly health: number;
  /** Maintenance: no checks, health 0 (HAProxy's CHK_ST_PAUSED). */
  pause(): void;
  /** Out of maintenance: health at `rise` (UP, but one failure takes it down), checks again. */
  resume(): void;
}

export class ServerState implements LbServer {
  readonly id: number;
  readonly name: string;
  /** The configured weight (HAProxy's iweight). */
  readonly initialWeight: number;
  /** The weight set by the runtime API, `set server ... weight` (HAProxy's uweight). */
  userWeight: number;
  /** `set server ... state drain`: balancing skips it, persistent requests still reach it. */
  drain = false;
  readonly maxconn: number;
  readonly backup: boolean;
  readonly host: string;
  readonly port: number;
  /** `ssl ...`: TLS toward the server, null = clear text. */
  readonly tls: ServerTlsConfig | null;
  /** `cookie <value>` (persistence), null = none. */
  readonly cookie: string | null;
  /** `disabled` in the configuration (HAProxy's SRV_ADMF_CMAINT, kept after `ready` as in `show servers state`). */
  readonly configDisabled: boolean;
  cur = 0;
  usable: boolean;
  /** In maintenance (`disabled`, `disable server`, `set server ... state maint`): not usable whatever its checks say. */
  maint: boolean;
  /** Wall-clock ms of the last change of state (UP/DOWN, maintenance, drain), for `lastchg`. */
  lastChange = Date.now();
  /** UP to DOWN transitions, maintenance included (HAProxy's down_trans, `chkdown`). */
  downs = 0;
  /** Requests waiting for this server in particular (hash-based algorithms). */
  readonly queue: Waiter[] = [];
  /** Idle keep-alive connections, most recent last. */
  readonly idle: ServerConn[] = [];
  /** Requests ever dequeued from this server's queue. */
  dequeued = 0;
  /** Its health checker, when the server has `check` (proxy/checks/). */
  checker: ServerChecker | null = null;
  /**
   * The health HAProxy reports for a server without checks (`show servers state`): `rise`
   * (2) at start, 0 once it was in maintenance (HAProxy leaves it there afterwards).
   */
  uncheckedHealth: number;
  /** HAProxy's CHK_ST_PAUSED, as `show servers state` shows it (set by `disabled`, or by maintenance of a checked server). */
  checkPaused: boolean;

  constructor(cfg: ServerConfig) {
    this.id = cfg.id;
    this.name = cfg.name;
    this.initialWeight = cfg.weight;
    this.userWeight = cfg.weight;
    this.maxconn = cfg.maxconn;
    this.backup = cfg.backup;
    this.host = cfg.address.host;
    this.port = cfg.address.port;
    this.cookie = cfg.cookie;
    this.tls = cfg.tls;
    this.configDisabled = cfg.disabled;
    this.maint = cfg.disabled;
    this.usable = !cfg.disabled;
    this.uncheckedHealth = cfg.disabled ? 0 : 2;
    this.checkPaused = cfg.disabled;
  }

  /** The weight the balancers use: 0 while draining, so that only persistence reaches it. */
  get weight(): number {
    return this.drain ? 0 : this.userWeight;
  }
}
