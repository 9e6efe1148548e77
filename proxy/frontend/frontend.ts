/** Run-time state of a frontend, shared by its sessions. */
import type net from 'node:net';
import type { HttpConnMode, ProxyConfig } from '../config/types.js';
import type { BackendRuntime } from '../backend/backend.js';
import type { Emit } from '../log/emitter.js';
import type { StatsAnswer, StatsHandler } from '../stats/page.js';

export interface ProcessCounters {
  /** Current client connections of the process (HAProxy's actconn). */
  actconn: number;
  readonly maxconn: number;
}

export class FrontendRuntime {
  readonly cfg: ProxyConfig;
  readonly backends: ReadonlyMap<string, BackendRuntime>;
  readonly emit: Emit;
  readonly process: ProcessCounters;
  feconn = 0;
  /** A connection that failed before any session (TLS handshake): HAProxy logs
   * `<ip>:<port> [<date>] <frontend>/<listener>: <message>`. Set by the runtime. */
  connectionError: (sock: net.Socket, listener: number, message: string) => void = () => {};
  /** The stats page of this frontend (`stats enable`), set by the runtime; null = none. */
  stats: StatsHandler | null = null;
  /** `http-request use-service <name>`: the service's answer to a request URI (proxy/stats/prometheus.ts), set by the runtime. */
  useService: ((service: string, uri: string) => StatsAnswer) | null = null;
  constructor(cfg: ProxyConfig, backends: ReadonlyMap<string, BackendRuntime>, emit: Emit, process: ProcessCounters) {
    this.cfg = cfg;
    this.backends = backends;
    this.emit = emit;
    this.process = process;
  }
}

/** HAProxy combines frontend and backend modes: close wins, then server-close, then keep-alive. */
export function effectiveMode(fe: HttpConnMode, be: HttpConnMode): HttpConnMode {
  if (fe === 'close' || be === 'close') return 'close';
  if (fe === 'server-close' || be === 'server-close') return 'server-close';
  return 'keep-alive';
}
