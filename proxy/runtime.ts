/**
 * Starts the proxy from a validated configuration: backends, frontends with their loggers
 * and listeners. SIGTERM/SIGINT stop at once; SIGUSR1 stops accepting and exits when the
 * sessions in flight are done (soft stop).
 */
import cluster from 'node:cluster';
import type dgram from 'node:dgram';
import os from 'node:os';
import { BackendRuntime } from './backend/backend.js';
import type { Config } from './config/types.js';
import { FrontendRuntime, type ProcessCounters } from './frontend/frontend.js';
import { Listeners } from './frontend/listeners.js';
import { buildEmitter } from './log/emitter.js';
import { buildTcpEmitter } from './log/tcplog.js';
import { logDate } from './log/dates.js';
import { tcpSessions } from './tcp/tcp-session.js';
import { startHealthChecks, type HealthChecker } from './checks/health-check.js';
import { ClientSession } from './session/client-session.js';
import { StatsRegistry } from './stats/counters.js';
import { statsHandler } from './stats/page.js';
import { snapshot } from './stats/snapshot.js';
import { cliContext, startCliSocket } from './stats/cli.js';
import { serviceHandler } from './stats/prometheus.js';
import type { RuntimeView } from './stats/runtime-view.js';
import type net from 'node:net';
import { udpSink, type LogSink } from './log/udp-sender.js';

export interface RunningProxy {
  readonly listeners: readonly Listeners[];
  readonly frontends: readonly FrontendRuntime[];
  readonly process: ProcessCounters;
  /** Stop accepting; resolves when no client connection is left. */
  softStop(): Promise<void>;
  /** Close everything now. */
  stop(): void;
}

export async function startProxy(config: Config, pid = process.pid): Promise<RunningProxy> {
  const backends = new Map<string, BackendRuntime>();
  for (const [name, cfg] of config.backends) backends.set(name, new BackendRuntime(cfg));
  const counters: ProcessCounters = { actconn: 0, maxconn: config.global.maxconn };
  const sockets = new Map<string, dgram.Socket>();
  const sinks: LogSink[] = [];
  const frontends: FrontendRuntime[] = [];
  const listeners: Listeners[] = [];
  /** Where each proxy's own messages go (soft-stop lines). */
  const proxySinks = new Map<string, LogSink>();
  // server state changes (checks, maintenance, drain) go to the backend's loggers, one sink per backend
  for (const be of backends.values()) {
    const sink = be.cfg.logs.length ? udpSink(be.cfg.logs, be.cfg.logTag ?? config.global.logTag, pid, config.global.logSendHostname, sockets) : null;
    if (sink) sinks.push(sink);
    if (sink) proxySinks.set(be.cfg.name, sink);
    be.report = (level, message) => {
      // HAProxy also prints them: state changes as warnings, "no server available" as an alert
      process.stderr.write(level === 0 ? `[ALERT] ${message.replace(/^backend (\S+)/, "backend '$1'")}\n` : `[WARNING] ${message}\n`);
      sink?.send(level, message);
    };
  }
  const checkers: HealthChecker[] = startHealthChecks(backends.values());
  const registry = new StatsRegistry();
  // what the runtime API and the Prometheus exporter read, at each command or scrape
  const view: RuntimeView = { frontends, backends, checkers, registry, process: counters, global: config.global, pid, sessions: () => listeners.flatMap((l) => [...l.sessions()]) };
  const cliCtx = cliContext(view);
  const useService = serviceHandler(cliCtx);
  for (const fe of config.frontends) {
    const sink = fe.logs.length ? udpSink(fe.logs, fe.logTag ?? config.global.logTag, pid, config.global.logSendHostname ?? (fe.logs.some((l) => l.format === 'rfc3164') ? null : null), sockets) : null;
    if (sink) sinks.push(sink);
    if (sink) proxySinks.set(fe.name, sink);
    // the stats counters see every finished session, logged or not
    const httpEmit = buildEmitter(sink, fe.dontlognull);
    const tcpEmit = buildTcpEmitter(sink, fe.dontlognull);
    const rt = new FrontendRuntime(fe, backends, (rec) => (registry.observeHttp(rec), httpEmit(rec)), counters);
    if (fe.stats) rt.stats = statsHandler(fe.stats, () => snapshot({ frontends, backends, checkers, registry }, config.global.maxconn, false, config.global.statsSockets.length ? 1 : 0), 'HAProxy');
    rt.useService = useService;
    if (sink)
      rt.connectionError = (sock, listener, message) => {
        const ra = sock.remoteAddress ?? '';
        const ip = ra.startsWith('::ffff:') && ra.includes('.') ? ra.slice(7) : ra;
        sink.send(6, `${ip}:${sock.remotePort ?? 0} [${logDate(Date.now())}] ${fe.name}/${listener}: ${message}`);
      };
    frontends.push(rt);
    const openTcp = tcpSessions(rt, (rec) => (registry.observeTcp(rec), tcpEmit(rec)));
    const l = new Listeners(rt, (sock) => {
      const session = fe.mode === 'tcp' ? openTcp(sock) : new ClientSession(sock, rt);
      registry.connection(fe.name, rt.feconn);
      return session;
    });
    listeners.push(l);
    try {
      await l.start();
    } catch (err) {
      // During a reload the sockets already opened are shared with the running workers and
      // may have handed us clients: serve them before giving up, not drop them.
      await Promise.all(listeners.map((x) => drain(x)));
      for (const c of checkers) c.stop();
      for (const s of sinks) s.close();
      throw err;
    }
  }
  const cliSockets: net.Server[] = [];
  try {
    for (const s of config.global.statsSockets) cliSockets.push(await startCliSocket(s.path, s.mode, s.level, cliCtx));
  } catch (err) {
    for (const c of cliSockets) c.close();
    await Promise.all(listeners.map((x) => drain(x)));
    for (const c of checkers) c.stop();
    for (const s of sinks) s.close();
    throw err;
  }
  const stopAll = (): void => {
    for (const c of checkers) c.stop();
    for (const c of cliSockets) c.close();
    for (const l of listeners) void l.stopAccepting();
    for (const b of backends.values()) for (const s of b.servers) for (const c of s.idle.splice(0)) c.sock.destroy();
    for (const s of sinks) s.close();
  };
  return {
    listeners,
    frontends,
    process: counters,
    async softStop() {
      // the runtime API is the next process's as of now (master-worker reload)
      for (const c of cliSockets) c.close();
      const drained = Promise.all(listeners.map((l) => drain(l)));
      stoppedNotices(config, registry, (name) => {
        let sink = proxySinks.get(name);
        const be = config.backends.get(name);
        if (!sink && be?.logs.length) sinks.push((sink = udpSink(be.logs, be.logTag ?? config.global.logTag, pid, config.global.logSendHostname, sockets)));
        return sink ?? null;
      });
      await drained;
      while (counters.actconn > 0) await new Promise((r) => setTimeout(r, 50));
      stopAll();
    },
    stop: stopAll,
  };
}

