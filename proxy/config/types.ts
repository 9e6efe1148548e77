/**
 * The validated configuration. `resolve()` builds these objects once and freezes them; the
 * runtime only reads them.
 */
import type { HostPort } from './units.js';

export type SyslogFormat = 'local' | 'rfc3164' | 'rfc5424' | 'short' | 'raw' | 'priority' | 'timed' | 'iso';

export interface LogTarget {
  readonly address: HostPort;
  /** Maximum bytes of header + message (the LF is added after), default 1024. */
  readonly len: number;
  readonly format: SyslogFormat;
  /** Facility code, 0..23. */
  readonly facility: number;
  /** Highest (least severe) level sent, 0..7. */
  readonly level: number;
  /** Most severe level sent: more severe messages are downgraded to it. */
  readonly minLevel: number;
}

export type HttpConnMode = 'keep-alive' | 'server-close' | 'close';

export interface Timeouts {
  /** Milliseconds; 0 = not set (infinite). */
  readonly client: number;
  readonly server: number;
  readonly connect: number;
  readonly httpRequest: number;
  readonly httpKeepAlive: number;
  readonly queue: number;
  /** `timeout tunnel`: inactivity after a 101 upgrade; 0 = `timeout client` / `timeout server`. */
  readonly tunnel: number;
}

export type AclCriterion =
  | 'path'
  | 'path_beg'
  | 'path_end'
  | 'path_sub'
  | 'path_dir'
  | 'url'
  | 'url_beg'
  | 'url_sub'
  | 'hdr'
  | 'hdr_beg'
  | 'hdr_end'
  | 'hdr_sub'
  | 'hdr_dom'
  | 'method'
  | 'src'
  | 'always_true'
  | 'always_false';

export interface AclTest {
  readonly criterion: AclCriterion;
  /** Header name (lower case) for the hdr* family. */
  readonly header: string | null;
  readonly ignoreCase: boolean;
  readonly values: readonly string[];
}

/** A condition: OR of AND-terms; each term is an ACL (list of tests ORed) possibly negated. */
export interface AclTerm {
  readonly negate: boolean;
  readonly name: string;
  readonly tests: readonly AclTest[];
}
export interface Condition {
  readonly unless: boolean;
  readonly anyOf: readonly (readonly AclTerm[])[];
}

export type HttpRequestRule =
  | { readonly action: 'allow'; readonly cond: Condition | null }
  | { readonly action: 'deny'; readonly status: number; readonly cond: Condition | null }
  | { readonly action: 'set-header' | 'add-header'; readonly name: string; readonly value: string; readonly cond: Condition | null }
  | { readonly action: 'del-header'; readonly name: string; readonly cond: Condition | null }
  | {
      readonly action: 'redirect';
      readonly kind: 'location' | 'scheme' | 'prefix';
      readonly target: string;
      readonly code: number;
      readonly cond: Condition | null;
    }
  /** `use-service prometheus-exporter` (proxy/stats/prometheus.ts): answered by the proxy, logged `<PROMEX>`. */
  | { readonly action: 'use-service'; readonly service: 'prometheus-exporter'; readonly cond: Condition | null };

export interface Capture {
  readonly name: string;
  readonly len: number;
}

export interface ServerConfig {
  readonly name: string;
  readonly address: HostPort;
  readonly weight: number;
  readonly maxconn: number;
  readonly backup: boolean;
  readonly disabled: boolean;
  /** 1-based position in the backend, HAProxy's server id. */
  readonly id: number;
  /** `ssl [verify none|required] [ca-file <f>] [sni str(<name>)]`; null = clear text. */
  readonly tls: ServerTlsConfig | null;
  /** `cookie <value>`: the persistence cookie value of this server. */
  readonly cookie: string | null;
  /** `check` and its parameters; null = no health check (always UP). */
  readonly check: ServerCheckConfig | null;
}

export interface ServerTlsConfig {
  /** `verify required` (HAProxy's default) vs `verify none`. */
  readonly verify: boolean;
  /** PEM text of `ca-file`, read at parse time. */
  readonly ca: string | null;
  readonly caFile: string | null;
  /** `sni str(<name>)`. */
  readonly sni: string | null;
}

export interface ServerCheckConfig {
  /** Milliseconds between checks while fully UP. */
  readonly inter: number;
  /** While changing state (UP with failures, DOWN with successes). */
  readonly fastinter: number;
  /** While fully DOWN. */
  readonly downinter: number;
  readonly rise: number;
  readonly fall: number;
  /** Port to check, 0 = the server's port. */
  readonly port: number;
}

/** `option httpchk` + `http-check expect`. */
export interface HttpCheckConfig {
  readonly method: string;
  readonly uri: string;
  /** May carry extra header lines (`HTTP/1.1\r\nHost: x`), as in HAProxy. */
  readonly version: string;
  /** null = a 2xx or 3xx status passes. */
  readonly expect: HttpCheckExpect | null;
}

export interface HttpCheckExpect {
  readonly kind: 'status' | 'rstatus' | 'string';
  readonly negate: boolean;
  readonly value: string;
}

