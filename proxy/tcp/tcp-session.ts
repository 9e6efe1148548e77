/**
 * One `mode tcp` client connection: picks the backend (`use_backend` on `src`, else
 * `default_backend`, else the listen section itself), gets a server slot (queueing at
 * `maxconn`), connects with `retries` / `option redispatch`, then forwards bytes both ways
 * until both sides have closed. Each shutdown is forwarded on its own (half-close): a client
 * that ends its writes still receives the server's reply. Backpressure: a side that cannot
 * write pauses the reading of the other side. Ends in exactly one log record.
 *
 * Termination states, as HAProxy 2.6 logs them (test/proxy-tcp/oracle-tcplog.test.ts):
 * `--` both closed, `cD`/`sD` client/server timeout, `CD`/`SD` reset by the client/server,
 * `SC` refused after retries or no server, `sC` connect timeout, `sQ` queue timeout,
 * `CQ`/`CC` client gone while queued/connecting.
 */
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { nowMs } from '../clock.js';
import type { BackendRuntime } from '../backend/backend.js';
import type { ServerState } from '../backend/server.js';
import { evalCondition } from '../frontend/acl.js';
import type { FrontendRuntime } from '../frontend/frontend.js';
import type { SessionView } from '../frontend/listeners.js';
import type { LbRequest } from '../lb/types.js';
import type { SessionState, TerminationCause } from '../log/format/termination.js';
import type { TcpEmit } from '../log/tcplog.js';
import { leaveQueue } from '../backend/queue.js';
import { retryPlan } from '../backend/retry.js';
import { connectServer, type ServerReader } from './connect.js';
import { newTcpRecord, type TcpRecord } from './record.js';
import { endSession } from '../session/session-end.js';

/** Client bytes buffered while no server is connected; beyond it the client is not read. */
const MAX_PENDING = 256 * 1024;

/** Bytes read from a server at once (node's own read size for sockets). */
const READ_SIZE = 64 * 1024;
/**
 * Where every quiet server socket reads: a read that does not fill it is copied out before it
 * is forwarded (a queued write must not point into memory the next read overwrites), which
 * for small reads costs less than node's fresh 64 KB allocation per read. A read that fills it
 * starts a bulk transfer: the session then reads into a buffer of its own, reused as long as
 * the client takes each chunk at once, so a download allocates (and page-faults) nothing per chunk.
 */
const SHARED_READ = Buffer.allocUnsafeSlow(READ_SIZE);

export class TcpSession implements ServerReader {
  readonly #cli: net.Socket;
  readonly #fe: FrontendRuntime;
  readonly #emit: TcpEmit;
  readonly #rec: TcpRecord;
  #srv: net.Socket | null = null;
  /** The connection attempt in progress (becomes #srv once connected). */
  #attempt: net.Socket | null = null;
  #be: BackendRuntime | null = null;
  #server: ServerState | null = null;
  #lbReq: LbRequest | null = null;
  /** The server socket's read buffer during a bulk transfer, null = SHARED_READ. */
  #readBuf: Buffer | null = null;
  /** A write to the client still points into #readBuf: the next read needs another one. */
  #readBufBusy = false;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #cliEnded = false;
  #srvEnded = false;
  #cliClosed = false;
  #srvClosed = false;
  #finished = false;
  #counted = true;
  #cancelQueue: (() => void) | null = null;
  /** A side is paused because the other one has bytes waiting in its write buffer. */
  #cliPaused = false;
  #srvPaused = false;
  /**
   * One timer for the whole session, re-armed per phase: connect timeout, retry turn-around,
   * then inactivity. Data only stamps #lastActivity (no timer call per chunk); the timer
   * checks the stamp when it fires and sleeps again for what is left.
   */
  #timer: NodeJS.Timeout | null = null;
  #phase: 'connect' | 'turnaround' | 'idle' = 'connect';
  #lastActivity = 0;
  /** Inactivity timeouts still running (0 = none or already expired). HAProxy refreshes a
   * side's read timeout when it writes to that side too: data either way refreshes both. */
  #cliTimeout = 0;
  #srvTimeout = 0;

