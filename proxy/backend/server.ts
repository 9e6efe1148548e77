/** Runtime state of one server: load counters, queue, idle connections for reuse. */
import type net from 'node:net';
import type { ServerConfig, ServerTlsConfig } from '../config/types.js';
import type { LbServer } from '../lb/types.js';
import type { Waiter } from './queue.js';

export class ServerState implements LbServer {
  readonly id: number;
  readonly name: string;
  readonly weight: number;
  readonly maxconn: number;
  readonly backup: boolean;
  readonly host: string;
  readonly port: number;
  /** `ssl ...`: TLS toward the server, null = clear text. */
  readonly tls: ServerTlsConfig | null;
  /** `cookie <value>` (persistence), null = none. */
  readonly cookie: string | null;
  cur = 0;
  usable: boolean;
  /** Put in maintenance by the runtime API (`disable server`): not usable whatever its checks say. */
  maint = false;
  /** Requests waiting for this server in particular (hash-based algorithms). */
  readonly queue: Waiter[] = [];
  /** Idle keep-alive connections, most recent last. */
  readonly idle: net.Socket[] = [];
  /** Requests ever dequeued from this server's queue. */
  dequeued = 0;
  /** Its health checker, when the server has `check` (proxy/checks/). */
  checker: { readonly up: boolean } | null = null;

  constructor(cfg: ServerConfig) {
    this.id = cfg.id;
    this.name = cfg.name;
    this.weight = cfg.weight;
    this.maxconn = cfg.maxconn;
    this.backup = cfg.backup;
    this.host = cfg.address.host;
    this.port = cfg.address.port;
    this.cookie = cfg.cookie;
    this.tls = cfg.tls;
    this.usable = !cfg.disabled;
  }
}
