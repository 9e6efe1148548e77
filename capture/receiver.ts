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
 * depend on the sender (not with --split host or --format rsyslog). When such reads find
 * datagrams already queued (busy), Node's reads are paused and the fd is polled every 1 ms,
 * here or by reader threads (readers.ts), until traffic falls off.
 */
import dgram from 'node:dgram';
import { readFileSync, readSync, writeFileSync } from 'node:fs';
import { BindError } from './errors.js';
import { forceReceiveBuffer } from './force-rcvbuf.js';
import { udpSocketFd } from './kernel-drops.js';
import type { ListenAddress } from './options.js';

export interface Listener {
  readonly address: ListenAddress;
  /** The bound port (differs from address.port when that was 0). */
  readonly port: number;
  readonly type: 'udp4' | 'udp6';
  /** What the kernel reports after setsockopt(SO_RCVBUF): Linux doubles the value asked, capped at 2 x rmem_max. */
  readonly rcvbuf: number;
  /** True when SO_RCVBUFFORCE lifted that cap (force-rcvbuf.ts); */
  readonly rcvbufForced: boolean;
  /** else why it could not, when it was tried. */
  readonly rcvbufForceError: string | null;
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
  /** Resolves when every datagram read so far was handed over (absent: always so). */
  sync?(): Promise<void>;
}

/** At most this many datagrams are read after each 'message' event: about 1 ms of work. */
const DRAIN_MAX = 256;
/** A UDP payload is at most 65,507 bytes (IPv4) or 65,527 (IPv6). */
export const MAX_DATAGRAM = 65536;

/** A read(2) on a socket failed with something other than EAGAIN (not expected for UDP). */
export class SocketReadError extends Error {
  readonly code: string;
  constructor(err: NodeJS.ErrnoException) {
    super(err.message);
    this.code = err.code ?? 'EIO';
  }
}

/**
 * read(2) of one datagram into buf[offset, offset + MAX_DATAGRAM); -1 when none is queued.
 * Callers set Error.stackTraceLimit to 0 around loops: Node throws an Error for EAGAIN, and
 * without stack frames that is cheap.
 */
export function readDatagram(fd: number, buf: Buffer, offset: number): number {
  try {
    return readSync(fd, buf, offset, MAX_DATAGRAM, null);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return -1;
    throw new SocketReadError(err as NodeJS.ErrnoException);
  }
}

/**
 * Busy mode: the socket is read every POLL_MS instead of on each readiness event, so one
 * wake-up (a timer) serves a hundred datagrams at 100,000/s instead of a few; the kernel
 * buffer holds far more than 1 ms of traffic (8 MiB: about 80 ms at 100,000/s).
 */
const POLL_MS = 1;
/** Entered when a drain after a 'message' event finds this many datagrams already queued. */
const BUSY_ENTER = 2;
/** Left when a window of POLL_WINDOW polls brought fewer than BUSY_ENTER datagrams per poll. */
const POLL_WINDOW = 50;
/** Read per poll at most (then the next poll runs after the pending I/O callbacks). */
const POLL_MAX = 2048;

/** The part of Node's UDP handle used to pause its reads while we poll (not public API). */
interface UdpHandle {
  recvStart(): number;
  recvStop(): number;
}

export function nodeHandle(socket: dgram.Socket): UdpHandle | null {
  const sym = Object.getOwnPropertySymbols(socket).find((x) => x.description === 'state symbol');
  const handle = sym ? ((socket as unknown as Record<symbol, { handle?: Partial<UdpHandle> } | undefined>)[sym]?.handle ?? null) : null;
  return handle && typeof handle.recvStart === 'function' && typeof handle.recvStop === 'function' ? (handle as UdpHandle) : null;
}

/**
 * Reads one queued datagram from the fd and hands it on (without its sender); false when none
 * was queued. Throws SocketReadError for other read errors.
 */
export type DirectRead = (fd: number) => boolean;

/** The DirectRead that reads into one reusable buffer and calls `deliver`. */
export function landingRead(deliver: OnDatagram): DirectRead {
  const buf = Buffer.allocUnsafe(MAX_DATAGRAM);
  return (fd) => {
    const n = readDatagram(fd, buf, 0);
    if (n < 0) return false;
    deliver(buf, 0, n, '');
    return true;
  };
}

