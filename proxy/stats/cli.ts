/**
 * The runtime API on `stats socket <path> [mode <octal>] [level user|operator|admin]`, spoken
 * like HAProxy's CLI in non-interactive mode: one line of commands (separated by `;`), each
 * answer followed by an empty line, then the connection closes, so `socat` works as with
 * HAProxy. Commands: `help`, `show info`, `show stat`, `disable server <b>/<s>`,
 * `enable server <b>/<s>`, `set server <b>/<s> state ready|maint`. Changing a server needs
 * level admin; below it the answer is HAProxy's `Permission denied`.
 */
import cluster from 'node:cluster';
import fs from 'node:fs';
import net from 'node:net';
import type { BackendRuntime } from '../backend/backend.js';
import type { HealthChecker } from '../checks/health-check.js';
import { statsCsv } from './csv.js';
import type { StatsRow } from './snapshot.js';

export type CliLevel = 'user' | 'operator' | 'admin';

export interface CliContext {
  readonly backends: ReadonlyMap<string, BackendRuntime>;
  readonly checkers: readonly HealthChecker[];
  rows(): StatsRow[];
  info(): Record<string, string | number>;
}

const HELP: readonly (readonly [string, string])[] = [
  ['help', 'list matching or all commands'],
  ['show info', 'report information about the running process'],
  ['show stat', 'report counters for each proxy and server (CSV)'],
  ['disable server <bk>/<srv>', 'disable a server for maintenance (use "enable server" to re-enable)'],
  ['enable server <bk>/<srv>', 'enable a disabled server (use "disable server" to disable)'],
  ['set server <bk>/<srv> state ready|maint', 'change a server\'s administrative state'],
];
const helpText = (): string => HELP.map(([c, d]) => `  ${c.padEnd(40)}: ${d}\n`).join('');

export function runCommand(line: string, level: CliLevel, ctx: CliContext): string {
  const w = line.trim().split(/\s+/).filter(Boolean);
  const cmd = w.join(' ');
  if (cmd === 'help') return `The following commands are valid at this level:\n${helpText()}\n`;
  if (cmd === 'show stat') return statsCsv(ctx.rows()) + '\n';
  if (cmd === 'show info') return Object.entries(ctx.info()).map(([k, v]) => `${k}: ${v}\n`).join('') + '\n';
  const admin = (w[0] === 'disable' || w[0] === 'enable') && w[1] === 'server' ? w[2] : w[0] === 'set' && w[1] === 'server' ? w[2] : null;
  if (admin !== null) {
    if (level !== 'admin') return 'Permission denied\n\n';
    const [bName, sName] = (admin ?? '').split('/');
    const be = ctx.backends.get(bName ?? '');
    if (!be) return 'No such backend.\n\n';
    const s = be.servers.find((x) => x.name === sName);
    if (!s) return 'No such server.\n\n';
    let state: string | undefined = w[0] === 'disable' ? 'maint' : w[0] === 'enable' ? 'ready' : undefined;
    if (w[0] === 'set') {
      if (w[3] !== 'state' || (w[4] !== 'ready' && w[4] !== 'maint') || w.length !== 5) return `'set server <srv>' in haloscope only supports 'state ready|maint'.\n\n`;
      state = w[4];
    }
    if (state === 'maint') {
      be.setServerUp(s, false);
      s.maint = true;
    } else {
      s.maint = false;
      const hc = ctx.checkers.find((h) => h.server === s);
      const cfg = be.cfg.servers.find((x) => x.name === s.name)!;
      be.setServerUp(s, !cfg.disabled && (!hc || hc.health >= hc.cfg.rise));
    }
    return '\n';
  }
  return `Unknown command, but maybe one of the following ones is a better match:\n${helpText()}\n`;
}

/** Starts one UNIX socket; resolves when it listens. */
export async function startCliSocket(path: string, mode: number, level: CliLevel, ctx: CliContext): Promise<net.Server> {
  // A worker of the master-worker mode (proxy/master.ts) gets the socket from the master, which
  // removed a stale file before forking: an existing one is the previous workers' live socket,
  // which this worker now shares (unlinking it would leave the runtime API unreachable).
  if (!cluster.isWorker)
    try {
      if (fs.statSync(path).isSocket()) fs.unlinkSync(path); // a stale socket from a previous run
    } catch {
      // no previous socket
    }
  const srv = net.createServer((sock) => {
    let buf = '';
    sock.on('error', () => {});
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const out = buf
        .slice(0, nl)
        .split(';')
        .map((c) => runCommand(c, level, ctx))
        .join('');
      sock.end(out);
    });
    sock.on('end', () => {
      if (buf && !buf.includes('\n')) sock.end(buf.split(';').map((c) => runCommand(c, level, ctx)).join(''));
    });
  });
  await new Promise<void>((res, rej) => {
    srv.once('error', rej);
    srv.listen(path, () => res());
  });
  fs.chmodSync(path, mode);
  return srv;
}
