/**
 * The runtime API's commands: HAProxy 2.6's keywords and usage lines (the ones haloscope
 * implements), its permission levels and its messages, byte for byte (checked against
 * haproxy by test/proxy-stats/runtime-api.test.ts). A command returns its answer without the
 * empty line that ends every answer (the CLI adds it).
 *
 * Levels, as in HAProxy: `user` may look (show info/stat/servers state, get weight, help),
 * `operator` may also see the sessions (`show sess`), `admin` may change servers. A command
 * above the connection's level answers `Permission denied`.
 */
import type { BackendRuntime } from '../backend/backend.js';
import type { ServerState } from '../backend/server.js';
import { nowMs } from '../clock.js';
import { statsCsv } from './csv.js';
import type { CliKeyword } from './cli-usage.js';
import { showInfo } from './info.js';
import { serversState } from './servers-state.js';
import { cliStreamLine, streamLine, type Epochs, type StreamLine } from './show-sess.js';
import { proxyIds, snapshot } from './snapshot.js';
import { iidOffset, type RuntimeView } from './runtime-view.js';

export type CliLevel = 'user' | 'operator' | 'admin';
const RANK: Readonly<Record<CliLevel, number>> = { user: 1, operator: 2, admin: 3 };

/** One connection to a stats socket: HAProxy's appctx of the CLI applet. */
export interface CliConnection {
  level: CliLevel;
  /** The stats socket's listener id (1 for the first `stats socket` line), shown by `show sess`. */
  readonly luid: number;
  /** Monotonic ms of the accept. */
  readonly created: number;
  /** Its stream's epoch: the epoch at its creation, then the one of its last `show sess`. */
  epoch: number;
  /** `prompt`: interactive mode, the connection stays open and each answer ends with `> `. */
  prompt: boolean;
  /** `quit` was read: close after what is already answered. */
  quit: boolean;
  /** `operator -` / `user -`: this answer has no ending empty line. */
  noLf: boolean;
}

/** State shared by the stats sockets of one proxy. */
export interface CliState {
  readonly view: RuntimeView;
  readonly epochs: Epochs;
  /** Connections accepted so far (show info counts them). */
  connections: number;
  readonly live: Set<CliConnection>;
  /** Ids shown by `show sess` (HAProxy shows the stream's address). */
  readonly ids: WeakMap<object, number>;
  nextId: number;
}

export interface CliCommand extends CliKeyword {
  /** `args`: every word of the command, padded with '' like HAProxy's argument array. */
  run(args: readonly string[], conn: CliConnection, state: CliState): string;
}

const DENIED = 'Permission denied\n';
const allowed = (conn: CliConnection, level: CliLevel): boolean => RANK[conn.level] >= RANK[level];

/** HAProxy's cli_find_server / get_backend_server: `<backend>/<server>`, each a name or `#<id>`. */
function findServer(state: CliState, arg: string, requireBoth: boolean): { be: BackendRuntime; s: ServerState } | string {
  const slash = arg.indexOf('/');
  const bName = slash < 0 ? arg : arg.slice(0, slash);
  const sName = slash < 0 ? '' : arg.slice(slash + 1);
  if (!sName || (requireBoth && !bName)) return "Require 'backend/server'.\n";
  const backends = state.view.backends;
  let be = backends.get(bName);
  if (!be && bName.startsWith('#')) {
    const ids = proxyIds(state.view, iidOffset(state.view));
    const id = Number(bName.slice(1));
    for (const [name, b] of backends) if (ids.get(name) === id) be = b;
  }
  if (!be) return 'No such backend.\n';
  const s = be.servers.find((x) => x.name === sName) ?? (sName.startsWith('#') ? be.servers.find((x) => x.id === Number(sName.slice(1))) : undefined);
  if (!s) return 'No such server.\n';
  return { be, s };
}

/** C's strtol on a whole word: the number, and what follows it. */
function strtol(w: string): { value: number; rest: string } | null {
  const m = /^[ \t]*([+-]?\d+)/.exec(w);
  if (!m) return null;
  return { value: Math.max(Math.min(Number(m[1]), 2 ** 63 - 1), -(2 ** 63)), rest: w.slice(m[0].length) };
}

/** server_parse_weight_change_request (server.c), with its messages (some without a newline, as in HAProxy). */
function changeWeight(be: BackendRuntime, s: ServerState, arg: string): string {
  if (!arg) return 'Require <weight> or <weight%>.\n';
  const n = strtol(arg);
  if (!n) return 'Empty weight string empty or preceded by garbage';
  let w = n.value;
  if (n.rest === '%') {
    if (w < 0) return 'Relative weight must be positive.\n';
    w = Math.trunc((s.initialWeight * Math.min(w, 25600)) / 100);
    if (w > 256) w = 256;
  } else if (w < 0 || w > 256) return 'Absolute weight can only be between 0 and 256 inclusive.\n';
  else if (n.rest !== '') return 'Trailing garbage in weight string';
  if (!be.weightAllowed(s, w)) return "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n";
  be.setServerWeight(s, w);
  return '';
}

/** HAProxy's strtoul(arg, NULL, 0), for `show sess <id>`. */
function strtoul0(w: string): number {
  const m = /^[ \t]*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(w);
  if (!m) return 0;
  const t = m[1]!;
  return t.startsWith('0x') || t.startsWith('0X') ? parseInt(t.slice(2), 16) : t.startsWith('0') && t.length > 1 ? parseInt(t, 8) : Number(t);
}

function idOf(state: CliState, o: object): number {
  let id = state.ids.get(o);
  if (id === undefined) state.ids.set(o, (id = state.nextId++));
  return id;
}

