/** Mutable shapes filled by the keyword parsers, validated and frozen by `resolve()`. */
import type {
  AclTest,
  BalanceConfig,
  BindConfig,
  Capture,
  Condition,
  CookieConfig,
  HttpCheckExpect,
  HttpConnMode,
  HttpRequestRule,
  LogTarget,
  ServerConfig,
} from './types.js';
import type { ConfigLocation } from '../errors.js';

export type SectionKind = 'global' | 'defaults' | 'frontend' | 'backend' | 'listen';
export type ProxyKind = Exclude<SectionKind, 'global'>;

export interface DraftGlobal {
  maxconn: number;
  nbthread: number;
  logs: LogTarget[];
  logTag: string;
  logSendHostname: string | null;
  statsSockets: { path: string; mode: number; level: 'user' | 'operator' | 'admin'; where: ConfigLocation }[];
  masterWorker: boolean;
  hardStopAfter: number;
}

export interface DraftProxy {
  name: string;
  kind: ProxyKind;
  where: ConfigLocation;
  mode: 'http' | 'tcp' | null;
  binds: BindConfig[];
  maxconn: number;
  /** `'global'` stands for the global loggers (`log global`). */
  logs: (LogTarget | 'global')[];
  logTag: string | null;
  httplog: boolean;
  tcplog: boolean;
  httpslog: boolean;
  dontlognull: boolean;
  idleCloseOnResponse: boolean;
  forwardfor: { header: string; ifNone: boolean } | null;
  connMode: HttpConnMode;
  redispatch: boolean;
  retries: number;
  timeouts: {
    client: number | null;
    server: number | null;
    connect: number | null;
    httpRequest: number | null;
    httpKeepAlive: number | null;
    queue: number | null;
    tunnel: number | null;
  };
  defaultBackend: { name: string; where: ConfigLocation } | null;
  useBackends: { backend: string; cond: Condition | null; where: ConfigLocation }[];
  acls: Map<string, AclTest[]>;
  httpRequestRules: HttpRequestRule[];
  requestCaptures: Capture[];
  responseCaptures: Capture[];
  cookieCapture: Capture | null;
  balance: BalanceConfig;
  servers: ServerConfig[];
  httpCheck: { method: string; uri: string; version: string } | null;
  httpCheckExpect: HttpCheckExpect | null;
  cookie: CookieConfig | null;
  stickTable: { size: number; expire: number; where: ConfigLocation } | null;
  stickOn: ConfigLocation | null;
  stats: { enabled: boolean; uri: string | null; auth: string[]; realm: string | null; refresh: number } | null;
}

export function newDraftProxy(name: string, kind: ProxyKind, where: ConfigLocation, from: DraftProxy | null): DraftProxy {
  const base: DraftProxy = from
    ? structuredCloneDraft(from)
    : {
        name: '',
        kind,
        where,
        mode: null,
        binds: [],
        maxconn: 0,
        logs: [],
        logTag: null,
        httplog: false,
        tcplog: false,
        httpslog: false,
        dontlognull: false,
        idleCloseOnResponse: false,
        forwardfor: null,
        connMode: 'keep-alive',
        redispatch: false,
        retries: 3,
        timeouts: { client: null, server: null, connect: null, httpRequest: null, httpKeepAlive: null, queue: null, tunnel: null },
        defaultBackend: null,
        useBackends: [],
        acls: new Map(),
        httpRequestRules: [],
        requestCaptures: [],
        responseCaptures: [],
        cookieCapture: null,
        balance: { algorithm: 'roundrobin', arg: null },
        servers: [],
        httpCheck: null,
        httpCheckExpect: null,
        stats: null,
        stickTable: null,
        stickOn: null,
        cookie: null,
      };
  base.name = name;
  base.kind = kind;
  base.where = where;
  return base;
}

/** Only what `defaults` may carry is copied: settings, never binds, servers, rules or ACLs. */
function structuredCloneDraft(d: DraftProxy): DraftProxy {
  return {
    ...d,
    binds: [],
    logs: [...d.logs],
    forwardfor: d.forwardfor ? { ...d.forwardfor } : null,
    timeouts: { ...d.timeouts },
    defaultBackend: d.defaultBackend,
    useBackends: [],
    acls: new Map(),
    httpRequestRules: [],
    requestCaptures: [],
    responseCaptures: [],
    cookieCapture: null,
    balance: { ...d.balance },
    servers: [],
    stats: d.stats ? { ...d.stats, auth: [...d.stats.auth] } : null,
    stickTable: null,
    stickOn: null,
  };
}
