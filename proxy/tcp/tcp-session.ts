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
import { connectServer } from './connect.js';
import { newTcpRecord, type TcpRecord } from './record.js';

/** Client bytes buffered while no server is connected; beyond it the client is not read. */
const MAX_PENDING = 256 * 1024;

export class TcpSession {
  readonly #cli: net.Socket;
  readonly #fe: FrontendRuntime;
  readonly #emit: TcpEmit;
  readonly #rec: TcpRecord;
  #srv: net.Socket | null = null;
  #be: BackendRuntime | null = null;
  #server: ServerState | null = null;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #cliEnded = false;
  #cliClosed = false;
  #srvClosed = false;
  #finished = false;
  #counted = true;
  #cancelQueue: (() => void) | null = null;
  #waitSrvDrain = false;
  #waitCliDrain = false;
  /** Inactivity timers (ms resolution), refreshed by data in either direction: HAProxy
   * refreshes a side's read timeout when it writes to that side too. */
  #cliTimer: NodeJS.Timeout | null = null;
  #srvTimer: NodeJS.Timeout | null = null;

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
    void this.#start(ip);
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

  // ---- backend and server ---------------------------------------------------------------

  async #start(ip: string): Promise<void> {
    const cfg = this.#fe.cfg;
    let name: string | null = null;
    const subject = { method: '', path: '', uri: '', src: ip, headers: [] };
    for (const u of cfg.useBackends)
      if (evalCondition(u.cond, subject)) {
        name = u.backend;
        break;
      }
    name ??= cfg.defaultBackend ?? (cfg.kind === 'listen' ? cfg.name : null);
    const be = name === null ? null : this.#fe.backends.get(name) ?? null;
    if (!be) return this.#finish('S', 'C');
    this.#be = be;
    this.#rec.backend = be.cfg.name;
    be.beconn++;
    const rec = this.#rec;
    const t = be.cfg.timeouts;
    const lbReq: LbRequest = { src: ip, path: '', query: '', header: () => undefined };
    const a = be.assign(lbReq, t.queue);
    if (a.kind === 'nosrv') return this.#finish('S', 'C');
    let server: ServerState | null;
    if (a.kind === 'queued') {
      this.#cancelQueue = a.cancel;
      server = await a.waiter;
      this.#cancelQueue = null;
      if (a.inServerQueue) rec.srvQueue = a.position();
      else rec.bkQueue = a.position();
      if (this.#finished) {
        if (server) be.release(server);
        return;
      }
      if (!server) {
        rec.tQueue = nowMs(); // the time spent in queue is logged (Tw) even on a queue timeout
        return this.#finish('s', 'Q');
      }
    } else server = a.server;
    this.#server = server;
    rec.server = server.name;
    rec.tQueue = nowMs();
    for (;;) {
      const c = await connectServer(server, t.connect);
      if (this.#finished) {
        if (typeof c === 'object') c.destroy();
        return;
      }
      if (typeof c === 'object') {
        rec.tConnect = nowMs();
        return this.#connected(c);
      }
      if (rec.retries >= be.cfg.retries) return this.#finish(c === 'timeout' ? 's' : 'S', 'C');
      rec.retries++;
      const redispatch = be.cfg.redispatch && rec.retries === be.cfg.retries;
      // HAProxy waits a 1 s turn-around (bounded by timeout connect) after a refusal, except
      // when the retry goes to another server (redispatch on the last retry).
      if (c === 'refused' && !redispatch) await sleep(Math.min(1000, t.connect || 1000));
      if (this.#finished) return;
      if (redispatch) {
        const other = be.assign(lbReq, 0, server);
        if (other.kind === 'ok' && other.server !== server) {
          be.release(server);
          server = other.server;
          this.#server = server;
          rec.server = server.name;
          rec.redispatched = true;
          rec.tQueue = nowMs();
        } else if (other.kind === 'ok') be.release(other.server);
        else if (other.kind === 'queued') other.cancel();
      }
    }
  }

  #connected(srv: net.Socket): void {
    this.#srv = srv;
    srv.on('data', (c: Buffer) => this.#fromServer(c));
    srv.on('end', () => this.#onServerEnd());
    srv.on('error', () => this.#onServerError());
    srv.on('close', () => this.#onServerClose());
    for (const p of this.#pending) this.#toServer(p);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#cliEnded) srv.end();
    else this.#cli.resume();
    const t = this.#be!.cfg.timeouts;
    const c = this.#fe.cfg.timeouts.client;
    if (c > 0) this.#cliTimer = setTimeout(() => this.#timeout('c'), c);
    if (t.server > 0) this.#srvTimer = setTimeout(() => this.#timeout('s'), t.server);
  }

  // ---- forwarding -------------------------------------------------------------------

  #activity(): void {
    if (this.#firstEvent) return; // a side timed out: only the other side's timeout runs on
    this.#cliTimer?.refresh();
    this.#srvTimer?.refresh();
  }

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
    this.#activity();
    const srv = this.#srv!;
    if (!srv.write(chunk) && !this.#waitSrvDrain) {
      this.#waitSrvDrain = true;
      this.#cli.pause();
      srv.once('drain', () => {
        this.#waitSrvDrain = false;
        this.#cli.resume();
      });
    }
  }

  #fromServer(chunk: Buffer): void {
    this.#activity();
    this.#rec.bytesOut += chunk.length;
    if (this.#cli.destroyed) return;
    if (!this.#cli.write(chunk) && !this.#waitCliDrain) {
      const srv = this.#srv!;
      this.#waitCliDrain = true;
      srv.pause();
      this.#cli.once('drain', () => {
        this.#waitCliDrain = false;
        srv.resume();
      });
    }
  }

  // ---- ends -------------------------------------------------------------------------

  #onClientEnd(): void {
    this.#cliEnded = true;
    this.#activity();
    if (this.#srv && !this.#srv.destroyed) this.#srv.end();
  }

  #onServerEnd(): void {
    this.#activity();
    if (!this.#cli.destroyed) this.#cli.end();
  }

  #onClientError(): void {
    // a reset (or a write to a client that is gone): HAProxy's "aborted by the client"
    if (this.#finished) return;
    const state: SessionState = this.#srv ? 'D' : this.#server ? 'C' : 'Q';
    this.#cancelQueue?.();
    this.#srv?.destroy();
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
      this.#cliTimer = null;
      this.#cli.destroySoon();
      if (this.#srv && !this.#srv.destroyed) this.#srv.end();
    } else {
      this.#srvTimer = null;
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
    if (this.#cliTimer) clearTimeout(this.#cliTimer);
    if (this.#srvTimer) clearTimeout(this.#srvTimer);
    const rec = this.#rec;
    rec.tClose = nowMs();
    rec.cause = cause;
    rec.state = state;
    const be = this.#be;
    const handedOff = this.#server && be ? be.release(this.#server) : false;
    if (be) be.beconn--;
    rec.actconn = this.#fe.process.actconn;
    rec.feconn = this.#fe.feconn;
    rec.beconn = be ? be.beconn : 0;
    rec.srvConn = this.#server ? this.#server.cur - (handedOff ? 1 : 0) : 0;
    this.#emit(rec);
    this.#uncount();
    if (cause !== '-') {
      // errors before or during the transfer: close what is still open
      if (!this.#cli.destroyed) this.#cli.end(() => this.#cli.destroy());
      this.#srv?.destroy();
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The session factory a `mode tcp` frontend's listeners use. */
export function tcpSessions(fe: FrontendRuntime, emit: TcpEmit): (sock: net.Socket) => TcpSession {
  return (sock) => new TcpSession(sock, fe, emit);
}
