/**
 * The tunnel after a `101 Switching Protocols` (WebSocket and other `Upgrade` requests):
 * bytes flow both ways unchanged, each shutdown is forwarded on its own, a side that cannot
 * write pauses the other's reading, and `timeout tunnel` (else `timeout client` / `timeout
 * server`) is the inactivity limit of each side, refreshed by data in either direction.
 * HAProxy 2.6 logs an idle tunnel as `cD` (both timers expire together, the client side is
 * checked first), a reset as `CD` / `SD`, a tunnel closed by both sides as `--`; `%B` counts
 * the bytes the server sent through it (test/proxy-tunnel/).
 */
import type net from 'node:net';
import type { ServerConn } from '../backend/connect.js';
import type { SessionState, TerminationCause } from '../log/format/termination.js';

export interface TunnelHooks {
  /** Bytes server -> client (for `%B`). */
  onServerBytes(n: number): void;
  onClientBytes(n: number): void;
  /** The tunnel is over; called once. */
  done(cause: TerminationCause, state: SessionState): void;
}

export class Tunnel {
  readonly #cli: net.Socket;
  readonly #srv: net.Socket;
  readonly #hooks: TunnelHooks;
  #over = false;
  #cliClosed = false;
  #srvClosed = false;
  readonly #cliTimer: NodeJS.Timeout | null;
  readonly #srvTimer: NodeJS.Timeout | null;

  constructor(cli: net.Socket, conn: ServerConn, timeouts: { client: number; server: number }, hooks: TunnelHooks, fromServer: Buffer, fromClient: Buffer | null) {
    const srv = conn.sock;
    this.#cli = cli;
    this.#srv = srv;
    this.#hooks = hooks;
    srv.allowHalfOpen = true;
    this.#cliTimer = timeouts.client > 0 ? setTimeout(() => this.#timeout('c'), timeouts.client) : null;
    this.#srvTimer = timeouts.server > 0 ? setTimeout(() => this.#timeout('s'), timeouts.server) : null;
    conn.reader = {
      data: (c) => this.#pipe(c, srv, cli, true),
      end: () => {
        this.#activity();
        if (!cli.destroyed) cli.end();
      },
      error: () => this.#end('S'),
      close: () => {
        this.#srvClosed = true;
        if (this.#cliClosed) this.#end('-');
      },
    };
    cli.on('data', (c: Buffer) => void this.#pipe(c, cli, srv, false));
    if (fromServer.length) this.#pipe(fromServer, srv, cli, true);
    if (fromClient?.length) this.#pipe(fromClient, cli, srv, false);
    cli.resume();
    srv.resume();
  }

  /** The session saw the client's FIN. */
  clientEnded(): void {
    this.#activity();
    if (!this.#srv.destroyed) this.#srv.end();
  }

  /** The session saw the client socket close (after an error: a reset). */
  clientClosed(hadError: boolean): void {
    this.#cliClosed = true;
    if (hadError) return this.#end('C');
    if (this.#srvClosed) this.#end('-');
  }

  #activity(): void {
    this.#cliTimer?.refresh();
    this.#srvTimer?.refresh();
  }

  /** Returns true when `to` keeps a reference to `chunk` (queued, not yet written). */
  #pipe(chunk: Buffer, from: net.Socket, to: net.Socket, fromServer: boolean): boolean {
    this.#activity();
    if (fromServer) this.#hooks.onServerBytes(chunk.length);
    else this.#hooks.onClientBytes(chunk.length);
    if (to.destroyed) return false;
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
    return to.writableLength > 0;
  }

  #timeout(side: 'c' | 's'): void {
    this.#end(side);
  }

  #end(cause: TerminationCause): void {
    if (this.#over) return;
    this.#over = true;
    if (this.#cliTimer) clearTimeout(this.#cliTimer);
    if (this.#srvTimer) clearTimeout(this.#srvTimer);
    this.#hooks.done(cause, cause === '-' ? '-' : 'D');
    if (cause !== '-') {
      this.#srv.destroy();
      this.#cli.destroy();
    }
  }
}

/** The 101 head as HAProxy 2.6 forwards it: lower-case names, every header kept (the
 * `connection: upgrade` too); `htxBytes` as in proxy/http/responses.ts (20 + start line + 1). */
export function upgradeHead(h: { versionText: string; status: number; reason: string; headers: readonly { name: string; value: string }[] }): { wire: Buffer; htxBytes: number } {
  let s = `${h.versionText} ${h.status} ${h.reason}\r\n`;
  let htx = 20 + h.versionText.length + 3 + h.reason.length + 1;
  for (const x of h.headers) {
    s += `${x.name}: ${x.value}\r\n`;
    htx += x.name.length + x.value.length;
  }
  return { wire: Buffer.from(s + '\r\n', 'latin1'), htxBytes: htx };
}

/** A request asking to switch protocols: an `Upgrade` header and `upgrade` in `Connection`. */
export function isUpgrade(headers: readonly { name: string; value: string }[]): boolean {
  return headers.some((h) => h.name === 'upgrade') && headers.some((h) => h.name === 'connection' && /(^|,)\s*upgrade\s*(,|$)/i.test(h.value));
}
