/**
 * A fresh TCP connection to a server for a `mode tcp` session. Unlike the HTTP pool
 * (proxy/backend/connect.ts) there is no reuse, and the socket is half-open capable: a server
 * that ends its side still receives what the client sends (HAProxy forwards each shutdown
 * separately).
 *
 * No promise and no timer here: the session keeps one timer for every phase (connect timeout,
 * retry turn-around, inactivity), and its error listener, attached here once, stays for the
 * whole life of the socket, so nothing is added and removed again when the connection is up.
 */
import net from 'node:net';
import { dial } from '../backend/dial.js';
import type { ServerState } from '../backend/server.js';

/**
 * How a clear-text server socket is read: into a buffer the session supplies after each read
 * (`next`), with `onRead` given the byte count, instead of one new Buffer and a 'data' event
 * per read. TLS sockets cannot be read this way and keep 'data' events.
 */
export interface ServerReader {
  next(): Buffer;
  onRead(n: number, buf: Uint8Array): boolean;
}

/**
 * Starts connecting to `s`. `onReady` runs once the socket is connected (TLS: handshake done),
 * `onError` on any error of the socket, before or after that: the caller tells which phase it
 * is in. Destroying the socket cancels the attempt silently. Returns the socket and whether
 * `reader` reads it (false: listen to 'data').
 */
export function connectServer(s: ServerState, reader: ServerReader, onReady: () => void, onError: () => void): { sock: net.Socket; raw: boolean } {
  let sock: net.Socket;
  let ready: string;
  const raw = s.tls === null;
  if (raw) {
    sock = net.connect({ host: s.host, port: s.port, noDelay: true, allowHalfOpen: true, onread: { buffer: () => reader.next(), callback: (n, buf) => reader.onRead(n, buf) } });
    ready = 'connect';
  } else ({ sock, ready } = dial(s.host, s.port, s.tls, true));
  sock.once(ready, onReady);
  sock.on('error', onError);
  return { sock, raw };
}