/** Stops accepting and drains at once: waiting for the servers' 'close' first would wait for the idle keep-alive connections that draining closes. */
function drain(l: Listeners): Promise<void> {
  const closed = l.stopAccepting(true);
  l.drainSessions();
  return closed;
}

/**
 * HAProxy's soft-stop lines (proxy.c, stop_proxy): one per proxy in configuration order,
 * `Proxy <name> stopped (cumulated conns: FE: <connections>, BE: <sessions>).`, on stderr
 * and as a warning to the proxy's log targets.
 */
function stoppedNotices(config: Config, registry: StatsRegistry, sinkOf: (name: string) => LogSink | null): void {
  for (const p of [...config.frontends, ...[...config.backends.values()].filter((b) => b.kind === 'backend')]) {
    const fe = p.kind === 'backend' ? 0 : registry.frontend(p.name).stot;
    const be = p.kind === 'frontend' ? 0 : registry.backend(p.name).stot;
    const msg = `Proxy ${p.name} stopped (cumulated conns: FE: ${fe}, BE: ${be}).`;
    process.stderr.write(`[WARNING]  (${process.pid}) : ${msg}\n`);
    sinkOf(p.name)?.send(4, msg);
  }
}

/**
 * `nbthread N` > 1: N worker processes (node:cluster) accept on the same sockets, the kernel
 * spreading connections (SCHED_NONE: no hand-off through the primary). Logs carry the
 * primary's pid, like HAProxy's single process. Counters, queues and per-server maxconn are
 * per worker (documented in docs/proxy.md).
 */
