/**
 * UDP sockets, one per --listen. IPv6 sockets are IPv6-only, so `[::]:514` and `0.0.0.0:514`
 * can both be given for dual stack without EADDRINUSE.
 *
 * Receive path. Node.js reads one datagram per recvmsg() and, for each, allocates a 64 KiB
 * buffer, copies the datagram into a new ArrayBuffer, builds an rinfo object and enters
 * JavaScript through MakeCallback: about 10 us per datagram on a 2-vCPU VM, most of it before
 * our handler runs (perf, docs/capture.md). So Node's 'message' event is used as the wake-up
 * only: after it, the datagrams queued behind it are read with read(2) on the socket's file
 * descriptor into one reusable buffer, which costs the system call and nothing else (about
 * 4 us). read(2) does not say who sent a datagram, so this is done only when the lines do not
 * depend on the sender (not with --split host or --format rsyslog).
 */
import dgram from 'node:dgram';
import { readFileSync, readSync } from 'node:fs';
import { BindError } from './errors.js';
import { udpSocketFd } from './kernel-drops.js';
import type { ListenAddress } from './options.js';

export interface Listener {
  readonly address: ListenAddress;
  /** The bound port (differs from address.port when that was 0). */
  readonly port: number;
  readonly type: 'udp4' | 'udp6';
  /** What the kernel reports after setsockopt(SO_RCVBUF): Linux doubles the value asked, capped at 2 x rmem_max. */
  readonly rcvbuf: number;
}

/**
 * One datagram: bytes [start, end) of `buf`, valid only during the call (the buffer is reused).
 * `sender` is the source address, or '' when it was read without it (see above).
 */
export type OnDatagram = (buf: Buffer, start: number, end: number, sender: string) => void;

/** The sockets, read in this process (below) or by worker processes (workers.ts). */
export interface Receivers {
  readonly listeners: readonly Listener[];
  /** Stops reading and closes the sockets; resolves when every datagram read was handed over. */
  close(): Promise<void>;
}

/**
 * At most this many datagrams are read after each 'message' event before the event loop gets
 * its turn (timers, write completions): about 1 ms of work.
 */
const DRAIN_MAX = 256;
/** A UDP payload is at most 65,507 bytes (IPv4) or 65,527 (IPv6). */
const MAX_DATAGRAM = 65536;

/**
 * Reads a dgram socket: Node's 'message' events, each followed by up to DRAIN_MAX datagrams
 * read directly from the fd when `direct` is set. All on this thread, so datagrams keep their
 * arrival order. Call bound() once the socket is bound, stop() before closing it.
 */
export class SocketReader {
  readonly #deliver: OnDatagram;
  readonly #direct: boolean;
  readonly #buf: Buffer;
  #fd = -1;
  /** Datagrams read through the fd (the rest came through 'message' events). */
  direct = 0;

  constructor(socket: dgram.Socket, deliver: OnDatagram, direct: boolean) {
    this.#deliver = deliver;
    this.#direct = direct;
    this.#buf = direct ? Buffer.allocUnsafe(MAX_DATAGRAM) : Buffer.alloc(0);
    socket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      deliver(msg, 0, msg.length, rinfo.address);
      if (this.#fd >= 0) this.#drain();
    });
  }

  bound(type: 'udp4' | 'udp6', port: number): void {
    if (this.#direct) this.#fd = udpSocketFd(type, port) ?? -1;
  }

  stop(): void {
    this.#fd = -1;
  }

  #drain(): void {
    const buf = this.#buf;
    const deliver = this.#deliver;
    // EAGAIN ends every drain and Node makes an Error of it: without stack frames it is cheap.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let n = 0;
    for (let i = 0; i < DRAIN_MAX; i++) {
      try {
        n = readSync(this.#fd, buf, 0, MAX_DATAGRAM, null);
      } catch (err) {
        // EAGAIN: the queue is empty. Anything else (not expected on a UDP socket): leave the
        // socket to Node's reads, which report errors on the socket.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') this.#fd = -1;
        break;
      }
      this.direct++;
      deliver(buf, 0, n, '');
    }
    Error.stackTraceLimit = limit;
  }
}

function bindOne(
  address: ListenAddress,
  rcvbuf: number,
  onDatagram: OnDatagram,
  direct: boolean,
  onRuntimeError: (a: ListenAddress, err: Error) => void,
): Promise<Listener & { socket: dgram.Socket; reader: SocketReader }> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: address.type, ipv6Only: address.type === 'udp6', recvBufferSize: rcvbuf });
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.close();
      const why = err.code === 'EADDRINUSE' ? 'the port is in use (another collector, rsyslog?)' : err.code === 'EADDRNOTAVAIL' ? 'that address is not on this host' : err.code === 'EACCES' ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : err.message;
      reject(new BindError(`cannot listen on udp ${address.text}: ${err.code ?? ''} ${why}`.replace('  ', ' ')));
    };
    socket.once('error', onError);
    const reader = new SocketReader(socket, onDatagram, direct);
    socket.bind(address.port, address.host, () => {
      socket.off('error', onError);
      // After bind, a socket error (rare: ENOMEM) is reported and capture goes on with the others.
      socket.on('error', (err) => onRuntimeError(address, err));
      let got = 0;
      try {
        got = socket.getRecvBufferSize();
      } catch {
        got = 0;
      }
      const port = socket.address().port;
      reader.bound(address.type, port);
      resolve({ address, socket, reader, port, type: address.type, rcvbuf: got });
    });
  });
}

/**
 * Reads every socket on this process's event loop: datagrams keep their arrival order.
 * `direct`: datagrams may be handed over without their sender (see the top of this file).
 */
export async function openListeners(
  addresses: readonly ListenAddress[],
  rcvbuf: number,
  onDatagram: OnDatagram,
  direct: boolean,
  onRuntimeError: (a: ListenAddress, err: Error) => void,
): Promise<Receivers> {
  const results = await Promise.allSettled(addresses.map((a) => bindOne(a, rcvbuf, onDatagram, direct, onRuntimeError)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const ok = results.filter((r): r is PromiseFulfilledResult<Listener & { socket: dgram.Socket; reader: SocketReader }> => r.status === 'fulfilled').map((r) => r.value);
  if (failed.length > 0) {
    for (const l of ok) l.socket.close();
    throw failed[0]!.reason;
  }
  return {
    listeners: ok.map(({ address, port, type, rcvbuf: got }) => ({ address, port, type, rcvbuf: got })),
    close: () =>
      Promise.all(
        ok.map(
          (l) =>
            new Promise<void>((r) => {
              l.reader.stop();
              l.socket.close(() => r());
            }),
        ),
      ).then(() => undefined),
  };
}

/** net.core.rmem_max, the ceiling for SO_RCVBUF without CAP_NET_ADMIN, or null off Linux. */
export function readRmemMax(): number | null {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'latin1').trim());
  } catch {
    return null;
  }
}
