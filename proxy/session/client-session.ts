/**
 * One client connection: reads requests (own HTTP/1.x parsing on the socket, so the first
 * byte, the end of headers and who closed first are known exactly), applies the frontend's
 * rules, hands the request to a backend and streams both ways. Every request ends in exactly
 * one log record built from the events recorded here.
 */
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { nowMs } from '../clock.js';
import { Deadline } from '../deadline.js';
import type { HttpConnMode, HttpRequestRule } from '../config/types.js';
import type { Assignment, BackendRuntime } from '../backend/backend.js';
import { connect, putIdle, takeIdle, type ServerConn } from '../backend/connect.js';
import { leaveQueue } from '../backend/queue.js';
import { retryPlan } from '../backend/retry.js';
import type { ServerState } from '../backend/server.js';
import { evalCondition, type AclSubject } from '../frontend/acl.js';
import { effectiveMode, type FrontendRuntime } from '../frontend/frontend.js';
import type { SessionView } from '../frontend/listeners.js';
import { Exchange, type ExchangeFailure, type ExchangeHooks } from '../http/exchange.js';
import { ChunkedScanner, MAX_HEAD, headEnd, parseRequestHead, type Framing, type Header, type RequestHead, type ResponseHead } from '../http/parser.js';
import { errorResponse, rawErrorResponse, redirectResponse, responseHeadLength, responseHtxBytes, serializeResponseHead, writeResponseHead } from '../http/responses.js';
import type { SessionState, TerminationCause } from '../log/format/termination.js';
import type { LbRequest } from '../lb/types.js';
import { newRecord, type RequestRecord } from './record.js';
import { endSession } from './session-end.js';
import type { StatsAnswer } from '../stats/page.js';
import { httpsLogFields } from '../log/https-fields.js';
import { cookieLogged, nowSeconds, requestCookie, responseCookie, type RequestCookie } from '../persist/cookie.js';
import { Tunnel, isUpgrade, upgradeHead } from '../http/tunnel.js';
import { putHeaderLine, putStr } from '../log/line-bytes.js';
import { rawHeadLength, writeRawHead, type RawHeadScan } from '../http/raw-head.js';

type Phase = 'wait' | 'body' | 'respond' | 'closed';

/** The session a client socket belongs to, for the shared listeners (set in the constructor). */
const SESSION = Symbol('session');
type SessionSocket = net.Socket & { [SESSION]?: ClientSession };
let onSockData: (this: SessionSocket, c: Buffer) => void;
let onSockEnd: (this: SessionSocket) => void;
let onSockClose: (this: SessionSocket) => void;
/** The session's timeouts (proxy/deadline.ts): one function each for all sessions, not closures per session. */
let onRequestTimeout: (s: ClientSession) => void;
let onBodyTimeout: (s: ClientSession) => void;
const ignore = (): void => {};

/** Up to this size, a response's first body bytes are copied after its head into one buffer. */
const SMALL_BODY = 4096;

/** Pause reading the client when this much request body waits for the server connection. */
const MAX_PENDING_BODY = 256 * 1024;

/**
 * Whether a client header goes into the request head for the server: not `Connection` (ours is
 * written instead) unless the request upgrades, not `Content-Length` when the body is chunked.
 * One predicate for the head's measure and its writing, which must agree byte for byte.
 */
function forwardedToServer(h: Header, upgrade: boolean, chunked: boolean): boolean {
  return (upgrade || h.name !== 'connection') && !(chunked && h.name === 'content-length');
}

export class ClientSession implements ExchangeHooks, LbRequest {
  readonly #sock: net.Socket;
  readonly #fe: FrontendRuntime;
  readonly #ip: string;
  readonly #port: number;
  readonly #feName: string;
  readonly #tlsFields: string | null;
  /** TLS: the end of the connection must go through TLSSocket.end() (close_notify first). */
  readonly #tls: boolean;
  #phase: Phase = 'wait';
  #buf: Buffer | null = null;
  #rec: RequestRecord;
  #first = true;
  /** The one timer of the connection: http-request, http-keep-alive or client (body) timeout. */
  readonly #timer = new Deadline();
  // current request
  #head: RequestHead | null = null;
  #be: BackendRuntime | null = null;
  #server: ServerState | null = null;
  #mode: HttpConnMode = 'keep-alive';
  #clientKeepAlive = false;
  #reqRemaining = 0;
  #reqChunked: ChunkedScanner | null = null;
  #reqDone = false;
  /** Request body read before the server connection is there; NO_BUFFERS (shared) while none. */
  #pending: Buffer[] = NO_BUFFERS;
  #pendingBytes = 0;
  #ex: Exchange | null = null;
  #headSent = false;
  #finished = false;
  #cancelQueue: (() => void) | null = null;
  /** Set after a 101: the connection is a tunnel until it closes. */
  #tunnel: Tunnel | null = null;
  /** What the persistence cookie of the current request said (server, dates). */
  #cookie: RequestCookie<ServerState> | null = null;

  constructor(sock: net.Socket, fe: FrontendRuntime) {
    this.#sock = sock;
    this.#fe = fe;
    const ra = sock.remoteAddress ?? '';
    this.#ip = ra.startsWith('::ffff:') && ra.includes('.') ? ra.slice(7) : ra;
    this.#port = sock.remotePort ?? 0;
    // `%ft`: the frontend name, with `~` on a TLS listener
    this.#tls = !!(sock as Partial<TLSSocket>).encrypted;
    this.#feName = this.#tls ? fe.cfg.name + '~' : fe.cfg.name;
    this.#tlsFields = fe.cfg.httpslog ? httpsLogFields(sock as TLSSocket) : null;
    fe.feconn++;
    fe.process.actconn++;
    const t = nowMs();
    this.#rec = newRecord(this.#ip, this.#port, this.#feName, t, t);
    this.#rec.tlsFields = this.#tlsFields;
    sock.setNoDelay(true);
    // the same four listener functions for every connection: they find their session on the
    // socket, so that accepting a connection creates no closure for them
    (sock as SessionSocket)[SESSION] = this;
    sock.on('data', onSockData);
    sock.on('end', onSockEnd);
    sock.on('error', ignore); // 'close' follows and decides
    sock.on('close', onSockClose);
    this.#armRequestTimer(fe.cfg.timeouts.httpRequest);
  }

