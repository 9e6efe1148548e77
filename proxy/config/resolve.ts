/**
 * From configuration files to a frozen `Config` plus diagnostics. Every problem of every file
 * is collected first; the config is returned only when there is no alert.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, ProxyErrorCode as E } from '../errors.js';
import type { DraftProxy } from './draft.js';
import type { Diagnostic } from './keyword.js';
import { parseLines } from './parse.js';
import { tokenize, type ConfigLine } from './tokenize.js';
import type { Config, LogTarget, ProxyConfig } from './types.js';
import { suggest } from './suggest.js';
import { checkTcpProxy } from '../tcp/config-check.js';

export interface ResolveResult {
  readonly config: Config | null;
  readonly diagnostics: readonly Diagnostic[];
}

export interface ConfigSource {
  readonly file: string;
  readonly text: string;
}

export function resolveFiles(files: readonly string[]): ResolveResult {
  const sources: ConfigSource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    try {
      sources.push({ file, text: readFileSync(file, 'utf8') });
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (err as Error).message;
      diagnostics.push({ level: 'alert', error: new ConfigError(E.E_CONFIG_FILE, { file, line: 0 }, `Could not open configuration file ${file} : ${reason}`) });
    }
  }
  const r = resolve(sources);
  return { config: diagnostics.length ? null : r.config, diagnostics: [...diagnostics, ...r.diagnostics] };
}

export function resolve(sources: readonly ConfigSource[]): ResolveResult {
  const lines: ConfigLine[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const s of sources) {
    const t = tokenize(s.text, s.file);
    lines.push(...t.lines);
    for (const e of t.errors) diagnostics.push({ level: 'alert', error: e });
  }
  const draft = parseLines(lines);
  diagnostics.push(...draft.diagnostics);
  const alert = (code: E, where: { file: string; line: number }, detail: string): void => {
    diagnostics.push({ level: 'alert', error: new ConfigError(code, where, detail) });
  };
  const warn = (where: { file: string; line: number }, message: string): void => {
    diagnostics.push({ level: 'warning', where, message });
  };

  const seen = new Map<string, DraftProxy>();
  for (const p of draft.proxies) {
    const side = p.kind === 'listen' ? ['frontend', 'backend'] : [p.kind];
    for (const s of side) {
      const prev = seen.get(`${s}:${p.name}`);
      if (prev) alert(E.E_CONFIG_DUPLICATE, p.where, `${p.kind} '${p.name}' has the same name as ${prev.kind} '${p.name}' declared at ${prev.where.file}:${prev.where.line}`);
      seen.set(`${s}:${p.name}`, p);
    }
  }
  const backendNames = draft.proxies.filter((p) => p.kind !== 'frontend').map((p) => p.name);
  const isBackend = (n: string): boolean => backendNames.includes(n);
  const frozenGlobalLogs = draft.global.logs;

  const finals: ProxyConfig[] = [];
  for (const p of draft.proxies) {
    const loc = `${p.kind} '${p.name}'`;
    const mode = p.mode ?? 'tcp'; // HAProxy's default
    if (p.stats && (mode === 'tcp' || p.kind === 'backend'))
      alert(E.E_CONFIG_UNSUPPORTED, p.where, `${loc} : the stats page is only supported in 'mode http' frontends and listen sections`);
    if (p.httpslog && mode === 'http' && p.binds.some((b) => !b.tls))
      alert(E.E_CONFIG_UNSUPPORTED, p.where, `${loc} : 'option httpslog' on a clear-text 'bind' is not supported by haloscope; add 'ssl crt <pem>' to every bind or use 'option httplog'`);
    if (p.stickOn && !p.stickTable) alert(E.E_CONFIG_BAD_VALUE, p.stickOn, `Proxy '${p.name}': unable to find stick-table '${p.name}'.`);
    if (p.stickTable && !p.stickOn) warn(p.stickTable.where, `${loc} : 'stick-table' without 'stick on' is not used by haloscope (no track-sc)`);
    if (p.httpCheck && p.servers.some((x) => x.tls && x.check))
      alert(E.E_CONFIG_UNSUPPORTED, p.where, `${loc} : 'option httpchk' toward 'ssl' servers is not supported by haloscope (checks are sent in clear text); use TCP checks (no 'option httpchk')`);
    if (mode === 'tcp') checkTcpProxy(p, loc, alert, warn);
    else if (p.tcplog) alert(E.E_CONFIG_UNSUPPORTED, p.where, `${loc} : 'option tcplog' in 'mode http' is not supported (haloscope writes httplog lines for HTTP); use 'option httplog'`);
    if (p.kind !== 'backend') {
      if (p.binds.length === 0) alert(E.E_CONFIG_NO_LISTENER, p.where, `${loc} has no 'bind' directive; add 'bind <addr>:<port>'`);
      if (p.timeouts.client === null) warn(p.where, `${loc} : missing timeouts for frontend: 'timeout client' is infinite`);
    }
    if (p.kind !== 'frontend') {
      if (p.timeouts.server === null || p.timeouts.connect === null) warn(p.where, `${loc} : missing timeouts for backend: 'timeout connect' / 'timeout server' are infinite`);
    }
    const checkBackend = (name: string, where: { file: string; line: number }, rule = 'as its default backend'): void => {
      if (isBackend(name)) {
        const be = draft.proxies.find((x) => x.kind !== 'frontend' && x.name === name)!;
        const beMode = be.mode ?? 'tcp';
        if (beMode !== mode)
          alert(
            mode === 'http' ? E.E_CONFIG_BAD_VALUE : E.E_CONFIG_UNSUPPORTED,
            where,
            mode === 'http'
              ? `http ${p.kind} '${p.name}' (${p.where.file}:${p.where.line}) tries to use incompatible tcp backend '${name}' (${be.where.file}:${be.where.line}) ${rule} (see 'mode').`
              : `tcp ${p.kind} '${p.name}' uses http backend '${name}': upgrading a TCP stream to HTTP is not supported by haloscope; use 'mode http' in both or 'mode tcp' in both`,
          );
        return;
      }
      const hint = suggest(name, backendNames);
      alert(E.E_CONFIG_UNKNOWN_BACKEND, where, `${loc} : unable to find required backend '${name}'${hint ? `; did you mean '${hint}'?` : ''}`);
    };
    if (p.kind !== 'backend') {
      if (p.defaultBackend) checkBackend(p.defaultBackend.name, p.defaultBackend.where);
      for (const u of p.useBackends) checkBackend(u.backend, u.where, "in a 'use_backend' rule");
      if (mode === 'http' && p.logs.length > 0 && !p.httplog)
        warn(p.where, `${loc} : no 'option httplog'; haloscope only produces the httplog format and uses it`);
    }
    const logs: LogTarget[] = [];
    for (const l of p.logs) {
      if (l === 'global') logs.push(...frozenGlobalLogs);
      else logs.push(l);
    }
    const t = p.timeouts;
    const client = t.client ?? 0;
    const httpRequest = t.httpRequest ?? client;
    finals.push({
      name: p.name,
      kind: p.kind as ProxyConfig['kind'],
      file: p.where.file,
      line: p.where.line,
      mode,
      binds: p.binds,
      maxconn: p.maxconn,
      logs,
      logTag: p.logTag,
      httplog: mode === 'http' && p.httplog,
      tcplog: mode === 'tcp',
      httpslog: mode === 'http' && p.httpslog,
      dontlognull: p.dontlognull,
      idleCloseOnResponse: mode === 'http' && p.idleCloseOnResponse,
      forwardfor: p.forwardfor,
      connMode: p.connMode,
      redispatch: p.redispatch,
      retries: p.retries,
      timeouts: {
        client,
        server: t.server ?? 0,
        connect: t.connect ?? 0,
        httpRequest,
        httpKeepAlive: t.httpKeepAlive ?? httpRequest,
        queue: t.queue ?? t.connect ?? 0,
        tunnel: t.tunnel ?? 0,
      },
      defaultBackend: p.defaultBackend?.name ?? null,
      useBackends: p.useBackends.map(({ backend, cond }) => ({ backend, cond })),
      httpRequestRules: p.httpRequestRules,
      requestCaptures: p.requestCaptures,
      responseCaptures: p.responseCaptures,
      cookieCapture: p.cookieCapture,
      balance: p.balance,
      servers: p.servers,
      httpCheck: p.httpCheck ? { ...p.httpCheck, expect: p.httpCheckExpect } : null,
      cookie: p.cookie,
      stick: p.stickOn && p.stickTable ? { size: p.stickTable.size, expire: p.stickTable.expire } : null,
      // any stats keyword enables the page, as in HAProxy
      stats: p.stats ? { uri: p.stats.uri ?? '/haproxy?stats', auth: p.stats.auth, realm: p.stats.realm ?? 'HAProxy Statistics', refresh: p.stats.refresh } : null,
    });
  }
  // workers do not share state (docs/proxy.md, nbthread): one socket cannot steer them all
  if (draft.global.nbthread > 1)
    for (const s of draft.global.statsSockets) alert(E.E_CONFIG_UNSUPPORTED, s.where, `'stats socket' with 'nbthread ${draft.global.nbthread}' is not supported by haloscope (each worker has its own state); use 'nbthread 1'`);
  const frontends = finals.filter((p) => p.kind !== 'backend');
  if (frontends.length === 0 && !diagnostics.some((d) => d.level === 'alert'))
    alert(E.E_CONFIG_NO_LISTENER, { file: sources[0]?.file ?? '<none>', line: 0 }, 'Configuration file has no error but will not start (no listener) => exit(2).');
  if (diagnostics.some((d) => d.level === 'alert')) return { config: null, diagnostics };
  const config: Config = {
    global: { ...draft.global, maxconn: draft.global.maxconn || 4096 },
    frontends,
    backends: new Map(finals.filter((p) => p.kind !== 'frontend').map((p) => [p.name, p])),
  };
  return { config: deepFreeze(config), diagnostics };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    if (o instanceof Map) for (const v of o.values()) deepFreeze(v);
    else for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export function formatDiagnostic(d: Diagnostic): string {
  if (d.level === 'alert') return `[ALERT] config : ${d.error.message}`;
  return `[WARNING] config : parsing [${d.where.file}:${d.where.line}] : ${d.message}`;
}
