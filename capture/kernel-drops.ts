/**
 * The kernel's view of our sockets: `drops` (datagrams discarded because the receive buffer
 * was full) and `rx_queue` (bytes waiting to be read), from /proc/net/udp and /proc/net/udp6.
 *
 * A line is ours when its local port matches and its inode is one of this process's sockets
 * (from /proc/self/fd), so another process on the same port with SO_REUSEADDR is not counted.
 *
 *   sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface SocketQueue {
  readonly drops: number;
  readonly rxQueue: number;
}

/** inode -> fd of every socket this process holds. */
function ownSockets(): Map<string, number> {
  const inodes = new Map<string, number>();
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      if (link.startsWith('socket:[')) inodes.set(link.slice(8, -1), Number(fd));
    } catch {
      // fd closed meanwhile
    }
  }
  return inodes;
}

function ownSocketInodes(): Set<string> {
  return new Set(ownSockets().keys());
}

/**
 * The file descriptor of this process's UDP socket bound to `port`, found through /proc (Node
 * does not expose a dgram socket's fd), or null when there is not exactly one such socket or
 * /proc cannot be read: then the caller keeps to Node's own reads.
 */
export function udpSocketFd(type: 'udp4' | 'udp6', port: number): number | null {
  const sockets = ownSockets();
  let text: string;
  try {
    text = readFileSync(type === 'udp4' ? '/proc/net/udp' : '/proc/net/udp6', 'latin1');
  } catch {
    return null;
  }
  const found = new Set<number>();
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 13) continue;
    const local = f[1]!;
    if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
    const fd = sockets.get(f[9]!);
    if (fd !== undefined) found.add(fd);
  }
  return found.size === 1 ? [...found][0]! : null;
}

/** Parses one /proc/net/udp{,6} table; keyed by `port` for our own sockets. */
export function parseProcNetUdp(text: string, inodes: ReadonlySet<string> | null): Map<number, SocketQueue[]> {
  const out = new Map<number, SocketQueue[]>();
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 13) continue;
    const local = f[1]!;
    const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    const queues = f[4]!;
    const rxQueue = parseInt(queues.slice(queues.indexOf(':') + 1), 16);
    const inode = f[9]!;
    const drops = Number(f[12]);
    if (inodes && !inodes.has(inode)) continue;
    const list = out.get(port) ?? [];
    list.push({ drops, rxQueue });
    out.set(port, list);
  }
  return out;
}

/**
 * Reads both tables once and returns, for each (type, port) asked, the sum over our sockets
 * on that port, or null when /proc is not readable (not Linux, restricted container).
 */
export function readSocketQueues(sockets: readonly { type: 'udp4' | 'udp6'; port: number }[]): (SocketQueue | null)[] {
  const inodes = ownSocketInodes();
  const tables: Partial<Record<'udp4' | 'udp6', Map<number, SocketQueue[]> | null>> = {};
  const table = (type: 'udp4' | 'udp6'): Map<number, SocketQueue[]> | null => {
    if (!(type in tables)) {
      try {
        tables[type] = parseProcNetUdp(readFileSync(type === 'udp4' ? '/proc/net/udp' : '/proc/net/udp6', 'latin1'), inodes);
      } catch {
        tables[type] = null;
      }
    }
    return tables[type]!;
  };
  return sockets.map(({ type, port }) => {
    const t = table(type);
    if (!t) return null;
    const list = t.get(port);
    if (!list) return null;
    return list.reduce((a, q) => ({ drops: a.drops + q.drops, rxQueue: a.rxQueue + q.rxQueue }), { drops: 0, rxQueue: 0 });
  });
}
