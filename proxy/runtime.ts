/**
 * Starts the proxy from a validated configuration: backends, frontends with their loggers
 * and listeners. SIGTERM/SIGINT stop at once; SIGUSR1 stops accepting and exits when the
 * sessions in flight are done (soft stop).
 */
import type dgram from 'node:dgram';
import os from 'node:os';
import { BackendRuntime } from './backend/backend.js';
import type { Config } from './config/types.js';
import { FrontendRuntime, type ProcessCounters } from './frontend/frontend.js';
import { Listeners } from './frontend/listeners.js';
import { buildEmitter } from './log/emitter.js';
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
  const sockets = new Map<number, dgram.Socket>();
  const sinks: LogSink[] = [];
  const frontends: FrontendRuntime[] = [];
  const listeners: Listeners[] = [];
  for (const fe of config.frontends) {
    const sink = fe.logs.length ? udpSink(fe.logs, fe.logTag ?? config.global.logTag, pid, config.global.logSendHostname ?? (fe.logs.some((l) => l.format === 'rfc3164') ? null : null), sockets) : null;
    if (sink) sinks.push(sink);
    const rt = new FrontendRuntime(fe, backends, buildEmitter(sink, fe.dontlognull), counters);
    frontends.push(rt);
    const l = new Listeners(rt);
    await l.start();
    listeners.push(l);
  }
  const stopAll = (): void => {
    for (const l of listeners) void l.stopAccepting();
    for (const b of backends.values()) for (const s of b.servers) for (const sock of s.idle.splice(0)) sock.destroy();
    for (const s of sinks) s.close();
  };
  return {
    listeners,
    frontends,
    process: counters,
    async softStop() {
      await Promise.all(listeners.map((l) => l.stopAccepting()));
      while (counters.actconn > 0) await new Promise((r) => setTimeout(r, 50));
      stopAll();
    },
    stop: stopAll,
  };
}

export async function run(config: Config): Promise<number> {
  let proxy: RunningProxy;
  try {
    proxy = await startProxy(config);
  } catch (err) {
    process.stderr.write(`[ALERT] ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`[NOTICE] haloscope proxy ${process.pid} started on ${os.hostname()} (${proxy.listeners.length} frontend(s))\n`);
  return new Promise<number>((resolve) => {
    const hard = (sig: string): void => {
      process.stderr.write(`[WARNING] Proxy stopped by signal ${sig}.\n`);
      proxy.stop();
      resolve(0);
      setImmediate(() => process.exit(0));
    };
    process.once('SIGTERM', () => hard('SIGTERM'));
    process.once('SIGINT', () => hard('SIGINT'));
    process.once('SIGUSR1', () => {
      process.stderr.write('[WARNING] Soft stop: no longer accepting connections, finishing sessions in flight.\n');
      void proxy.softStop().then(() => {
        resolve(0);
        setImmediate(() => process.exit(0));
      });
    });
  });
}
