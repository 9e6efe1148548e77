/**
 * Master-worker mode (`-W`, or `master-worker` in `global`): HAProxy's way to reload without
 * dropping a connection, on Node 20, which has neither SO_REUSEPORT nor descriptor passing
 * between unrelated processes.
 *
 * The master serves no traffic. It forks the workers with node:cluster in SCHED_NONE mode:
 * the master opens each listening socket when a worker first asks for it and hands the
 * descriptor to every worker asking for the same address; the socket, and the connections
 * waiting in its accept queue, live as long as one worker still uses it. A reload (SIGUSR2)
 * reads the configuration files again; if they are valid, a new generation of workers is
 * forked, and once every one of them listens (it says so), the previous generation is
 * soft-stopped (SIGUSR1): it stops accepting, answers what it has started, closes its idle
 * keep-alive connections (or answers their next request, `option idle-close-on-response`) and
 * exits. Meanwhile the kernel hands new connections to the new generation only. An invalid
 * configuration, or a new worker that fails to start, leaves the running workers alone.
 *
 * Messages follow HAProxy's master (`[NOTICE]   (pid) : Reloading HAProxy`...), with the
 * program's name.
 */
import cluster, { type Worker } from 'node:cluster';
import fs from 'node:fs';
import os from 'node:os';
import type { Config } from './config/types.js';
import { formatDiagnostic, resolveFiles } from './config/resolve.js';

/** A new generation that does not listen within this time counts as a failed reload. */
const READY_TIMEOUT_MS = 30_000;

type Level = 'NOTICE' | 'WARNING' | 'ALERT';

/** HAProxy's layout: `[NOTICE]   (1234) : text`, the pid column aligned. */
function say(level: Level, text: string, pid = process.pid): void {
  process.stderr.write(`${`[${level}]`.padEnd(10)} (${pid}) : ${text}\n`);
}

const SIGNAL_TEXT: Readonly<Record<string, string>> = {
  SIGTERM: 'Terminated',
  SIGKILL: 'Killed',
  SIGINT: 'Interrupt',
  SIGHUP: 'Hangup',
  SIGSEGV: 'Segmentation fault',
  SIGABRT: 'Aborted',
  SIGUSR1: 'User defined signal 1',
  SIGUSR2: 'User defined signal 2',
};

/** `143 (Terminated)` or `0 (Exit)`, as HAProxy's master reports a worker's end. */
function exitText(code: number | null, signal: string | null): string {
  if (signal) return `${128 + (os.constants.signals[signal as NodeJS.Signals] ?? 0)} (${SIGNAL_TEXT[signal] ?? signal})`;
  return `${code ?? 0} (Exit)`;
}

interface Generation {
  readonly config: Config;
  readonly workers: Worker[];
  /** Workers that said they listen on every socket of their configuration. */
  readonly ready: Set<Worker>;
  readonly alive: Set<Worker>;
  state: 'starting' | 'current' | 'former' | 'failed';
  /** Workers to soft-stop as soon as they are ready: before, SIGUSR1 would reach Node's default handler (the inspector). */
  readonly softStopWhenReady: Set<Worker>;
  /** While starting: a worker ended before it was ready. */
  onEarlyExit?: (w: Worker, code: number | null, signal: string | null) => void;
}

/** Removes a stale socket file (as a standalone process does before binding), never one a live generation shares. */
function clearStaleSockets(config: Config, held: ReadonlySet<string>): void {
  for (const s of config.global.statsSockets) {
    if (held.has(s.path)) continue;
    try {
      if (fs.statSync(s.path).isSocket()) fs.unlinkSync(s.path);
    } catch {
      // no previous socket
    }
  }
}

