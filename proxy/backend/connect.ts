/**
 * Opens (or reuses) a TCP connection to a server. Raw `net` sockets rather than undici: the
 * log needs the connect time of each request (Tc), whether the server refused (SC), timed out
 * (sC), closed before the response headers (SH) or during the data (SD), the exact bytes of
 * the response head to re-serialize, and the request bytes streamed without re-encoding.
 * undici's Pool hides connection establishment and reuse behind request(), and reports these
 * cases as generic SocketError/other-side-closed errors, so the states cannot be told apart.
 *
 * A connection is a ServerConn for its whole life: its socket listeners are attached once,
 * and its reads go to whoever reads it now (an exchange, a tunnel, or the idle pool), so that
 * a request on a pooled connection adds and removes no listener. Clear-text connections read
 * into a buffer of their own (`onread`) that is reused from one read to the next unless the
 * reader kept a reference to what it got.
 */
import type net from 'node:net';
import { Deadline } from '../deadline.js';
import { dial } from './dial.js';
import type { ServerState } from './server.js';

/** Who reads a server connection now (proxy/http/exchange.ts, proxy/http/tunnel.ts). */
export interface ConnReader {
  /**
   * Bytes from the server. On a clear-text connection `chunk` is a view of the connection's
   * read buffer, which the next read overwrites: return true when a reference to it outlives
   * the call (stored, or queued by a socket write), and the next read goes to a new buffer.
   */
  data(chunk: Buffer): boolean;
  /** The server's FIN. */
  end(): void;
  /** A socket error; 'close' follows. */
  error(): void;
  close(): void;
}

/** First read buffer of a connection; one that a read fills is replaced by a larger one. */
const READ_SIZE = 16 * 1024;
/** Like Node's own reads: at most 64 KB per read(2). */
const MAX_READ_SIZE = 64 * 1024;

export class ServerConn {
  readonly sock: net.Socket;
  readonly server: ServerState;
  /** The reader of the server's bytes; null while idle in the pool (or not yet handed out). */
  reader: ConnReader | null = null;
  /** `timeout server` of the exchange in progress (one timer for the connection's life). */
  readonly deadline = new Deadline();
  /** Clear-text: the buffer reads go to. */
  #buf: Buffer | null;
  #lastRead = 0;
  #kept = false;

  constructor(server: ServerState) {
    this.server = server;
    this.#buf = server.tls ? null : Buffer.allocUnsafe(READ_SIZE);
    const onread: net.OnReadOpts | undefined = this.#buf ? { buffer: () => this.#nextBuffer(), callback: (n: number, buf: Uint8Array) => this.#read(n, buf as Buffer) } : undefined;
    this.sock = dial(server.host, server.port, server.tls, false, onread).sock;
    if (!this.#buf) this.sock.on('data', (c: Buffer) => this.#deliver(c));
    this.sock.on('end', () => this.reader?.end());
    this.sock.on('error', () => (this.reader ? this.reader.error() : this.#dropIdle()));
    this.sock.on('close', () => {
      this.deadline.dispose();
      if (this.reader) this.reader.close();
      else this.#dropIdle();
    });
  }

  /** 'connect' or 'secureConnect' */
  get ready(): 'connect' | 'secureConnect' {
    return this.server.tls ? 'secureConnect' : 'connect';
  }

  #read(n: number, buf: Buffer): boolean {
    this.#lastRead = n;
    if (this.#deliver(buf.subarray(0, n))) this.#kept = true;
    return true; // false would stop reading
  }

  #nextBuffer(): Buffer {
    const buf = this.#buf!;
    // a full read grows the buffer once; at MAX_READ_SIZE a full read is the usual case of a
    // large response, and the same buffer serves the next read
    const grow = this.#lastRead === buf.length && buf.length < MAX_READ_SIZE;
    if (this.#kept || grow) {
      this.#buf = Buffer.allocUnsafe(grow ? MAX_READ_SIZE : buf.length);
      this.#kept = false;
    }
    return this.#buf!;
  }

  #deliver(chunk: Buffer): boolean {
    const r = this.reader;
    if (r) return r.data(chunk);
    // a server must not speak on an idle connection
    this.#dropIdle();
    return false;
  }

  #dropIdle(): void {
    const idle = this.server.idle;
    const i = idle.indexOf(this);
    if (i >= 0) idle.splice(i, 1);
    this.sock.destroy();
  }
}

export type ConnectResult = { readonly conn: ServerConn; readonly reused: boolean } | 'refused' | 'timeout';

/** Idle connections kept per server; beyond that they are closed. */
const MAX_IDLE_PER_SERVER = 64;

export function takeIdle(s: ServerState): ServerConn | null {
  for (;;) {
    const c = s.idle.pop();
    if (!c) return null;
    if (!c.sock.destroyed && c.sock.readyState === 'open') return c;
    c.sock.destroy();
  }
}

export function putIdle(s: ServerState, c: ServerConn): void {
  c.reader = null;
  c.deadline.clear();
  if (c.sock.destroyed || s.idle.length >= MAX_IDLE_PER_SERVER) {
    c.sock.destroy();
    return;
  }
  if (c.sock.listenerCount('drain')) c.sock.removeAllListeners('drain');
  if (c.sock.isPaused()) c.sock.resume();
  s.idle.push(c);
}

export function connect(s: ServerState, timeoutMs: number, allowReuse: boolean): ConnectResult | Promise<ConnectResult> {
  if (allowReuse) {
    const idle = takeIdle(s);
    if (idle) return { conn: idle, reused: true };
  }
  return new Promise((resolve) => {
    const conn = new ServerConn(s);
    const { sock, ready } = conn;
    let timer: NodeJS.Timeout | null = null;
    const done = (r: ConnectResult): void => {
      if (timer) clearTimeout(timer);
      sock.removeListener('error', onError);
      sock.removeListener(ready, onConnect);
      resolve(r);
    };
    const onError = (): void => {
      sock.destroy();
      done('refused');
    };
    const onConnect = (): void => done({ conn, reused: false });
    sock.once('error', onError);
    sock.once(ready, onConnect);
    if (timeoutMs > 0)
      timer = setTimeout(() => {
        sock.destroy();
        done('timeout');
      }, timeoutMs);
  });
}
