/**
 * Listening sockets of a frontend: one net.Server per `bind` address. Connections beyond the
 * frontend's or the process's maxconn are held unread until a slot frees, like connections
 * left in HAProxy's accept backlog.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ListenError } from '../errors.js';
import { ClientSession } from '../session/client-session.js';
import type { FrontendRuntime } from './frontend.js';

/** What a listener starts per accepted connection: an HTTP session, or a TCP one (proxy/tcp/). */
export interface Session {
  /** Soft stop: finish what is in flight, take nothing new. */
  drain(): void;
  /** Its stream for the runtime API's `show sess`, null when it has none (between two requests). */
  view?(): SessionView | null;
}

/** One line of `show sess` (proxy/stats/show-sess.ts). */
export interface SessionView {
  /** The listener's protocol: `tcpv4` or `tcpv6`. */
  readonly proto: string;
  readonly src: string;
  readonly port: number;
  readonly frontend: string;
  /** null = `<NONE>` (a frontend that has not chosen its backend). */
  readonly backend: string | null;
  /** null = `<none>`. */
  readonly server: string | null;
  /** Monotonic ms: the stream's creation (request head parsed, or accept in tcp mode). */
  readonly created: number;
  /** Monotonic ms its age counts from (accept, or end of the previous request on keep-alive). */
  readonly since: number;
}

/** A session's place in its listeners' list (see Listeners.#first). */
interface SessionLink {
  readonly session: Session;
  prev: SessionLink | null;
  next: SessionLink | null;
}
const LINK = Symbol('session link');
type LinkedSocket = net.Socket & { [LINK]?: SessionLink };

export class Listeners {
  readonly #servers: (net.Server | tls.Server)[] = [];
  readonly #fe: FrontendRuntime;
  readonly #held: net.Socket[] = [];
  readonly #open: (sock: net.Socket) => Session;

  constructor(fe: FrontendRuntime, open: (sock: net.Socket) => Session = (sock) => new ClientSession(sock, fe)) {
    this.#fe = fe;
    this.#open = open;
  }

  async start(): Promise<void> {
    for (const [i, b] of this.#fe.cfg.binds.entries()) {
      // `bind ... ssl crt <pem>`: sessions get the decrypted TLSSocket once the handshake is done
      const srv = b.tls
        ? tls.createServer({ cert: b.tls.pem, key: b.tls.pem, allowHalfOpen: true, ...(b.tls.alpn.length ? { ALPNProtocols: [...b.tls.alpn] } : {}) }, (sock) => this.#accept(sock))
        : net.createServer({ noDelay: true, allowHalfOpen: true }, (sock) => this.#accept(sock));
      if (b.tls) srv.on('tlsClientError', (_err: Error, sock: tls.TLSSocket) => this.#fe.connectionError(sock, i + 1, 'SSL handshake failure'));
      await new Promise<void>((resolve, reject) => {
        srv.once('error', (err: NodeJS.ErrnoException) =>
          reject(new ListenError(`Starting frontend ${this.#fe.cfg.name}: cannot bind socket (${err.code ?? err.message}) [${b.address.family === 6 ? `[${b.address.host}]` : b.address.host}:${b.address.port}] (${b.file}:${b.line})`)),
        );
        srv.listen({ host: b.address.host, port: b.address.port, ipv6Only: b.address.family === 6, backlog: 1024 }, () => resolve());
      });
      this.#servers.push(srv);
    }
  }

  #full(): boolean {
    const fe = this.#fe;
    const feMax = fe.cfg.maxconn || fe.process.maxconn;
    return fe.feconn >= feMax || fe.process.actconn >= fe.process.maxconn;
  }

  #accept(sock: net.Socket): void {
    if (this.#full()) {
      sock.pause();
      sock.on('error', () => {});
      this.#held.push(sock);
      return;
    }
    this.#admit(sock);
  }

  #admit(sock: net.Socket): void {
    const session = this.#open(sock);
    const link: SessionLink = { session, prev: this.#last, next: null };
    if (this.#last) this.#last.next = link;
    else this.#first = link;
    this.#last = link;
    (sock as LinkedSocket)[LINK] = link;
    // a connection accepted before the soft stop but held for a slot: served, without keep-alive
    if (this.#draining) session.drain();
    sock.on('close', this.#onClose);
  }
  /**
   * The open sessions, oldest first, in a list linked through one small object per
   * connection, not a Map. A Map whose entries come and go thousands of times a second
   * rebuilds its table now and then, and V8 leaves each dropped table linked to its successor
   * (for live iterators); a dead table in the old generation is still a root for the
   * young-generation collector until the next full collection, so the young tables it leads
   * to, and the sockets and sessions in them, were copied and promoted instead of dying
   * young: 2.3 KB promoted per `Connection: close` request with the Map, 0.7 without it, the
   * FLOOR's 0.6 (--trace-gc-nvp, 8 MB semi-space, wrk -c50 close through nginx).
   */
  #first: SessionLink | null = null;
  #last: SessionLink | null = null;
  /** One 'close' listener for all the connections of these listeners (no closure per connection). */
  readonly #onClose = ((self: Listeners) =>
    function (this: LinkedSocket): void {
      const link = this[LINK];
      if (link) {
        this[LINK] = undefined;
        self.#unlink(link);
      }
      self.#release();
    })(this);

  #unlink(link: SessionLink): void {
    if (link.prev) link.prev.next = link.next;
    else this.#first = link.next;
    if (link.next) link.next.prev = link.prev;
    else this.#last = link.prev;
    // a link that reached the old generation must not keep its neighbours once it is dead
    link.prev = link.next = null;
  }

  *#each(): IterableIterator<Session> {
    for (let l = this.#first; l; ) {
      const next = l.next; // read first: the caller may end this session
      yield l.session;
      l = next;
    }
  }

  #release(): void {
    // nothing held (the common case): no immediate per closed connection
    if (this.#held.length === 0) return;
    setImmediate(() => {
      while (this.#held.length && !this.#full()) {
        const s = this.#held.shift()!;
        if (s.destroyed) continue;
        this.#admit(s);
        s.resume();
      }
    });
  }

  /**
   * Stop accepting; existing sessions continue. Resolves once every connection these servers
   * accepted is closed (net.Server's 'close'). With `keepHeld` (soft stop), connections held
   * for a free slot stay: the client was accepted by this process, so a reload must not drop
   * it; they are admitted as slots free up.
   */
  stopAccepting(keepHeld = false): Promise<void> {
    if (!keepHeld) for (const s of this.#held.splice(0)) s.destroy();
    return Promise.all(this.#servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => {});
  }

  /** Soft stop: idle keep-alive connections close now, busy ones after their current request. */
  drainSessions(): void {
    this.#draining = true;
    for (const s of [...this.#each()]) s.drain();
  }
  #draining = false;

  /** The sessions of these listeners, for the runtime API. */
  sessions(): IterableIterator<Session> {
    return this.#each();
  }

  addresses(): net.AddressInfo[] {
    return this.#servers.map((s) => s.address() as net.AddressInfo);
  }
}