export interface BalanceConfig {
  readonly algorithm: string;
  /** Header name for `hdr(<name>)`, parameter for `url_param`. */
  readonly arg: string | null;
}

export interface BindConfig {
  readonly address: HostPort;
  readonly file: string;
  readonly line: number;
  /** `ssl crt <pem>`: TLS termination on this listener; null = clear text. */
  readonly tls: BindTlsConfig | null;
}

export interface BindTlsConfig {
  /** Path of the PEM file holding the certificate chain and the private key. */
  readonly crt: string;
  /** The PEM text, read when the configuration is parsed. */
  readonly pem: string;
  readonly alpn: readonly string[];
}

export interface ProxyConfig {
  readonly name: string;
  readonly kind: 'frontend' | 'backend' | 'listen';
  readonly file: string;
  readonly line: number;
  /** `tcp` (HAProxy's default): raw forwarding and tcplog lines, proxy/tcp/. */
  readonly mode: 'http' | 'tcp';
  readonly binds: readonly BindConfig[];
  readonly maxconn: number;
  readonly logs: readonly LogTarget[];
  readonly logTag: string | null;
  readonly httplog: boolean;
  /** `option tcplog` (or `option httplog` in a tcp proxy, which HAProxy downgrades to it). */
  readonly tcplog: boolean;
  /** `option httpslog`: httplog + the TLS fields (every bind must be `ssl`). */
  readonly httpslog: boolean;
  readonly dontlognull: boolean;
  /** `option idle-close-on-response`: on soft stop, idle keep-alive connections get one more response (with `connection: close`) instead of being closed. */
  readonly idleCloseOnResponse: boolean;
  readonly forwardfor: { readonly header: string; readonly ifNone: boolean } | null;
  readonly connMode: HttpConnMode;
  readonly redispatch: boolean;
  readonly retries: number;
  readonly timeouts: Timeouts;
  readonly defaultBackend: string | null;
  readonly useBackends: readonly { readonly backend: string; readonly cond: Condition | null }[];
  readonly httpRequestRules: readonly HttpRequestRule[];
  readonly requestCaptures: readonly Capture[];
  readonly responseCaptures: readonly Capture[];
  readonly cookieCapture: Capture | null;
  readonly balance: BalanceConfig;
  readonly servers: readonly ServerConfig[];
  /** `option httpchk`: HTTP health checks instead of TCP connects; null = TCP. */
  readonly httpCheck: HttpCheckConfig | null;
  /** `cookie <name> ...` (proxy/persist/cookie.ts); null = no cookie persistence. */
  readonly cookie: CookieConfig | null;
  /** `stick-table type ip` + `stick on src`; null = no stickiness. */
  readonly stick: { readonly size: number; readonly expire: number } | null;
  /** `stats enable` and friends; null = no stats page. */
  readonly stats: StatsConfig | null;
}

export interface CookieConfig {
  readonly name: string;
  /** `insert`, `rewrite`, `prefix`, or none of them: the server sets the cookie, the proxy reads it. */
  readonly mode: 'insert' | 'rewrite' | 'prefix' | 'passive';
  readonly indirect: boolean;
  readonly nocache: boolean;
  readonly postonly: boolean;
  readonly preserve: boolean;
  readonly httponly: boolean;
  readonly secure: boolean;
  /** `domain <d>`, in order, each sent as `; domain=<d>`. */
  readonly domains: readonly string[];
  /** `attr <a>`, in order, each sent as `; <a>`. */
  readonly attrs: readonly string[];
  /** Seconds, 0 = not set. */
  readonly maxidle: number;
  readonly maxlife: number;
}

export interface StatsConfig {
  /** URI prefix, default `/haproxy?stats`. */
  readonly uri: string;
  /** `user:password` pairs; empty = no authentication. */
  readonly auth: readonly string[];
  readonly realm: string;
  /** Milliseconds, 0 = no refresh header. */
  readonly refresh: number;
}

export interface GlobalConfig {
  readonly maxconn: number;
  readonly nbthread: number;
  readonly logs: readonly LogTarget[];
  readonly logTag: string;
  readonly logSendHostname: string | null;
  /** `stats socket`: the runtime API (proxy/stats/cli.ts). */
  readonly statsSockets: readonly { readonly path: string; readonly mode: number; readonly level: 'user' | 'operator' | 'admin' }[];
  /** `master-worker` (same as `-W`): a master process that reloads its workers on SIGUSR2 (proxy/master.ts). */
  readonly masterWorker: boolean;
  /** `hard-stop-after <time>`: ms a soft-stopping process may take before it closes everything; 0 = no limit. */
  readonly hardStopAfter: number;
}

export interface Config {
  readonly global: GlobalConfig;
  /** Proxies that accept traffic (frontend and listen). */
  readonly frontends: readonly ProxyConfig[];
  /** Proxies that have servers (backend and listen), by name. */
  readonly backends: ReadonlyMap<string, ProxyConfig>;
}