function runPrimary(workers: number): Promise<number> {
  return new Promise<number>((resolve) => {
    let alive = 0;
    let stopping: NodeJS.Signals | null = null;
    const ready = new Set<number>();
    for (let i = 0; i < workers; i++) {
      cluster.fork({ HALOSCOPE_LOG_PID: String(process.pid) });
      alive++;
    }
    // A worker gets a signal only once it listens (its handlers are installed by then);
    // a signal that arrives earlier is delivered when it is ready.
    cluster.on('listening', (w) => {
      if (ready.has(w.id)) return;
      ready.add(w.id);
      if (stopping) w.process.kill(stopping);
    });
    cluster.on('exit', () => {
      alive--;
      if (!stopping) {
        process.stderr.write('[ALERT] a worker exited unexpectedly; stopping.\n');
        forward('SIGTERM');
      }
      if (alive === 0) resolve(0);
    });
    const forward = (sig: NodeJS.Signals): void => {
      stopping = sig;
      // SIGTERM may kill a worker still starting; SIGUSR1 must wait for its handler (else Node's inspector takes it)
      for (const w of Object.values(cluster.workers ?? {})) if (w && (sig === 'SIGTERM' || ready.has(w.id))) w.process.kill(sig);
    };
    process.on('SIGTERM', () => forward('SIGTERM'));
    process.on('SIGINT', () => forward('SIGTERM'));
    process.on('SIGUSR1', () => forward('SIGUSR1'));
  });
}

export interface RunOptions {
  /** `-W` or `master-worker`: the configuration files, read again on each reload (proxy/master.ts). */
  readonly masterWorker?: { readonly files: readonly string[]; readonly quiet: boolean } | null;
}

export async function run(config: Config, opts: RunOptions = {}): Promise<number> {
  if (opts.masterWorker && cluster.isPrimary) {
    const { runMaster } = await import('./master.js');
    return runMaster(config, opts.masterWorker.files, opts.masterWorker.quiet);
  }
  // set by proxy/master.ts: this worker reports when it listens, and may be soft-stopped by a reload
  const underMaster = cluster.isWorker && process.env.HALOSCOPE_MASTER !== undefined;
  if (config.global.nbthread > 1 && cluster.isPrimary) {
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    process.stderr.write(`[NOTICE] haloscope proxy ${process.pid}: starting ${config.global.nbthread} workers\n`);
    return runPrimary(config.global.nbthread);
  }
  // Handlers first, so that a signal during start-up is not lost (or taken by the inspector).
  let requested: 'hard' | 'soft' | null = null;
  let onSignal: (kind: 'hard' | 'soft', sig: string) => void = (kind) => {
    requested ??= kind;
  };
  process.on('SIGTERM', () => onSignal('hard', 'SIGTERM'));
  process.on('SIGINT', () => onSignal('hard', 'SIGINT'));
  process.on('SIGUSR1', () => onSignal('soft', 'SIGUSR1'));
  // the reload signal is the master's; a stray one (kill -USR2 on the process group) must not kill a worker
  if (underMaster) process.on('SIGUSR2', () => {});
  let proxy: RunningProxy;
  try {
    proxy = await startProxy(config, Number(process.env.HALOSCOPE_LOG_PID) || process.pid);
  } catch (err) {
    process.stderr.write(`[ALERT] ${(err as Error).message}\n`);
    if (cluster.isWorker) process.exit(1); // the IPC channel would keep a failed worker alive
    return 1;
  }
  process.stderr.write(`[NOTICE] haloscope proxy ${process.pid} started on ${os.hostname()} (${proxy.listeners.length} frontend(s))\n`);
  if (underMaster) process.send?.({ haloscope: 'ready' });
  return new Promise<number>((resolve) => {
    let done = false;
    onSignal = (kind, sig) => {
      if (kind === 'hard') {
        process.stderr.write(`[WARNING] Proxy stopped by signal ${sig}.\n`);
        proxy.stop();
        resolve(0);
        setImmediate(() => process.exit(0));
        return;
      }
      if (done) return;
      done = true;
      process.stderr.write('[WARNING] Soft stop: no longer accepting connections, finishing sessions in flight.\n');
      const limit = config.global.hardStopAfter;
      // HAProxy's hard-stop-after: a reload must not leave old processes behind forever (idle keep-alive, tunnels)
      if (limit > 0)
        setTimeout(() => {
          process.stderr.write(`[WARNING]  (${process.pid}) : soft-stop running for too long, performing a hard-stop.\n`);
          proxy.stop();
          resolve(0);
          setImmediate(() => process.exit(0));
        }, limit);
      void proxy.softStop().then(() => {
        resolve(0);
        setImmediate(() => process.exit(0));
      });
    };
    if (requested) onSignal(requested, 'early signal');
  });
}
