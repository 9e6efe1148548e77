/**
 * The runtime API on `stats socket <path> [mode <octal>] [level user|operator|admin]`, spoken
 * like HAProxy 2.6's CLI (cli.c): a line holds commands separated by `;` (`\;` and `\ ` are
 * escapes), words are separated by spaces; each answer ends with an empty line. Without
 * `prompt` the connection closes once the lines received are answered, so `socat` works as
 * with HAProxy; `prompt` keeps it open and ends each answer with `> `. A line cut by the end
 * of the connection is ignored, as HAProxy does. Commands: proxy/stats/cli-commands.ts.
 */
import cluster from 'node:cluster';
import fs from 'node:fs';
import net from 'node:net';
import { nowMs } from '../clock.js';
import { COMMANDS, type CliConnection, type CliLevel, type CliState } from './cli-commands.js';
import { usageMessage } from './cli-usage.js';
import type { RuntimeView } from './runtime-view.js';
import { Epochs } from './show-sess.js';

export type { CliLevel } from './cli-commands.js';

/** HAProxy's MAX_CLI_ARGS: words beyond are ignored, missing ones read as ''. */
const MAX_ARGS = 64;

/** The runtime API's state for one proxy, shared by its stats sockets. */
export function cliContext(view: RuntimeView): CliState {
  return { view, epochs: new Epochs(), connections: 0, live: new Set(), ids: new WeakMap(), nextId: 1 };
}

/** Splits a line into commands at unescaped `;` (the backslash stays for the word split). */
export function splitCommands(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += c + line[++i]!;
      continue;
    }
    if (c === ';') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** cli_parse_request's word split: blanks separate words, a backslash escapes the next character. */
export function splitWords(cmd: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < cmd.length && words.length < MAX_ARGS) {
    while (cmd[i] === ' ' || cmd[i] === '\t') i++;
    if (i >= cmd.length) break;
    let w = '';
    while (i < cmd.length && cmd[i] !== ' ' && cmd[i] !== '\t') {
      if (cmd[i] === '\\' && i + 1 < cmd.length) i++;
      w += cmd[i++];
    }
    words.push(w);
  }
  return words;
}

/** Runs one command; returns its whole answer, ending empty line included. */
export function runCommand(cmd: string, conn: CliConnection, state: CliState): string {
  const args = splitWords(cmd);
  const command = COMMANDS.find((c) => c.words.every((w, i) => args[i] === w));
  if (!command) return usageMessage(COMMANDS, args) + '\n';
  if (command.words[0] === 'help') return usageMessage(COMMANDS, args) + '\n';
  conn.noLf = false;
  const out = command.run(args, conn, state);
  if (conn.quit) return out;
  return conn.noLf ? out : out + '\n';
}

/** Starts one UNIX socket; resolves when it listens. */
export async function startCliSocket(path: string, mode: number, level: CliLevel, state: CliState): Promise<net.Server> {
  // A worker of the master-worker mode (proxy/master.ts) gets the socket from the master, which
  // removed a stale file before forking: an existing one is the previous workers' live socket,
  // which this worker now shares (unlinking it would leave the runtime API unreachable).
  if (!cluster.isWorker)
    try {
      if (fs.statSync(path).isSocket()) fs.unlinkSync(path); // a stale socket from a previous run
    } catch {
      // no previous socket
    }
  // `show sess` names the socket by its listener id: its rank among the `stats socket` lines
  const luid = state.view.global.statsSockets.findIndex((s) => s.path === path) + 1;
  const srv = net.createServer((sock) => {
    state.connections++;
    const conn: CliConnection = { level, luid, created: nowMs(), epoch: state.epochs.current, prompt: false, quit: false, noLf: false };
    state.live.add(conn);
    let buf = '';
    sock.on('error', () => {});
    sock.on('close', () => state.live.delete(conn));
    sock.on('end', () => sock.end());
    sock.on('data', (d: Buffer) => {
      if (conn.quit) return;
      buf += d.toString('latin1');
      let out = '';
      for (let nl = buf.indexOf('\n'); nl >= 0 && !conn.quit; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        for (const cmd of splitCommands(line)) {
          out += runCommand(cmd, conn, state);
          if (conn.quit) break;
          if (conn.prompt) out += '> ';
        }
      }
      if (conn.quit || (!conn.prompt && buf === '')) sock.end(out, 'latin1');
      else if (out) sock.write(out, 'latin1');
    });
  });
  await new Promise<void>((res, rej) => {
    srv.once('error', rej);
    srv.listen(path, () => res());
  });
  fs.chmodSync(path, mode);
  return srv;
}