  constructor(sock: net.Socket, fe: FrontendRuntime, emit: TcpEmit) {
    // `%ft`: the frontend name, with `~` on a TLS listener
    const frontendName = (sock as Partial<TLSSocket>).encrypted ? fe.cfg.name + '~' : fe.cfg.name;
    this.#cli = sock;
    this.#fe = fe;
    this.#emit = emit;
    const ra = sock.remoteAddress ?? '';
    const ip = ra.startsWith('::ffff:') && ra.includes('.') ? ra.slice(7) : ra;
    fe.feconn++;
    fe.process.actconn++;
    const t = nowMs();
    this.#rec = newTcpRecord(ip, sock.remotePort ?? 0, frontendName, t);
    sock.setNoDelay(true);
    sock.on('data', (c: Buffer) => this.#fromClient(c));
    sock.on('end', () => this.#onClientEnd());
    sock.on('error', () => this.#onClientError());
    sock.on('close', () => this.#onClientClose());
    sock.on('drain', () => this.#onClientDrain());
    this.#start(ip);
  }

  /** Soft stop: a TCP session in flight runs to its end (HAProxy does not cut it either). */
  drain(): void {}

  /** `show sess`: in tcp mode the stream exists from the accept until the log line. */
  view(): SessionView | null {
    if (this.#finished) return null;
    const r = this.#rec;
    return {
      proto: this.#cli.localAddress?.includes(':') ? 'tcpv6' : 'tcpv4',
      src: r.clientIp,
      port: r.clientPort,
      frontend: this.#fe.cfg.name,
      backend: this.#be?.cfg.name ?? (this.#fe.cfg.kind === 'listen' ? this.#fe.cfg.name : null),
      server: this.#server?.name ?? null,
      created: r.tAccept,
      since: r.tAccept,
    };
  }

  // ---- timer ------------------------------------------------------------------------------

  #arm(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(onTimer, ms, this);
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Called by the session timer (module-level function, so no closure per session). */
  onTimer(): void {
    this.#timer = null;
    if (this.#finished) return;
    if (this.#phase === 'connect') return this.#connectFailed('timeout');
    if (this.#phase === 'turnaround') return this.#retry();
    this.#idleCheck();
  }

  /** Arms the timer for the earliest inactivity deadline still running, or fires it. */
  #idleCheck(): void {
    // the client's deadline first on a tie, as HAProxy reports the client side then
    const c = this.#cliTimeout > 0 ? this.#lastActivity + this.#cliTimeout : Infinity;
    const s = this.#srvTimeout > 0 ? this.#lastActivity + this.#srvTimeout : Infinity;
    const next = Math.min(c, s);
    if (next === Infinity) return;
    const wait = next - nowMs();
    if (wait > 0) return this.#arm(wait);
    if (c <= s) {
      this.#cliTimeout = 0;
      this.#timeout('c');
    } else {
      this.#srvTimeout = 0;
      this.#timeout('s');
    }
    if (!this.#finished) this.#idleCheck();
  }

  // ---- backend and server ---------------------------------------------------------------

  #start(ip: string): void {
    const cfg = this.#fe.cfg;
    let name: string | null = null;
    if (cfg.useBackends.length) {
      const subject = { method: '', path: '', uri: '', src: ip, headers: [] };
      for (const u of cfg.useBackends)
        if (evalCondition(u.cond, subject)) {
          name = u.backend;
          break;
        }
    }
    name ??= cfg.defaultBackend ?? (cfg.kind === 'listen' ? cfg.name : null);
    const be = name === null ? null : this.#fe.backends.get(name) ?? null;
    if (!be) return this.#finish('S', 'C');
    this.#be = be;
    this.#rec.backend = be.cfg.name;
    be.beconn++;
    const lbReq: LbRequest = { src: ip, path: '', query: '', header: noHeader };
    this.#lbReq = lbReq;
    const a = be.assign(lbReq, be.cfg.timeouts.queue);
    if (a.kind === 'nosrv') return this.#finish('S', 'C');
    if (a.kind === 'ok') return this.#assigned(a.server);
    this.#cancelQueue = a.cancel;
    void leaveQueue(be, a, this.#rec, () => this.#finished).then((server) => {
      this.#cancelQueue = null;
      if (server === undefined) return;
      if (!server) return this.#finish('s', 'Q');
      this.#assigned(server);
    });
  }

  #assigned(server: ServerState): void {
    this.#server = server;
    this.#rec.server = server.name;
    this.#rec.tQueue = nowMs();
    this.#dial();
  }

  #dial(): void {
    this.#phase = 'connect';
    const { sock, raw } = connectServer(
      this.#server!,
      this,
      () => this.#onConnect(sock, raw),
      () => this.#onServerSocketError(sock),
    );
    this.#attempt = sock;
    const t = this.#be!.cfg.timeouts.connect;
    if (t > 0) this.#arm(t);
  }

  #onServerSocketError(sock: net.Socket): void {
    if (sock === this.#srv) return this.#onServerError();
    if (sock !== this.#attempt) return; // an attempt given up already
    this.#connectFailed('refused');
  }

  #connectFailed(why: 'refused' | 'timeout'): void {
    this.#disarm();
    this.#attempt?.destroy();
    this.#attempt = null;
    if (this.#finished) return;
    const rec = this.#rec;
    const be = this.#be!;
    if (rec.retries >= be.cfg.retries) return this.#finish(why === 'timeout' ? 's' : 'S', 'C');
    rec.retries++;
    // the same server or another one, at once or after a turn-around (proxy/backend/retry.ts)
    const plan = retryPlan(be, this.#server!, rec.retries, false, why === 'refused');
    this.#redispatchNext = plan.redispatch;
    if (plan.waitMs > 0) {
      this.#phase = 'turnaround';
      this.#arm(plan.waitMs);
    } else this.#retry();
  }
  /** The next attempt goes to another server if one is free. */
  #redispatchNext = false;

  #retry(): void {
    if (this.#redispatchNext) {
      const be = this.#be!;
      const rec = this.#rec;
      const server = this.#server!;
      const other = be.assign(this.#lbReq!, 0, server);
      if (other.kind === 'ok' && other.server !== server) {
        be.release(server);
        this.#server = other.server;
        rec.server = other.server.name;
        rec.redispatched = true;
        rec.tQueue = nowMs();
      } else if (other.kind === 'ok') be.release(other.server);
      else if (other.kind === 'queued') other.cancel();
    }
    this.#dial();
  }

  #onConnect(srv: net.Socket, raw: boolean): void {
    if (srv !== this.#attempt) return;
    this.#disarm();
    this.#attempt = null;
    if (this.#finished) {
      srv.destroy();
      return;
    }
    this.#rec.tConnect = nowMs();
    this.#srv = srv;
    if (!raw) srv.on('data', (c: Buffer) => this.#fromServer(c));
    srv.on('end', () => this.#onServerEnd());
    srv.on('close', () => this.#onServerClose());
    srv.on('drain', () => this.#onServerDrain());
    for (const p of this.#pending) this.#toServer(p);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#cliEnded) this.#endServer();
    else if (!this.#cliPaused) this.#cli.resume();
    this.#phase = 'idle';
    this.#cliTimeout = this.#fe.cfg.timeouts.client;
    this.#srvTimeout = this.#be!.cfg.timeouts.server;
    this.#lastActivity = nowMs();
    this.#idleCheck();
  }

  // ---- forwarding -------------------------------------------------------------------

  #fromClient(chunk: Buffer): void {
    this.#rec.bytesIn += chunk.length;
    if (!this.#srv) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      if (this.#pendingBytes > MAX_PENDING) this.#cli.pause();
      return;
    }
    this.#toServer(chunk);
  }

  #toServer(chunk: Buffer): void {
    if (!this.#firstEvent) this.#lastActivity = nowMs(); // a side timed out: only the other side's timeout runs on
    const srv = this.#srv!;
    // write() says false for any chunk above the high-water mark even when the kernel took it
    // all at once; only bytes still waiting in the socket are a reason to stop reading
    if (!srv.write(chunk) && srv.writableLength > 0 && !this.#cliPaused) {
      this.#cliPaused = true;
      this.#cli.pause();
    }
  }

  #onServerDrain(): void {
    if (!this.#cliPaused) return;
    this.#cliPaused = false;
    this.#cli.resume();
  }

  #fromServer(chunk: Buffer): void {
    if (!this.#firstEvent) this.#lastActivity = nowMs();
    this.#rec.bytesOut += chunk.length;
    const cli = this.#cli;
    if (cli.destroyed) return;
    if (!cli.write(chunk) && cli.writableLength > 0 && !this.#srvPaused) {
      this.#srvPaused = true;
      this.#srv!.pause();
    }
  }

  /** ServerReader: the buffer the server socket's next read goes to. */
  next(): Buffer {
    if (this.#readBuf === null) return SHARED_READ;
    if (this.#readBufBusy) {
      this.#readBufBusy = false;
      this.#readBuf = Buffer.allocUnsafeSlow(READ_SIZE);
    }
    return this.#readBuf;
  }

  /** ServerReader: `n` bytes were read into `buf` (SHARED_READ or #readBuf). */
  onRead(n: number, buf: Uint8Array): boolean {
    if (buf === SHARED_READ) {
      if (n === READ_SIZE) this.#readBuf = Buffer.allocUnsafeSlow(READ_SIZE);
      this.#fromServer(Buffer.from(SHARED_READ.subarray(0, n)));
      return true;
    }
    const own = buf as Buffer;
    // a short read ends the burst: the buffer goes back to the GC once the client has it
    if (n < READ_SIZE) this.#readBuf = null;
    this.#fromServer(own.subarray(0, n));
    if (this.#readBuf !== null && this.#cli.writableLength > 0) this.#readBufBusy = true;
    return true;
  }

  #onClientDrain(): void {
    if (!this.#srvPaused) return;
    this.#srvPaused = false;
    this.#srv?.resume();
  }

  // ---- ends -------------------------------------------------------------------------

  #onClientEnd(): void {
    this.#cliEnded = true;
    if (!this.#firstEvent) this.#lastActivity = nowMs();
    if (this.#srv && !this.#srv.destroyed) this.#endServer();
  }

  #onServerEnd(): void {
    this.#srvEnded = true;
    if (!this.#firstEvent) this.#lastActivity = nowMs();
    if (!this.#cli.destroyed) this.#endClient();
  }

  /**
   * Forwards the client's FIN. When the server has sent its own already and every byte was
   * handed to the kernel, close() sends the FIN as well and spares the shutdown(2) call and
   * its completion callback. Not over TLS: close_notify must go out first.
   */
  #endServer(): void {
    const srv = this.#srv!;
    if (this.#srvEnded && srv.writableLength === 0 && !this.#server?.tls) srv.destroy();
    else srv.end();
  }

  #endClient(): void {
    const cli = this.#cli;
    if (this.#cliEnded && cli.writableLength === 0 && !(cli as Partial<TLSSocket>).encrypted) cli.destroy();
    else cli.end();
  }

  #onClientError(): void {
    // a reset (or a write to a client that is gone): HAProxy's "aborted by the client"
    if (this.#finished) return;
    const state: SessionState = this.#srv ? 'D' : this.#server ? 'C' : 'Q';
    this.#cancelQueue?.();
    this.#srv?.destroy();
    this.#attempt?.destroy();
    this.#finish('C', state);
  }

  #onServerError(): void {
    if (this.#finished) return;
    this.#cli.destroy();
    this.#finish('S', 'D');
  }

  #onClientClose(): void {
    this.#cliClosed = true;
    if (!this.#finished) {
      if (this.#srv === null) {
        // closed before a server was connected: the FIN was seen ('end'), keep connecting
        // like HAProxy (it logs such a probe as a normal session) unless nothing is pending
        if (!this.#cliEnded) this.#onClientError();
      } else if (this.#srvClosed) this.#finish('-', '-');
    }
    this.#uncount();
  }

  /** The session leaves feconn/actconn once it is logged and its client socket is closed:
   * the log line counts the session itself, like HAProxy's. */
  #uncount(): void {
    if (!this.#counted || !this.#finished || !this.#cliClosed) return;
    this.#counted = false;
    this.#fe.feconn--;
    this.#fe.process.actconn--;
  }

  #onServerClose(): void {
    this.#srvClosed = true;
    if (this.#finished) return;
    if (this.#cliClosed) this.#finish('-', '-');
  }

  /**
   * A side stayed idle for its timeout. Like HAProxy, the first event is kept for the log
   * (`cD`/`sD`), that side is closed, the shutdown is forwarded to the other side, and the
   * session ends when the other side closes too, or when its own timeout expires.
   */
  #timeout(side: 'c' | 's'): void {
    if (this.#finished) return;
    if (this.#firstEvent) {
      // the other side timed out as well: nothing more to wait for
      this.#finish(this.#firstEvent, 'D');
      this.#srv?.destroy();
      this.#cli.destroy();
      return;
    }
    this.#firstEvent = side;
    if (side === 'c') {
      this.#cli.destroySoon();
      if (this.#srv && !this.#srv.destroyed) this.#srv.end();
    } else {
      this.#srv?.destroySoon();
      if (!this.#cli.destroyed) this.#cli.end();
    }
  }
  /** The timeout that expired first, logged even if the session then ends normally. */
  #firstEvent: 'c' | 's' | null = null;

  #finish(cause: TerminationCause, state: SessionState): void {
    if (this.#finished) return;
    if (cause === '-' && this.#firstEvent) {
      cause = this.#firstEvent;
      state = 'D';
    }
    this.#finished = true;
    this.#disarm();
    const rec = this.#rec;
    endSession(rec, cause, state, this.#fe, this.#be, this.#server);
    this.#emit(rec);
    this.#uncount();
    if (cause !== '-') {
      // errors before or during the transfer: close what is still open
      if (!this.#cli.destroyed) this.#cli.end(() => this.#cli.destroy());
      this.#srv?.destroy();
    }
  }
}

const onTimer = (s: TcpSession): void => s.onTimer();
const noHeader = (): undefined => undefined;

/** The session factory a `mode tcp` frontend's listeners use. */
export function tcpSessions(fe: FrontendRuntime, emit: TcpEmit): (sock: net.Socket) => TcpSession {
  return (sock) => new TcpSession(sock, fe, emit);
}