export function runMaster(first: Config, files: readonly string[], quiet: boolean): Promise<number> {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const generations = new Set<Generation>();
  const byWorker = new Map<Worker, Generation>();
  let current: Generation | null = null;
  let stopping: 'SIGTERM' | 'SIGUSR1' | null = null;
  let exitCode = 0;
  let reloading = false;
  let reloadAgain = false;
  let finish: (code: number) => void = () => {};

  const softStop = (w: Worker): void => {
    const g = byWorker.get(w)!;
    if (!g.alive.has(w)) return;
    if (g.ready.has(w)) w.process.kill('SIGUSR1');
    else g.softStopWhenReady.add(w);
  };

  let finished = false;
  const maybeFinish = (): void => {
    if (finished || !stopping || [...generations].some((g) => g.alive.size > 0)) return;
    finished = true;
    say('WARNING', `All workers exited. Exiting... (${exitCode})`);
    finish(exitCode);
  };

  const stopAll = (sig: 'SIGTERM' | 'SIGUSR1'): void => {
    if (stopping === 'SIGTERM' || stopping === sig) return;
    stopping = sig;
    if (sig === 'SIGTERM') say('WARNING', 'Exiting Master process...');
    for (const g of generations)
      for (const w of g.alive) {
        if (sig === 'SIGTERM') w.process.kill('SIGTERM');
        else softStop(w);
      }
    maybeFinish();
  };

  /** Forks one generation; resolves with it once all of its workers listen, null if one failed. */
  const startGeneration = (config: Config): Promise<Generation | null> =>
    new Promise((resolve) => {
      const g: Generation = { config, workers: [], ready: new Set(), alive: new Set(), state: 'starting', softStopWhenReady: new Set() };
      generations.add(g);
      let settled = false;
      const settle = (ok: boolean, why?: string, stuck = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (ok) return resolve(g);
        g.state = 'failed';
        if (why && !stopping) say('ALERT', why);
        // A worker of a failed generation may share sockets with the running one and hold
        // clients from them: it finishes those (soft stop, as soon as it can take the signal);
        // one that is stuck before listening is killed.
        for (const w of g.alive) stuck && !g.ready.has(w) ? w.process.kill('SIGTERM') : softStop(w);
        resolve(null);
      };
      const timer = setTimeout(() => settle(false, `New worker(s) not listening after ${READY_TIMEOUT_MS / 1000} s.`, true), READY_TIMEOUT_MS);
      g.onEarlyExit = (w, code, signal) => settle(false, `New worker (${w.process.pid}) exited with code ${exitText(code, signal)} before listening.`);
      let leader = 0;
      for (let i = 0; i < config.global.nbthread; i++) {
        // The workers of one generation are one HAProxy process to the logs: they all log the
        // pid of the first (with nbthread 1, simply its own), a new pid after each reload.
        const w = cluster.fork({ HALOSCOPE_MASTER: String(process.pid), HALOSCOPE_LOG_PID: leader ? String(leader) : '' });
        if (!leader) leader = w.process.pid ?? 0;
        g.workers.push(w);
        g.alive.add(w);
        byWorker.set(w, g);
        say('NOTICE', `New worker (${w.process.pid}) forked`);
        w.on('message', (m: unknown) => {
          if ((m as { haloscope?: string } | null)?.haloscope !== 'ready') return;
          g.ready.add(w);
          if (g.softStopWhenReady.delete(w) || (stopping === 'SIGUSR1' && g.alive.has(w))) w.process.kill('SIGUSR1');
          if (g.state === 'starting' && g.ready.size === g.workers.length) settle(true);
        });
      }
    });

  cluster.on('exit', (w, code, signal) => {
    const g = byWorker.get(w);
    if (!g) return;
    byWorker.delete(w);
    g.alive.delete(w);
    g.softStopWhenReady.delete(w);
    const text = exitText(code, signal);
    const clean = code === 0 && !signal;
    if (g.state === 'current') {
      say(clean ? 'WARNING' : 'ALERT', `Current worker (${w.process.pid}) exited with code ${text}`);
      if (!stopping) {
        // HAProxy's default (exit-on-failure): no half-served configuration
        exitCode = 1;
        say('ALERT', 'exit-on-failure: killing every processes with SIGTERM');
        stopAll('SIGTERM');
      }
    } else if (g.state === 'former') say('WARNING', `Former worker (${w.process.pid}) exited with code ${text}`);
    else if (g.state === 'failed') say('WARNING', `Failed worker (${w.process.pid}) exited with code ${text}`);
    else g.onEarlyExit?.(w, code, signal);
    if (g.alive.size === 0 && g !== current) generations.delete(g);
    maybeFinish();
  });

  const heldSockets = (): Set<string> => {
    const held = new Set<string>();
    for (const g of generations) if (g.alive.size) for (const s of g.config.global.statsSockets) held.add(s.path);
    return held;
  };

  /** Starts a generation and makes it the current one; the previous one is soft-stopped. */
  const takeOver = async (config: Config): Promise<boolean> => {
    const previous = current;
    const next = await startGeneration(config);
    if (!next) return false;
    next.state = 'current';
    current = next;
    say('NOTICE', 'Loading success.');
    if (previous) {
      previous.state = 'former';
      for (const w of previous.alive) softStop(w);
      if (previous.alive.size === 0) generations.delete(previous);
    }
    return true;
  };

  const afterLoad = (): void => {
    reloading = false;
    if (reloadAgain && !stopping) {
      reloadAgain = false;
      void reload();
    }
  };

  const reload = async (): Promise<void> => {
    if (stopping) return;
    if (reloading) {
      reloadAgain = true; // read the files once more when the generation being started is up
      return;
    }
    reloading = true;
    try {
      say('NOTICE', `Reloading ${PROGRAM}`);
      const { config, diagnostics } = resolveFiles(files);
      for (const d of diagnostics) if (d.level === 'alert' || !quiet) process.stderr.write(formatDiagnostic(d) + '\n');
      if (!config) {
        process.stderr.write(`[ALERT] config : Fatal errors found in configuration (${diagnostics.filter((d) => d.level === 'alert').length}).\n`);
        say('WARNING', 'Loading failure!');
        return;
      }
      clearStaleSockets(config, heldSockets());
      if (!(await takeOver(config)) && !stopping) say('WARNING', 'Loading failure!');
    } finally {
      afterLoad();
    }
  };

  return new Promise<number>((resolve) => {
    finish = resolve;
    process.on('SIGTERM', () => stopAll('SIGTERM'));
    process.on('SIGINT', () => stopAll('SIGTERM'));
    process.on('SIGUSR1', () => stopAll('SIGUSR1'));
    process.on('SIGUSR2', () => void reload());
    clearStaleSockets(first, new Set());
    reloading = true;
    void takeOver(first).then((ok) => {
      if (!ok) {
        if (!stopping) say('ALERT', 'Loading failure!');
        exitCode = 1;
        stopping ??= 'SIGTERM';
        maybeFinish();
        return;
      }
      afterLoad();
    });
  });
}

const PROGRAM = 'haloscope';