  /**
   * Soft stop: a response not yet started says `connection: close` and ends the connection.
   * An idle keep-alive connection closes now, unless `option idle-close-on-response`: then
   * its next request (which the client may be sending already, and would see fail) gets that
   * closing response. A connection that has not sent its first request yet is served once.
   */
  drain(): void {
    this.#draining = true;
    if (!this.#headSent) this.#clientKeepAlive = false;
    if (this.#phase === 'wait' && this.#rec.tFirstByte < 0 && !this.#first && !this.#fe.cfg.idleCloseOnResponse) this.#close();
  }
  #draining = false;

  /** `show sess`: like HAProxy 2.6, a stream exists from a parsed request head until its log line. */
  view(): SessionView | null {
    if (this.#head === null || this.#finished) return null;
    const fe = this.#fe.cfg;
    return {
      proto: this.#sock.localAddress?.includes(':') ? 'tcpv6' : 'tcpv4',
      src: this.#ip,
      port: this.#port,
      frontend: fe.name,
      backend: this.#be?.cfg.name ?? (fe.kind === 'listen' ? fe.name : null),
      server: this.#server?.name ?? null,
      created: this.#rec.tRequest,
      since: this.#rec.tStart,
    };
  }
  /** The client closed while the response was being forwarded (noticed at the next write). */
  #clientGone = false;

  // ---- timers -------------------------------------------------------------------------

  #armRequestTimer(ms: number): void {
    if (ms > 0) this.#timer.set(ms, onRequestTimeout, this);
    else this.#timer.clear();
  }

  #clearTimer(): void {
    this.#timer.clear();
  }

  #onRequestTimeout(): void {
    if (this.#phase !== 'wait') return;
    if (!this.#first && this.#rec.tFirstByte < 0) return this.#close(); // idle keep-alive: silent
    // 408 sent raw, counted as 0 bytes, termination cR
    this.#rec.status = 408;
    this.#endLocal('c', 'R', rawErrorResponse(408), 0, false);
  }

  // ---- client input -------------------------------------------------------------------

  static {
    onSockData = function (this: SessionSocket, c: Buffer): void {
      this[SESSION]!.#onData(c);
    };
    onSockEnd = function (this: SessionSocket): void {
      this[SESSION]!.#onClientEnd();
    };
    onSockClose = function (this: SessionSocket): void {
      this[SESSION]!.#onClientClose();
    };
    onRequestTimeout = (s: ClientSession): void => s.#onRequestTimeout();
    onBodyTimeout = (s: ClientSession): void => s.#onBodyTimeout();
  }

  #onData(chunk: Buffer): void {
    if (this.#tunnel) return; // the tunnel reads the socket itself
    this.#rec.bytesIn += chunk.length;
    switch (this.#phase) {
      case 'wait': {
        if (this.#rec.tFirstByte < 0) this.#markFirstByte();
        this.#buf = this.#buf ? Buffer.concat([this.#buf, chunk]) : chunk;
        this.#tryHead();
        return;
      }
      case 'body':
        return this.#reqBody(chunk);
      case 'respond':
        // pipelined bytes: keep them for the next request, stop reading meanwhile
        this.#buf = this.#buf ? Buffer.concat([this.#buf, chunk]) : chunk;
        this.#sock.pause();
        return;
      default:
        return;
    }
  }

  #markFirstByte(): void {
    const t = nowMs();
    this.#rec.tFirstByte = t;
    this.#rec.dateMs = t;
    if (!this.#first) this.#armRequestTimer(this.#fe.cfg.timeouts.httpRequest);
  }

  #tryHead(): void {
    const buf = this.#buf!;
    const end = headEnd(buf);
    if (end < 0) {
      if (buf.length > MAX_HEAD) this.#badRequest();
      return;
    }
    const head = parseRequestHead(buf.toString('latin1', 0, end));
    if (!head) return this.#badRequest();
    this.#buf = null;
    this.#rec.tRequest = nowMs();
    this.#clearTimer();
    this.#startRequest(head, buf.subarray(end));
  }

  #badRequest(): void {
    // Like HAProxy: raw 400, 0 bytes, PR--, <BADREQ>, no captures, connection closed.
    this.#rec.status = 400;
    this.#endLocal('P', 'R', rawErrorResponse(400), 0, false);
  }

  #onClientEnd(): void {
    if (this.#tunnel) return this.#tunnel.clientEnded();
    this.#clientEnded = true;
    if (this.#clientGone) return;
    if (this.#phase === 'closed' || this.#finished) return this.#close();
    if (this.#phase === 'wait') {
      if (!this.#first && this.#rec.tFirstByte < 0) return this.#close();
      this.#rec.status = 400;
      return this.#endLocal('C', 'R', null, 0, false);
    }
    if (this.#phase === 'body' && !this.#reqDone) return this.#abortByClient();
    if (this.#phase === 'respond' && this.#sock.destroyed) return this.#abortByClient();
    // half-closed after a complete request: HAProxy keeps waiting for the response
  }

  #onClientClose(): void {
    if (this.#tunnel) {
      this.#tunnel.clientClosed(!!this.#sock.errored);
      // the session stays counted until its line is logged (HAProxy counts it in %ac/%fc)
      if (this.#finished) this.#teardown();
      return;
    }
    if (this.#phase === 'respond' && !this.#finished) {
      // Like HAProxy (checked), a client gone once its request is complete is noticed only
      // when the response is forwarded to it: the request still waits in the queue, is sent,
      // its response is read and counted, then the session ends CD; a server error or
      // timeout first gives its own state (SC, sH, sD...).
      this.#clientGone = true; // counters are released when the session ends (#finish)
      return;
    }
    if (this.#phase !== 'closed' && !this.#finished && this.#phase !== 'wait') this.#abortByClient();
    else if (this.#phase === 'wait' && (this.#first || this.#rec.tFirstByte >= 0) && !this.#finished) {
      // HAProxy logs a connection closed before a complete request, even an empty one (CR, 400)
      this.#rec.status = 400;
      this.#endLocal('C', 'R', null, 0, false);
    }
    this.#teardown();
  }

  #abortByClient(): void {
    if (this.#finished) return;
    const state: SessionState = this.#headSent ? 'D' : this.#rec.tConnect >= 0 ? 'H' : this.#rec.tQueue >= 0 ? 'C' : this.#server ? 'C' : 'Q';
    this.#cancelQueue?.();
    if (this.#ex) {
      this.#ex.detach();
      this.#ex.sock.destroy();
    }
    this.#finish('C', state, false);
  }

  // ---- request processing ------------------------------------------------------------

  #startRequest(head: RequestHead, rest: Buffer): void {
    const fe = this.#fe.cfg;
    const rec = this.#rec;
    this.#head = head;
    // not the previous request's: a rule may answer before the body is set up, and #close
    // must not take this request's unread body for read (#clientQuiet)
    this.#reqDone = false;
    rec.requestLine = head.line;
    if (fe.requestCaptures.length) rec.reqCaptures = fe.requestCaptures.map((c) => lastHeader(head.headers, c.name)?.slice(0, c.len) ?? null);
    if (fe.responseCaptures.length) rec.resCaptures = fe.responseCaptures.map(() => null);
    if (fe.cookieCapture) rec.reqCookie = findCookie(head.headers, 'cookie', fe.cookieCapture.name, fe.cookieCapture.len);
    const q = head.uri.indexOf('?');
    const path = q < 0 ? head.uri : head.uri.slice(0, q);
    const subject: { -readonly [K in keyof AclSubject]: AclSubject[K] } = { method: head.method, path, uri: head.uri, src: this.#ip, headers: head.headers };
    // the cookie letters belong to HAProxy's current backend: a listen is its own from the start
    const ownBe = fe.kind === 'listen' ? this.#fe.backends.get(fe.name) ?? null : null;
    this.#cookieLetters(ownBe);
    if (!this.#applyRules(fe.httpRequestRules, subject, head, rest, ownBe)) return;
    const stats = this.#fe.stats?.(head.uri, lastHeader(head.headers, 'authorization'));
    if (stats) return this.#localStats(stats, rest);
    let beName: string | null = null;
    for (const u of fe.useBackends) {
      if (evalCondition(u.cond, subject)) {
        beName = u.backend;
        break;
      }
    }
    beName ??= fe.defaultBackend ?? (fe.kind === 'listen' ? fe.name : null); // a listen section is its own backend
    const be = beName === null ? null : this.#fe.backends.get(beName) ?? null;
    if (!be) return this.#localResponse(503, 'S', rest, 'C');
    this.#be = be;
    rec.backend = be.cfg.name;
    be.beconn++;
    // a backend's own http-request rules run after the frontend's (not twice for a listen)
    this.#cookieLetters(be);
    if (be.cfg !== fe && !this.#applyRules(be.cfg.httpRequestRules, subject, head, rest, be)) return;
    // cookie persistence (proxy/persist/cookie.ts); the 4th letter stays N without a response
    const ck = be.cfg.cookie ? requestCookie(be.cfg.cookie, subject.headers, be.servers, nowSeconds()) : null;
    this.#cookie = ck;
    if (ck) rec.cookieIn = ck.state;
    const headers = ck ? ck.headers : subject.headers;
    this.#mode = effectiveMode(fe.connMode, be.cfg.connMode);
    this.#clientKeepAlive = head.keepAlive && this.#mode !== 'close' && !this.#draining;
    this.#setupRequestBody(head.framing);
    this.#phase = this.#reqDone ? 'respond' : 'body';
    if (!this.#reqDone && fe.timeouts.client > 0) {
      // `timeout client` while the request body is awaited: one timer, refreshed on each read
      this.#timer.set(fe.timeouts.client, onBodyTimeout, this);
    }
    if (rest.length) this.#phase === 'body' ? this.#reqBody(rest) : (this.#buf = rest);
    this.#toServer(be, this, this.#serializeRequest(head, headers, be));
  }

  /**
   * Applies http-request rules in order; header rules rewrite `subject.headers` (later rules
   * see the rewritten headers). Returns false when a rule produced the response itself.
   */
  #applyRules(rules: readonly HttpRequestRule[], subject: { headers: readonly Header[] }, head: RequestHead, rest: Buffer, be: BackendRuntime | null): boolean {
    for (const rule of rules) {
      if (!evalCondition(rule.cond, subject as AclSubject)) continue;
      if (rule.action === 'allow') break;
      if (rule.action === 'use-service') {
        this.#localStats(this.#fe.useService!(rule.service, head.uri), rest, '<PROMEX>');
        return false;
      }
      if (rule.action === 'deny') {
        // HAProxy still reads the persistence cookie of a denied request: the log shows its
        // state, and the server it designates
        if (be?.cfg.cookie) {
          const ck = requestCookie(be.cfg.cookie, subject.headers, be.servers, nowSeconds());
          this.#rec.cookieIn = ck.state;
          if (ck.server) this.#rec.server = ck.server.name;
        }
        this.#localResponse(rule.status, 'P', rest);
        return false;
      }
      if (rule.action === 'redirect') {
        const loc = rule.kind === 'location' ? rule.target : rule.kind === 'prefix' ? rule.target + head.uri : `${rule.target}://${lastHeader(subject.headers, 'host') ?? ''}${head.uri}`;
        this.#localRedirect(rule.code, loc, rest);
        return false;
      }
      const lname = rule.name.toLowerCase();
      let headers = [...subject.headers];
      if (rule.action === 'del-header' || rule.action === 'set-header') headers = headers.filter((h) => h.name !== lname);
      if (rule.action === 'set-header' || rule.action === 'add-header') headers.push({ name: lname, value: rule.value });
      subject.headers = headers;
    }
    return true;
  }

  /** `NN` while a backend with cookie persistence handles the request (HAProxy logs them so even when no cookie was looked at), else `--`. */
  #cookieLetters(be: BackendRuntime | null): void {
    const letter = be?.cfg.cookie && cookieLogged(be.cfg.cookie) ? 'N' : '-';
    this.#rec.cookieIn = this.#rec.cookieOut = letter;
  }

  #setupRequestBody(f: Framing): void {
    this.#reqRemaining = 0;
    this.#reqChunked = null;
    this.#reqDone = false;
    if (f.kind === 'length') this.#reqRemaining = f.length;
    else if (f.kind === 'chunked') this.#reqChunked = new ChunkedScanner();
    else this.#reqDone = true;
  }

  #onBodyTimeout(): void {
    if (this.#phase !== 'body' || this.#finished) return;
    // client stalled in the middle of its body: cD if a response already started, else cH
    this.#cancelQueue?.();
    if (this.#ex) {
      this.#ex.detach();
      this.#ex.sock.destroy();
    }
    this.#finish('c', this.#headSent ? 'D' : 'H', false);
  }

  #reqBody(chunk: Buffer): void {
    this.#timer.refresh(this.#fe.cfg.timeouts.client);
    let part = chunk;
    let rest: Buffer | null = null;
    if (this.#reqChunked) {
      const end = this.#reqChunked.feed(chunk);
      if (this.#reqChunked.error) {
        this.#forwardBody(Buffer.alloc(0));
        return this.#abortByClient();
      }
      if (end >= 0) {
        this.#reqDone = true;
        if (end < chunk.length) {
          part = chunk.subarray(0, end);
          rest = chunk.subarray(end);
        }
      }
    } else {
      const take = Math.min(this.#reqRemaining, chunk.length);
      this.#reqRemaining -= take;
      if (take < chunk.length) {
        part = chunk.subarray(0, take);
        rest = chunk.subarray(take);
      }
      if (this.#reqRemaining === 0) this.#reqDone = true;
    }
    this.#forwardBody(part);
    if (this.#reqDone) {
      this.#clearTimer();
      this.#phase = 'respond';
      if (this.#ex) this.#ex.requestComplete = true;
      if (rest) {
        this.#buf = rest;
        this.#sock.pause();
      }
    }
  }

  #forwardBody(part: Buffer): void {
    if (part.length === 0) return;
    if (this.#ex) {
      if (!this.#ex.write(part)) {
        this.#sock.pause();
        this.#ex.sock.once('drain', () => this.#phase === 'body' && this.#sock.resume());
      }
      return;
    }
    if (this.#pending === NO_BUFFERS) this.#pending = [];
    this.#pending.push(part);
    this.#pendingBytes += part.length;
    if (this.#pendingBytes > MAX_PENDING_BODY) this.#sock.pause();
  }

  #serializeRequest(head: RequestHead, headers: readonly Header[], be: BackendRuntime): Buffer {
    // With Transfer-Encoding, Content-Length is dropped (RFC 9112 6.3; HAProxy does the same),
    // so that the server cannot frame the body differently from us (request smuggling).
    const chunked = head.framing.kind === 'chunked';
    // an Upgrade request keeps its `connection: upgrade` (HAProxy forwards it for the 101)
    const upgrade = isUpgrade(headers);
    const ff = this.#fe.cfg.forwardfor ?? be.cfg.forwardfor;
    const ffLine = ff && !(ff.ifNone && headers.some((h) => h.name === ff.header)) ? ff.header : null;
    const serverKeepAlive = this.#mode === 'keep-alive';
    // the upgrade becomes a tunnel: no keep-alive decision to announce
    const connLine = upgrade ? null : head.version === 11 && !serverKeepAlive ? 'connection: close\r\n' : head.version === 10 && serverKeepAlive ? 'connection: keep-alive\r\n' : null;
    // written as latin1 bytes into a buffer of the exact size, measured first: a string
    // concatenated per header and then copied into a buffer made a cons string per part
    let n = head.method.length + head.uri.length + 12; // "M U HTTP/1.x\r\n"
    for (const h of headers) if (forwardedToServer(h, upgrade, chunked)) n += h.name.length + h.value.length + 4;
    if (ffLine !== null) n += ffLine.length + this.#ip.length + 4;
    if (connLine !== null) n += connLine.length;
    n += 2;
    const out = Buffer.allocUnsafe(n);
    let o = putStr(out, 0, head.method);
    out[o++] = 0x20;
    o = putStr(out, o, head.uri);
    o = putStr(out, o, head.version === 11 ? ' HTTP/1.1\r\n' : ' HTTP/1.0\r\n');
    for (const h of headers) if (forwardedToServer(h, upgrade, chunked)) o = putHeaderLine(out, o, h.name, h.value);
    if (ffLine !== null) o = putHeaderLine(out, o, ffLine, this.#ip);
    if (connLine !== null) o = putStr(out, o, connLine);
    out[o++] = 0x0d;
    out[o++] = 0x0a;
    return out;
  }

  // ---- server side -------------------------------------------------------------------

  #toServer(be: BackendRuntime, lbReq: LbRequest, reqHead: Buffer): void {
    this.#lbReq = lbReq;
    const a = be.assign(lbReq, be.cfg.timeouts.queue, undefined, this.#cookie?.server ?? undefined);
    if (a.kind === 'nosrv') return this.#fail503('S', 'C');
    if (a.kind === 'queued') {
      void this.#fromQueue(be, a, reqHead);
      return;
    }
    this.#toServerConn(be, a.server, reqHead);
  }

  async #fromQueue(be: BackendRuntime, a: Extract<Assignment, { kind: 'queued' }>, reqHead: Buffer): Promise<void> {
    this.#cancelQueue = a.cancel;
    const server = await leaveQueue(be, a, this.#rec, () => this.#finished);
    this.#cancelQueue = null;
    if (server === undefined) return;
    if (!server) return this.#fail503('s', 'Q');
    this.#toServerConn(be, server, reqHead);
  }

  #toServerConn(be: BackendRuntime, server: ServerState, reqHead: Buffer): void {
    const rec = this.#rec;
    this.#server = server;
    rec.server = server.name;
    rec.tQueue = nowMs();
    const reuse = this.#mode === 'keep-alive';
    if (reuse) {
      // a pooled connection carries the request in this same tick, without a promise (an
      // async call per request costs a promise, and its resolution microtasks)
      const idle = takeIdle(server);
      if (idle) {
        rec.tConnect = nowMs();
        return this.#startExchange(idle, true, reqHead);
      }
    }
    void this.#connectLoop(be, server, reqHead, reuse);
  }
  /** The balancing input of the current request, for a redispatch. */
  #lbReq: LbRequest | null = null;

  /**
   * Connects to `server` and starts the exchange. A refused or timed-out connection is retried
   * (`retries`), on the same server or, with `option redispatch`, on another one. `reuse`: an
   * idle pooled connection may carry the request.
   */
  async #connectLoop(be: BackendRuntime, server: ServerState, reqHead: Buffer, reuse: boolean): Promise<void> {
    const rec = this.#rec;
    const t = be.cfg.timeouts;
    const lbReq = this.#lbReq!;
    for (;;) {
      // a pooled connection comes back at once: the request leaves in this same tick
      const r = connect(server, t.connect, reuse);
      const c = r instanceof Promise ? await r : r;
      if (this.#finished) {
        if (typeof c === 'object') c.conn.sock.destroy();
        return;
      }
      if (typeof c === 'object') {
        rec.tConnect = nowMs();
        this.#startExchange(c.conn, c.reused, reqHead);
        return;
      }
      if (rec.retries >= be.cfg.retries) return this.#fail503(c === 'timeout' ? 's' : 'S', 'C');
      rec.retries++;
      // the same server or another one, at once or after a turn-around (proxy/backend/retry.ts)
      const plan = retryPlan(be, server, rec.retries, rec.cookieIn === 'V' && !rec.redispatched, c === 'refused');
      if (plan.waitMs > 0) await sleep(plan.waitMs);
      if (this.#finished) return;
      if (plan.redispatch) {
        const other = be.assign(lbReq, 0, server);
        if (other.kind === 'ok' && other.server !== server) {
          be.release(server);
          server = other.server;
          this.#server = server;
          rec.server = server.name;
          rec.redispatched = true;
          if (rec.cookieIn === 'V') rec.cookieIn = 'D'; // HAProxy: its server failed, whatever the cookie said
          rec.tQueue = nowMs(); // a new assignment: Tc counts from it
        } else if (other.kind === 'ok') be.release(other.server);
        else if (other.kind === 'queued') other.cancel();
      }
    }
  }

  #startExchange(conn: ServerConn, reused: boolean, reqHead: Buffer): void {
    this.#exConn = conn;
    this.#exReused = reused;
    this.#replayHead = reqHead;
    this.#replayBody = this.#pending;
    // the session itself is the exchange's hooks (the ExchangeHooks methods below): an object
    // of closures per request was about a twentieth of what a request allocates
    // the response head goes to the client as its bytes unless something reads its headers: a
    // capture, or cookie persistence (which may insert or remove a Set-Cookie)
    const fe = this.#fe.cfg;
    const be = this.#be!.cfg;
    const rawHeads = fe.responseCaptures.length === 0 && fe.cookieCapture === null && !be.cookie;
    const ex = new Exchange(conn, this.#head!.method, be.timeouts.server, this, rawHeads);
    this.#ex = ex;
    ex.requestComplete = this.#reqDone;
    ex.write(reqHead);
    for (const p of this.#pending) ex.write(p);
    this.#pending = NO_BUFFERS;
    this.#pendingBytes = 0;
    if (this.#phase === 'body') this.#sock.resume();
  }

  /** The server connection of the current exchange, whether it came from the pool, and what to replay on a fresh one. */
  #exConn: ServerConn | null = null;
  #exReused = false;
  #replayHead: Buffer = EMPTY;
  #replayBody: Buffer[] = NO_BUFFERS;

  // ---- LbRequest (proxy/lb/types.ts): the balancing input of the current request ----------
  // read only by the hash-based algorithms and stick tables, so computed when read: an object
  // and a closure per request were allocated for them, used by round-robin never

  get src(): string {
    return this.#ip;
  }

  get path(): string {
    const uri = this.#head!.uri;
    const q = uri.indexOf('?');
    return q < 0 ? uri : uri.slice(0, q);
  }

  get query(): string {
    const uri = this.#head!.uri;
    const q = uri.indexOf('?');
    return q < 0 ? '' : uri.slice(q + 1);
  }

  header(name: string): string | undefined {
    return lastHeader(this.#head!.headers, name);
  }

  // ---- ExchangeHooks (proxy/http/exchange.ts), called by the current exchange only --------

  onInterim(h: ResponseHead): void {
    // 1xx go to HTTP/1.1 clients (HAProxy forwards them, and counts them in %B)
    if (this.#head?.version !== 11) return;
    const out = serializeResponseHead(h.versionText, h.status, h.reason, h.headers, true);
    this.#rec.bytesOut += out.htxBytes;
    this.#writeClient(out.wire);
  }

  /**
   * What a final response head, parsed or raw, does to the request's record and the client's
   * keep-alive (`htxBytes`: its `%B` size). Returns false when the client has gone.
   */
  #finalHead(status: number, framing: Framing, htxBytes: number): boolean {
    const rec = this.#rec;
    rec.tResponse = nowMs();
    rec.status = status;
    if (framing.kind === 'close' || !this.#reqDone) this.#clientKeepAlive = false;
    this.#respChunked = framing.kind === 'chunked';
    rec.bytesOut += htxBytes;
    this.#headSent = true;
    return !this.#clientGone;
  }

  onHead(h: ResponseHead, framing: Framing, more: boolean): void {
    const rec = this.#rec;
    const fe = this.#fe.cfg;
    if (fe.responseCaptures.length) rec.resCaptures = fe.responseCaptures.map((c) => lastHeader(h.headers, c.name)?.slice(0, c.len) ?? null);
    if (fe.cookieCapture) rec.resCookie = findCookie(h.headers, 'set-cookie', fe.cookieCapture.name, fe.cookieCapture.len);
    const respHeaders = this.#responseCookie(this.#be!, this.#server!, h.status, h.headers);
    // %B: the head as the server sent it, before a persistence cookie was inserted/removed
    if (!this.#finalHead(h.status, framing, responseHtxBytes(h.versionText, h.reason, h.headers))) return;
    // held until the body bytes of the same server read arrive (or this tick ends), then
    // written together: one write(2) per small response instead of two
    this.#held = h;
    this.#heldHeaders = respHeaders;
    this.#heldKeepAlive = this.#clientKeepAlive;
    if (!more) process.nextTick(flushHeld, this);
  }

  onRawHead(buf: Buffer, end: number, scan: RawHeadScan, framing: Framing, more: boolean): boolean {
    if (!this.#finalHead(scan.status, framing, scan.htx)) return false;
    // held as onHead holds a parsed head: written with the first body bytes of this read
    this.#heldRaw = buf;
    this.#heldRawEnd = end;
    this.#heldRawSize = scan.size;
    this.#heldRawV11 = scan.v11;
    this.#heldKeepAlive = this.#clientKeepAlive;
    // no body bytes in this read: the head leaves now, alone, as a parsed head would at the
    // end of this tick; holding `buf` instead would make the server connection take a new
    // 16 KB read buffer (it is reused only when no reference to it outlives a read)
    if (!more) this.flushHeld();
    return false;
  }

  onData(chunk: Buffer, payload: number): boolean {
    this.#rec.bytesOut += payload;
    if (this.#clientGone) {
      this.#abortByClient();
      return false;
    }
    return this.#writeClient(chunk);
  }

  onEnd(reusable: boolean): void {
    if (this.#clientGone) return this.#abortByClient();
    // a complete chunked message ends with HTX's end-of-trailers block: 1 byte in %B
    if (this.#respChunked) this.#rec.bytesOut += 1;
    this.#ex = null;
    const conn = this.#exConn!;
    this.#exConn = null;
    if (reusable && this.#mode === 'keep-alive') putIdle(this.#server!, conn);
    else conn.sock.destroy();
    this.#finish('-', '-', this.#clientKeepAlive);
  }

  onFail(kind: ExchangeFailure, gotBytes: boolean): void {
    this.#serverFailed(kind, gotBytes, this.#exReused, this.#replayHead, this.#replayBody);
  }

  onUpgrade(h: ResponseHead, rest: Buffer): void {
    // 101: a tunnel (proxy/http/tunnel.ts) until both sides close; one log line at the end
    const be = this.#be!;
    const conn = this.#exConn!;
    const rec = this.#rec;
    rec.tResponse = nowMs();
    rec.status = h.status;
    const fe = this.#fe.cfg;
    if (fe.responseCaptures.length) rec.resCaptures = fe.responseCaptures.map((c) => lastHeader(h.headers, c.name)?.slice(0, c.len) ?? null);
    // HAProxy applies cookie persistence to a 101 too; %B counts the head as received
    rec.bytesOut += upgradeHead(h).htxBytes;
    const out = upgradeHead({ ...h, headers: this.#responseCookie(be, this.#server!, h.status, h.headers) });
    this.#headSent = true;
    this.#ex = null;
    this.#clearTimer();
    this.#writeClient(out.wire);
    const t = be.cfg.timeouts;
    const pending = this.#buf;
    this.#buf = null;
    this.#tunnel = new Tunnel(
      this.#sock,
      conn,
      { client: t.tunnel || fe.timeouts.client, server: t.tunnel || t.server },
      {
        onServerBytes: (n) => (rec.bytesOut += n),
        onClientBytes: (n) => (rec.bytesIn += n),
        done: (cause, state) => {
          this.#finish(cause, state, false);
          if (this.#sock.closed) this.#teardown();
        },
      },
      rest,
      pending,
    );
  }

  #serverFailed(kind: ExchangeFailure, gotBytes: boolean, reused: boolean, replayHead: Buffer, replayBody: Buffer[]): void {
    this.#ex = null;
    if (kind === 'closed-before-head' && reused && !gotBytes && this.#reqDone) {
      // An idle connection the server had already closed: replay on a fresh one, not a retry.
      // A server that died meanwhile refuses it: then retries and redispatch apply as to any
      // connection (a 503 here would fail a request that another server can serve).
      this.#pending = replayBody;
      void this.#connectLoop(this.#be!, this.#server!, replayHead, false);
      return;
    }
    switch (kind) {
      case 'closed-before-head':
        return this.#errorAfterConnect(502, 'S', 'H');
      case 'bad-head':
        return this.#errorAfterConnect(502, 'P', 'H');
      case 'timeout-head':
        return this.#errorAfterConnect(504, 's', 'H');
      case 'timeout-data':
        return this.#finish('s', 'D', false);
      case 'aborted-data':
        return this.#finish('S', 'D', false);
    }
  }

  /** The response headers after cookie persistence (proxy/persist/cookie.ts); sets the 4th letter. */
  #responseCookie(be: BackendRuntime, server: ServerState, status: number, headers: readonly Header[]): readonly Header[] {
    const ck = this.#cookie;
    if (!be.cfg.cookie || !ck) return headers;
    // a redispatch leaves the designated server: the client must learn the new one
    const req = { method: this.#head!.method, direct: ck.server !== null && !this.#rec.redispatched, lastSeen: ck.lastSeen, firstSeen: ck.firstSeen };
    const c = responseCookie(be.cfg.cookie, status, headers, server, req, nowSeconds());
    this.#rec.cookieOut = c.state;
    return c.headers;
  }

  #errorAfterConnect(status: number, cause: TerminationCause, state: SessionState): void {
    if (this.#headSent) return this.#finish(cause, 'D', false);
    const keep = this.#clientKeepAlive && this.#reqDone;
    const r = errorResponse(status, keep);
    this.#rec.status = status;
    this.#rec.bytesOut += r.htxBytes;
    this.#writeClient(r.wire);
    this.#finish(cause, state, keep);
  }

  #fail503(cause: TerminationCause, state: SessionState): void {
    if (this.#finished) return;
    const keep = this.#clientKeepAlive && this.#reqDone;
    const r = errorResponse(503, keep);
    this.#rec.status = 503;
    this.#rec.bytesOut += r.htxBytes;
    this.#writeClient(r.wire);
    this.#finish(cause, state, keep);
  }

  /** A response head waiting to be written with the first body bytes, with the headers and connection fate to write it with. */
  #held: ResponseHead | null = null;
  #heldHeaders: readonly Header[] = NO_HEADERS;
  #heldKeepAlive = false;
  /** A response head held as the server's bytes (onRawHead): buf[0, end), its size toward the client without the connection line, its version. */
  #heldRaw: Buffer | null = null;
  #heldRawEnd = 0;
  #heldRawSize = 0;
  #heldRawV11 = true;

  flushHeld(): void {
    if (this.#held !== null || this.#heldRaw !== null) this.#writeClient(EMPTY);
  }

  /** Returns true when the client socket keeps a reference to `data` (queued, not yet written). */
  #writeClient(data: Buffer): boolean {
    let ok: boolean;
    let copied = false;
    const held = this.#held;
    const heldRaw = this.#heldRaw;
    this.#held = null;
    this.#heldRaw = null;
    const headers = this.#heldHeaders;
    this.#heldHeaders = NO_HEADERS;
    if (this.#sock.destroyed) return false;
    if (held === null && heldRaw === null) {
      if (data.length === 0) return false;
      ok = this.#sock.write(data);
    } else {
      const keep = this.#heldKeepAlive;
      const hl = heldRaw !== null ? rawHeadLength(this.#heldRawSize, this.#heldRawV11, keep) : responseHeadLength(held!.versionText, held!.status, held!.reason, headers, keep);
      if (data.length > SMALL_BODY) {
        // a large first body chunk is not copied: head and chunk leave in one writev
        const head = Buffer.allocUnsafe(hl);
        if (heldRaw !== null) writeRawHead(head, 0, heldRaw, this.#heldRawEnd, this.#heldRawV11, keep);
        else writeResponseHead(head, 0, held!.versionText, held!.status, held!.reason, headers, keep);
        this.#sock.cork();
        this.#sock.write(head);
        ok = this.#sock.write(data);
        this.#sock.uncork();
      } else {
        // head and first body bytes in one buffer, one write(2)
        const out = Buffer.allocUnsafe(hl + data.length);
        if (heldRaw !== null) writeRawHead(out, 0, heldRaw, this.#heldRawEnd, this.#heldRawV11, keep);
        else writeResponseHead(out, 0, held!.versionText, held!.status, held!.reason, headers, keep);
        if (data.length > 0) {
          data.copy(out, hl);
          copied = true;
        }
        ok = this.#sock.write(out);
      }
    }
    if (!ok && this.#ex && !this.#waitingDrain) {
      const ex = this.#ex;
      this.#waitingDrain = true;
      ex.sock.pause();
      this.#sock.once('drain', () => {
        this.#waitingDrain = false;
        ex.sock.resume();
      });
    }
    return !copied && this.#sock.writableLength > 0;
  }
  #waitingDrain = false;
  #respChunked = false;

  // ---- local responses ----------------------------------------------------------------

  #localResponse(status: number, cause: TerminationCause, rest: Buffer, state: SessionState = 'R'): void {
    const head = this.#head!;
    const keep = head.keepAlive && this.#fe.cfg.connMode !== 'close' && head.framing.kind === 'none' && !this.#draining;
    const r = errorResponse(status, keep);
    this.#rec.status = status;
    this.#rec.bytesOut = r.htxBytes;
    this.#buf = rest.length ? rest : null;
    this.#phase = 'respond';
    this.#writeClient(r.wire);
    this.#finish(cause, state, keep);
  }

  #localRedirect(code: number, location: string, rest: Buffer): void {
    const head = this.#head!;
    const keep = head.keepAlive && this.#fe.cfg.connMode !== 'close' && head.framing.kind === 'none' && !this.#draining;
    const r = redirectResponse(code, location, keep);
    this.#rec.status = code;
    this.#rec.bytesOut = r.htxBytes;
    this.#buf = rest.length ? rest : null;
    this.#phase = 'respond';
    this.#writeClient(r.wire);
    this.#finish('L', 'R', keep);
  }

  /** The stats page or a service (proxy/stats/): logged as `<STATS>` or `<PROMEX>`, `LR--`, with Tw/Tc (and Tr when served) 0. */
  #localStats(answer: StatsAnswer, rest: Buffer, server = '<STATS>'): void {
    const head = this.#head!;
    const keep = head.keepAlive && this.#fe.cfg.connMode !== 'close' && head.framing.kind === 'none' && !this.#draining;
    const rec = this.#rec;
    rec.server = server;
    rec.tQueue = rec.tConnect = rec.tRequest;
    if (answer.served) rec.tResponse = rec.tRequest;
    rec.status = answer.logStatus;
    const wire = answer.wire(keep && !answer.close);
    rec.bytesOut = wire.length;
    this.#buf = rest.length ? rest : null;
    this.#phase = 'respond';
    this.#writeClient(wire);
    this.#finish('L', 'R', keep && !answer.close);
  }

  /** Ends the connection after an error seen before any request was parsed. */
  #endLocal(cause: TerminationCause, state: SessionState, wire: Buffer | null, bytes: number, keep: boolean): void {
    this.#rec.bytesOut = bytes;
    this.#rec.reqCaptures = null;
    this.#rec.resCaptures = null;
    if (wire && !this.#sock.destroyed) this.#sock.write(wire);
    this.#finish(cause, state, keep);
  }

  // ---- end of a request ---------------------------------------------------------------

  #finish(cause: TerminationCause, state: SessionState, keepAlive: boolean): void {
    if (this.#finished) return;
    this.flushHeld();
    this.#finished = true;
    this.#clearTimer();
    const rec = this.#rec;
    endSession(rec, cause, state, this.#fe, this.#be, this.#server);
    this.#fe.emit(rec);
    if (this.#clientGone) this.#teardown();
    // a response that announced keep-alive before the soft stop: its connection is idle now
    const reuse = keepAlive && (!this.#draining || this.#fe.cfg.idleCloseOnResponse);
    if (reuse && !this.#clientEnded && !this.#sock.destroyed && this.#phase !== 'closed') this.#nextRequest();
    else this.#close();
  }

  #nextRequest(): void {
    const t = nowMs();
    this.#rec = newRecord(this.#ip, this.#port, this.#feName, t, t);
    this.#rec.tlsFields = this.#tlsFields;
    this.#first = false;
    this.#finished = false;
    this.#head = null;
    this.#be = null;
    this.#server = null;
    this.#ex = null;
    this.#headSent = false;
    this.#pending = NO_BUFFERS;
    this.#pendingBytes = 0;
    this.#phase = 'wait';
    this.#armRequestTimer(this.#fe.cfg.timeouts.httpKeepAlive);
    const buf = this.#buf;
    this.#buf = null;
    this.#sock.resume();
    if (buf && buf.length) {
      this.#markFirstByte();
      this.#rec.bytesIn += buf.length;
      this.#buf = buf;
      this.#tryHead();
    }
  }

  #close(): void {
    if (this.#phase === 'closed') return;
    const quiet = this.#clientQuiet();
    this.#phase = 'closed';
    this.#timer.dispose();
    if (quiet) {
      // close(2) alone: the kernel sends what it holds, then the FIN, as after shutdown(2);
      // libuv's shutdown request costs an epoll change, a loop turn and a JS callback chain
      // per connection (about a tenth of the user CPU of a `Connection: close` request)
      this.#sock.destroy();
      return;
    }
    this.#sock.end();
    this.#sock.destroySoon?.();
  }

  /**
   * Every byte written is in the kernel and the client sends nothing more, so that a close(2)
   * cannot find unread bytes (which makes the kernel answer with a reset and the client lose
   * the end of the response): it sent its FIN, or it announced `close` and its request was
   * read whole (a client that sent `close` sends no further request, RFC 9112 9.6). A
   * keep-alive client that we close may be sending its next request: it gets shutdown(2)
   * first, like HAProxy does.
   */
  #clientQuiet(): boolean {
    if (this.#tls || this.#sock.writableLength > 0 || this.#buf !== null) return false;
    if (this.#clientEnded) return true;
    return this.#head !== null && !this.#head.keepAlive && this.#reqDone && this.#phase === 'respond';
  }

  #teardown(): void {
    if (this.#phase !== 'closed') this.#phase = 'closed';
    this.#timer.dispose();
    if (!this.#counted) return;
    this.#counted = false;
    this.#fe.feconn--;
    this.#fe.process.actconn--;
  }
  #counted = true;
  /** The client sent its FIN: answer the request in flight, then close. */
  #clientEnded = false;
}

function lastHeader(headers: readonly Header[], name: string): string | undefined {
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i]!.name === name) return headers[i]!.value;
  return undefined;
}

/** `capture cookie <prefix> len <n>`: first `name=value` whose name starts with prefix. */
function findCookie(headers: readonly Header[], header: 'cookie' | 'set-cookie', prefix: string, len: number): string | null {
  for (const h of headers) {
    if (h.name !== header) continue;
    const parts = header === 'cookie' ? h.value.split(';') : [h.value.split(';')[0]!];
    for (const p of parts) {
      const c = p.trim();
      if (c.startsWith(prefix) && c.includes('=')) return c.slice(0, len);
    }
  }
  return null;
}

const flushHeld = (s: ClientSession): void => s.flushHeld();
const EMPTY = Buffer.alloc(0);
/** No pending body: shared, never pushed to (#forwardBody makes an array of its own first). */
const NO_BUFFERS: Buffer[] = [];
const NO_HEADERS: readonly Header[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