/**
 * Reads a dgram socket. Without `direct`: Node's 'message' events only. With it: each 'message'
 * event is followed by the datagrams queued behind it, read from the fd; when several are found
 * (busy), Node's reads are paused and the fd is polled every POLL_MS until traffic falls off (or reader threads are woken: onBusy).
 * All on this thread, so datagrams keep their arrival order. Call bound() once the socket is
 * bound, stop() before closing it.
 */
export class SocketReader {
  readonly #socket: dgram.Socket;
  readonly #direct: DirectRead | null;
  #fd = -1;
  #handedFd = -1;
  #handle: UdpHandle | null = null;
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #polling = false;
  #polls = 0;
  #polled = 0;
  /**
   * Called when the socket turns out busy: true when reader threads were woken to read it,
   * false (or no callback) to poll it here.
   */
  onBusy: (() => boolean) | null = null;

  constructor(socket: dgram.Socket, deliver: OnDatagram, direct: DirectRead | null) {
    this.#socket = socket;
    this.#direct = direct;
    socket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      deliver(msg, 0, msg.length, rinfo.address);
      if (this.#fd >= 0 && this.#drain(DRAIN_MAX) >= BUSY_ENTER && this.#handle !== null && !this.#polling) {
        if (this.onBusy === null || !this.onBusy()) this.#startPolling();
      }
    });
  }

  bound(type: 'udp4' | 'udp6', port: number): void {
    if (this.#direct === null) return;
    this.#fd = udpSocketFd(type, port) ?? -1;
    // In a cluster worker the handle is replaced at bind by the one shared by the primary.
    this.#handle = nodeHandle(this.#socket);
  }

  stop(): void {
    this.#fd = -1;
    this.#handedFd = -1;
    this.#polling = false;
    this.#clear();
  }

  /** The socket's fd when handOver() can work (the fd and Node's handle are known), else -1. */
  get fd(): number {
    return this.#handle !== null ? this.#fd : -1;
  }

  /** Reader threads take over the fd: nothing is read here any more, Node's reads are paused. */
  handOver(): void {
    if (this.#fd < 0) return;
    this.#clear();
    this.#polling = false;
    this.#handedFd = this.#fd;
    this.#fd = -1;
    this.#handle!.recvStop();
  }

  /** Read here again (the reader threads went idle or failed). */
  takeBack(): void {
    if (this.#handedFd < 0) return;
    this.#fd = this.#handedFd;
    this.#handedFd = -1;
    this.#handle!.recvStart();
  }

  #clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#immediate !== null) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
  }

  #startPolling(): void {
    this.#handle!.recvStop();
    this.#polling = true;
    this.#polls = 0;
    this.#polled = 0;
    this.#timer = setTimeout(this.#poll, POLL_MS);
  }

  readonly #poll = (): void => {
    this.#clear();
    if (!this.#polling) return;
    // Reader threads that came up (or parked) while this thread was polling take over.
    if (this.onBusy !== null && this.onBusy()) return;
    const got = this.#drain(POLL_MAX);
    if (this.#fd < 0) return this.#stopPolling();
    this.#polled += got;
    if (++this.#polls === POLL_WINDOW) {
      if (this.#polled < BUSY_ENTER * POLL_WINDOW) return this.#stopPolling();
      this.#polls = 0;
      this.#polled = 0;
    }
    // Behind (the queue still holds more): go on as soon as pending I/O callbacks have run.
    if (got === POLL_MAX) this.#immediate = setImmediate(this.#poll);
    else this.#timer = setTimeout(this.#poll, POLL_MS);
  };

  #stopPolling(): void {
    this.#clear();
    this.#polling = false;
    // Node reads again (also after a read error, so that the socket reports it); datagrams that
    // arrived meanwhile make the socket readable at once.
    this.#handle!.recvStart();
  }

  /** Reads and delivers up to `max` queued datagrams; returns how many. */
  #drain(max: number): number {
    const read = this.#direct!;
    const fd = this.#fd;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let got = 0;
    try {
      while (got < max && read(fd)) got++;
    } catch (err) {
      // Leave the socket to Node's reads, which report errors on the socket.
      if (!(err instanceof SocketReadError)) throw err;
      this.#fd = -1;
    } finally {
      Error.stackTraceLimit = limit;
    }
    return got;
  }
}

