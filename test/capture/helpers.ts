/**
 * Helpers for the capture tests (not a test file; node --test loads it harmlessly): temp dirs,
 * an in-process collector, a UDP sender that yields so an in-process receiver can keep up,
 * the real CLI as a child process, and the shared corpus.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Capture } from '../../capture/capture.js';
import { parseOptions } from '../../capture/options.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/test/capture -> repository root. */
export const REPO_ROOT = resolve(here, '..', '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'bin', 'haloscope.js');
const SHARED = process.env.HALOSCOPE_SHARED ?? resolve(REPO_ROOT, '..', 'shared');
export const CORPUS_LOG = join(SHARED, 'corpus', 'access.log');

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'haloscope-capture-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Corpus lines (each as HAProxy sent it, without the newline), or a skip reason. */
export function corpusLines(): { lines: string[] } | { skip: string } {
  if (!existsSync(CORPUS_LOG)) {
    if (process.env.CI) throw new Error(`corpus missing at ${CORPUS_LOG} (set HALOSCOPE_SHARED)`);
    return { skip: `corpus not found at ${CORPUS_LOG}` };
  }
  const lines = readFileSync(CORPUS_LOG, 'latin1').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { lines };
}

export async function startCapture(args: string[]): Promise<{ capture: Capture; log: string[] }> {
  const parsed = parseOptions(['--quiet', ...args], () => false);
  if (!parsed.config) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  const log: string[] = [];
  const capture = await Capture.start(parsed.config, { log: (s) => void log.push(s) });
  return { capture, log };
}

export function portOf(capture: Capture, type: 'udp4' | 'udp6' = 'udp4'): number {
  const l = capture.listeners.find((x) => x.type === type);
  if (!l) throw new Error(`no ${type} listener`);
  return l.port;
}

/**
 * Sends every datagram and resolves when the kernel has taken them all. Yields to the event loop
 * every `batch` datagrams so a receiver in the same process drains its socket: libuv reads at
 * most 32 datagrams per socket per loop turn, so a batch of 64 outpaces it and, over 7,500
 * datagrams, overflows even an 8 MiB receive buffer (seen: 25 and 90 kernel drops).
 */
export async function sendAll(type: 'udp4' | 'udp6', port: number, datagrams: readonly (Buffer | string)[], batch = 16): Promise<void> {
  const socket = dgram.createSocket(type);
  const host = type === 'udp4' ? '127.0.0.1' : '::1';
  await new Promise<void>((r) => socket.connect(port, host, () => r()));
  try {
    for (let i = 0; i < datagrams.length; i += batch) {
      const slice = datagrams.slice(i, i + batch);
      await Promise.all(slice.map((d) => new Promise<void>((ok, ko) => socket.send(d, (err) => (err ? ko(err) : ok())))));
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    socket.close();
  }
}

/** Polls `check` until it returns true (a throw counts as false); fails with `what` after `limitMs` (a deadline, not an assertion on time). */
export async function waitFor(check: () => boolean, what: string, limitMs = 8000): Promise<void> {
  const until = Date.now() + limitMs;
  const ok = (): boolean => {
    try {
      return check();
    } catch {
      return false; // e.g. the file is not created yet
    }
  };
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function readLines(path: string): string[] {
  const text = readFileSync(path, 'latin1');
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`${path} does not end with a newline`);
  return text.slice(0, -1).split('\n');
}

export interface CliRun {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly ports: { udp4?: number; udp6?: number };
  /** Sends SIGTERM (or `signal`) and resolves with the exit code. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Starts `haloscope capture ARGS` and waits until its sockets are bound. */
export async function spawnCli(args: string[], options: { fileSizeLimitKiB?: number } = {}): Promise<CliRun> {
  // `ulimit -f` (bash: KiB) makes write() past the limit fail with EFBIG after a short write:
  // a real partial write on a real file, to test that capture cuts the file back.
  const child =
    options.fileSizeLimitKiB === undefined
      ? spawn(process.execPath, [CLI, 'capture', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `ulimit -f ${options.fileSizeLimitKiB} && exec "$0" "$@"`, process.execPath, CLI, 'capture', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout!.resume();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await waitFor(() => /writing \w+ lines to/.test(err) || child.exitCode !== null, 'capture to start');
  if (child.exitCode !== null) throw new Error(`capture exited ${child.exitCode}: ${err}`);
  const ports: { udp4?: number; udp6?: number } = {};
  for (const m of err.matchAll(/listening on (udp[46]) .*:(\d+) \(/g)) ports[m[1] as 'udp4' | 'udp6'] = Number(m[2]);
  return {
    child,
    stderr: () => err,
    ports,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Real HAProxy halog: on PATH, or where Debian puts it (/usr/sbin). */
export function findHalog(): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin']) {
    if (dir && existsSync(join(dir, 'halog'))) return join(dir, 'halog');
  }
  return null;
}

export function halog(bin: string, args: string[], file: string): { out: string; err: string; status: number | null } {
  const r = spawnSync('sh', ['-c', 'exec "$0" "$@" < "$HALOG_INPUT"', bin, ...args], { encoding: 'latin1', env: { ...process.env, HALOG_INPUT: file } });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

/** The corpus's HTTP traffic lines: halog counts TCP and non-traffic lines as parse errors by design. */
export const HTTP_LINE = /^<\d+>[A-Z][a-z]{2} [ \d]\d [\d:]{8} haproxy\[\d+\]: [0-9a-f:.]+:\d+ \[\S+\] (?!fe_tcp )/;
