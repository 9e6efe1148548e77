/**
 * UDP sockets, one per --listen. IPv6 sockets are IPv6-only, so `[::]:514` and `0.0.0.0:514`
 * can both be given for dual stack without EADDRINUSE.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { BindError } from './errors.js';
import type { ListenAddress } from './options.js';

export interface Listener {
  readonly address: ListenAddress;
  /** The bound port (differs from address.port when that was 0). */
  readonly port: number;
  readonly type: 'udp4' | 'udp6';
  /** What the kernel reports after setsockopt(SO_RCVBUF): Linux doubles the value asked, capped at 2 x rmem_max. */
  readonly rcvbuf: number;
}

/** What the pipeline needs of the sender. */
export interface Sender {
  readonly address: string;
}
export type OnDatagram = (msg: Buffer, rinfo: Sender) => void;

/** The sockets, read in this process (below) or by worker processes (workers.ts). */
export interface Receivers {
  readonly listeners: readonly Listener[];
  /** Stops reading and closes the sockets; resolves when every datagram read was handed over. */
  close(): Promise<void>;
}

function bindOne(address: ListenAddress, rcvbuf: number, onDatagram: OnDatagram, onRuntimeError: (a: ListenAddress, err: Error) => void): Promise<Listener & { socket: dgram.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: address.type, ipv6Only: address.type === 'udp6', recvBufferSize: rcvbuf });
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.close();
      const why = err.code === 'EADDRINUSE' ? 'the port is in use (another collector, rsyslog?)' : err.code === 'EADDRNOTAVAIL' ? 'that address is not on this host' : err.code === 'EACCES' ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : err.message;
      reject(new BindError(`cannot listen on udp ${address.text}: ${err.code ?? ''} ${why}`.replace('  ', ' ')));
    };
    socket.once('error', onError);
    socket.on('message', onDatagram);
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
      resolve({ address, socket, port: socket.address().port, type: address.type, rcvbuf: got });
    });
  });
}

/** Reads every socket on this process's event loop: datagrams keep their arrival order. */
export async function openListeners(
  addresses: readonly ListenAddress[],
  rcvbuf: number,
  onDatagram: OnDatagram,
  onRuntimeError: (a: ListenAddress, err: Error) => void,
): Promise<Receivers> {
  const results = await Promise.allSettled(addresses.map((a) => bindOne(a, rcvbuf, onDatagram, onRuntimeError)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const ok = results.filter((r): r is PromiseFulfilledResult<Listener & { socket: dgram.Socket }> => r.status === 'fulfilled').map((r) => r.value);
  if (failed.length > 0) {
    for (const l of ok) l.socket.close();
    throw failed[0]!.reason;
  }
  return {
    listeners: ok,
    close: () => Promise.all(ok.map((l) => new Promise<void>((r) => l.socket.close(() => r())))).then(() => undefined),
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