/** A bound socket and its reader. */
export interface BoundSocket extends Listener {
  readonly socket: dgram.Socket;
  readonly reader: SocketReader;
}

function bindOne(
  address: ListenAddress,
  rcvbuf: number,
  onDatagram: OnDatagram,
  direct: boolean,
  onRuntimeError: (a: ListenAddress, err: Error) => void,
): Promise<BoundSocket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: address.type, ipv6Only: address.type === 'udp6', recvBufferSize: rcvbuf });
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.close();
      const why = err.code === 'EADDRINUSE' ? 'the port is in use (another collector, rsyslog?)' : err.code === 'EADDRNOTAVAIL' ? 'that address is not on this host' : err.code === 'EACCES' ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : err.message;
      reject(new BindError(`cannot listen on udp ${address.text}: ${err.code ?? ''} ${why}`.replace('  ', ' ')));
    };
    socket.once('error', onError);
    const reader = new SocketReader(socket, onDatagram, direct ? landingRead(onDatagram) : null);
    socket.bind(address.port, address.host, () => {
      socket.off('error', onError);
      // After bind, a socket error (rare: ENOMEM) is reported and capture goes on with the others.
      socket.on('error', (err) => onRuntimeError(address, err));
      const port = socket.address().port;
      const buffer = forceReceiveBuffer(socket, address.type, port, rcvbuf);
      reader.bound(address.type, port);
      resolve({ address, socket, reader, port, type: address.type, rcvbuf: buffer.rcvbuf, rcvbufForced: buffer.forced, rcvbufForceError: buffer.error });
    });
  });
}

/** Binds every address (all or none: on a failure the others are closed and it throws). */
export async function bindAll(
  addresses: readonly ListenAddress[],
  rcvbuf: number,
  onDatagram: OnDatagram,
  direct: boolean,
  onRuntimeError: (a: ListenAddress, err: Error) => void,
): Promise<BoundSocket[]> {
  const results = await Promise.allSettled(addresses.map((a) => bindOne(a, rcvbuf, onDatagram, direct, onRuntimeError)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const ok = results.filter((r): r is PromiseFulfilledResult<BoundSocket> => r.status === 'fulfilled').map((r) => r.value);
  if (failed.length > 0) {
    for (const l of ok) l.socket.close();
    throw failed[0]!.reason;
  }
  return ok;
}

export function listenerOf({ address, port, type, rcvbuf, rcvbufForced, rcvbufForceError }: BoundSocket): Listener {
  return { address, port, type, rcvbuf, rcvbufForced, rcvbufForceError };
}

export function closeAll(bound: readonly BoundSocket[]): Promise<void> {
  return Promise.all(
    bound.map(
      (l) =>
        new Promise<void>((r) => {
          l.reader.stop();
          l.socket.close(() => r());
        }),
    ),
  ).then(() => undefined);
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
  const bound = await bindAll(addresses, rcvbuf, onDatagram, direct, onRuntimeError);
  return { listeners: bound.map(listenerOf), close: () => closeAll(bound) };
}

const RMEM_MAX = '/proc/sys/net/core/rmem_max';

/** net.core.rmem_max, the ceiling for SO_RCVBUF without CAP_NET_ADMIN, or null off Linux. */
export function readRmemMax(path = RMEM_MAX): number | null {
  try {
    return Number(readFileSync(path, 'latin1').trim());
  } catch {
    return null;
  }
}

/**
 * --raise-rmem-max: net.core.rmem_max := `bytes` when it is lower. As root, capture already
 * forces its own buffers past the cap (force-rcvbuf.ts); this changes the system-wide setting,
 * for every socket and after capture ends, hence only on request. Returns what was done, for stderr.
 */
export function raiseRmemMax(bytes: number, path = RMEM_MAX): { raised: boolean; before: number | null; error: string | null } {
  const before = readRmemMax(path);
  if (before === null) return { raised: false, before, error: `${path} cannot be read` };
  if (before >= bytes) return { raised: false, before, error: null };
  try {
    writeFileSync(path, `${bytes}\n`);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { raised: false, before, error: `${e.code ?? ''} ${e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS' ? '(needs root, and /proc/sys writable)' : e.message}`.trim() };
  }
  return { raised: true, before, error: null };
}
