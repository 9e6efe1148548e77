/**
 * A receive buffer past net.core.rmem_max, as root, without touching that system-wide setting.
 *
 * SO_RCVBUF is capped at 2 x rmem_max (Debian's default: 416 KiB); SO_RCVBUFFORCE is not, for
 * a process with CAP_NET_ADMIN. rsyslog uses it when run as root, so on the same machine it got
 * a bigger buffer than capture could ask for, and a receiver that is not scheduled for 100 ms
 * loses what does not fit in its buffer. Node.js cannot set SO_RCVBUFFORCE, so the socket's
 * descriptor is lent to a one-line Perl program (perl-base is part of every Debian system) that
 * sets the option on it: a socket option belongs to the socket, not to the process that set it.
 * This runs once per socket at start, and only when the kernel capped the buffer.
 */
import { spawnSync } from 'node:child_process';
import { udpSocketFd } from './kernel-drops.js';

/** SO_RCVBUFFORCE on the architectures Node.js runs on (asm-generic/socket.h). */
const SO_RCVBUFFORCE = 33;
const GENERIC_SOCKET_ABI = new Set(['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64']);

const PERL_SET_OPTION =
  'use Socket qw(SOL_SOCKET); open(my $s, "+<&=", 3) or die "fd 3: $!\\n"; ' +
  'setsockopt($s, SOL_SOCKET, $ARGV[0], pack("i", $ARGV[1])) or die "$!\\n";';

export interface ForcedBuffer {
  /** The buffer the kernel reports after the attempt (Linux reports twice the value set). */
  readonly rcvbuf: number;
  /** True when SO_RCVBUFFORCE raised it. */
  readonly forced: boolean;
  /** Why it was not raised, when it was tried; null when it was not needed or not tried. */
  readonly error: string | null;
}

export interface BufferedSocket {
  getRecvBufferSize(): number;
}

function currentSize(socket: BufferedSocket): number {
  try {
    return socket.getRecvBufferSize();
  } catch {
    return 0;
  }
}

/**
 * After bind: when the kernel gave less than `asked` and this process runs as root, sets
 * SO_RCVBUFFORCE on the socket. Without root nothing is tried: the caller reports the cap
 * with the sysctl that lifts it.
 */
export function forceReceiveBuffer(socket: BufferedSocket, type: 'udp4' | 'udp6', port: number, asked: number): ForcedBuffer {
  const before = currentSize(socket);
  if (before === 0 || before >= asked * 2 || process.geteuid?.() !== 0 || !GENERIC_SOCKET_ABI.has(process.arch)) {
    return { rcvbuf: before, forced: false, error: null };
  }
  const fd = udpSocketFd(type, port);
  if (fd === null) return { rcvbuf: before, forced: false, error: 'the socket was not found in /proc/self/fd' };
  const r = spawnSync('perl', ['-e', PERL_SET_OPTION, String(SO_RCVBUFFORCE), String(asked)], {
    stdio: ['ignore', 'ignore', 'pipe', fd],
    encoding: 'latin1',
    timeout: 5000,
  });
  const after = currentSize(socket);
  if (after > before) return { rcvbuf: after, forced: true, error: null };
  const why = r.error ? `perl: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}` : `SO_RCVBUFFORCE: ${(r.stderr ?? '').trim() || `perl exited with ${r.status}`}`;
  return { rcvbuf: after, forced: false, error: why };
}