function showSess(args: readonly string[], conn: CliConnection, state: CliState): string {
  if (!allowed(conn, 'operator')) return DENIED;
  conn.epoch = state.epochs.next();
  const now = nowMs();
  const lines: StreamLine[] = [];
  let oldest = Infinity;
  for (const sess of state.view.sessions()) {
    const v = sess.view?.();
    if (!v) continue;
    const id = idOf(state, sess);
    lines.push(streamLine('0x' + id.toString(16), v, state.epochs.at(v.created), now));
    oldest = Math.min(oldest, v.created);
  }
  for (const c of state.live) lines.push(cliStreamLine('0x' + idOf(state, c).toString(16), c.luid, c.created, c.epoch, now));
  state.epochs.prune(oldest);
  lines.sort((a, b) => a.created - b.created);
  const target = args[2];
  if (target && target !== 'all') {
    // HAProxy dumps that stream in detail; haloscope gives its line
    const want = strtoul0(target);
    const one = lines.find((l) => parseInt(l.id.slice(2), 16) === want);
    return one ? one.text + '\n' : 'Session not found.\n';
  }
  return lines.map((l) => l.text + '\n').join('');
}

/** Options of `show info` / `show stat` that change HAProxy's output format or filter it. */
function unsupportedOptions(cmd: string, args: readonly string[], from: number): string | null {
  const extra = args.slice(from).filter(Boolean);
  return extra.length ? `'${cmd} ${extra.join(' ')}' is not supported by haloscope; use '${cmd}'.\n` : null;
}

export const COMMANDS: readonly CliCommand[] = [
  {
    words: ['help'],
    usage: null,
    run: () => '', // answered by the CLI (it needs the keyword list)
  },
  {
    words: ['prompt'],
    usage: null,
    run(_a, conn) {
      conn.prompt = !conn.prompt;
      return '';
    },
  },
  {
    words: ['quit'],
    usage: null,
    run(_a, conn) {
      conn.quit = true;
      return '';
    },
  },
  {
    words: ['show', 'cli', 'level'],
    usage: 'show cli level                          : display the level of the current CLI session',
    run: (_a, conn) => `${conn.level}\n`,
  },
  {
    words: ['operator'],
    usage: 'operator                                : lower the level of the current CLI session to operator',
    run(args, conn) {
      conn.noLf = args[1] === '-';
      if (!allowed(conn, 'operator')) return DENIED;
      conn.level = 'operator';
      return '';
    },
  },
  {
    words: ['user'],
    usage: 'user                                    : lower the level of the current CLI session to user',
    run(args, conn) {
      conn.noLf = args[1] === '-';
      conn.level = 'user';
      return '';
    },
  },
  {
    words: ['show', 'info'],
    usage: 'show info [desc|json|typed|float]*      : report information about the running process',
    run: (args, _c, state) => unsupportedOptions('show info', args, 2) ?? showInfo(state.view, state),
  },
  {
    words: ['show', 'stat'],
    usage: 'show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server',
    run: (args, _c, state) =>
      unsupportedOptions('show stat', args, 2) ?? statsCsv(snapshot(state.view, state.view.global.maxconn, true, iidOffset(state.view))),
  },
  {
    words: ['show', 'servers', 'state'],
    usage: 'show servers state [<backend>]          : dump volatile server information (all or for a single backend)',
    run: (args, _c, state) => serversState(state.view.backends, state.view.checkers, proxyIds(state.view, iidOffset(state.view)), args[3] ?? ''),
  },
  {
    words: ['show', 'sess'],
    usage: 'show sess [id]                          : report the list of current sessions or dump this exact session',
    run: showSess,
  },
  {
    words: ['get', 'weight'],
    usage: "get weight <bk>/<srv>                   : report a server's current weight",
    run(args, _c, state) {
      const f = findServer(state, args[2] ?? '', false);
      if (typeof f === 'string') return f;
      return `${f.s.userWeight} (initial ${f.s.initialWeight})\n`;
    },
  },
  {
    words: ['set', 'weight'],
    usage: "set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)",
    run(args, conn, state) {
      if (!allowed(conn, 'admin')) return DENIED;
      const f = findServer(state, args[2] ?? '', true);
      if (typeof f === 'string') return f;
      return changeWeight(f.be, f.s, args[3] ?? '');
    },
  },
  {
    words: ['set', 'server'],
    usage: "set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl",
    run(args, conn, state) {
      if (!allowed(conn, 'admin')) return DENIED;
      const f = findServer(state, args[2] ?? '', true);
      if (typeof f === 'string') return f;
      const what = args[3] ?? '';
      const value = args[4] ?? '';
      if (what === 'weight') return changeWeight(f.be, f.s, value);
      if (what === 'state') {
        if (value !== 'ready' && value !== 'drain' && value !== 'maint') return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n";
        f.be.setServerAdmin(f.s, value);
        return '';
      }
      if (['health', 'agent', 'agent-addr', 'agent-port', 'agent-send', 'check-addr', 'check-port', 'addr', 'fqdn', 'ssl'].includes(what))
        return `'set server <srv> ${what}' is not supported by haloscope; it supports 'state' and 'weight'.\n`;
      return 'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n';
    },
  },
  {
    words: ['disable', 'server'],
    usage: "disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)",
    run(args, conn, state) {
      if (!allowed(conn, 'admin')) return DENIED;
      const f = findServer(state, args[2] ?? '', true);
      if (typeof f === 'string') return f;
      f.be.setServerAdmin(f.s, 'maint');
      return '';
    },
  },
  {
    words: ['enable', 'server'],
    usage: "enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)",
    run(args, conn, state) {
      if (!allowed(conn, 'admin')) return DENIED;
      const f = findServer(state, args[2] ?? '', true);
      if (typeof f === 'string') return f;
      f.be.setServerAdmin(f.s, 'ready');
      return '';
    },
  },
];
