/**
 * Opens (or reuses) a TCP connection to a server. Raw `net` sockets rather than undici: the
 * log needs the connect time of each request (Tc), whether the server refused (SC), timed out
 * (sC), closed before the response headers (SH) or during the data (SD), the exact bytes of
 * the response head to re-serialize, and the request bytes streamed without re-encoding.
 * undici's Pool hides connection establishment and reuse behind request(), and reports these
 * cases as generic SocketError/other-side-closed errors, so the states cannot be told apart.
 */
import type net from 'node:net';
import { dial } from './dial.js';
import type { ServerState } from './server.js';

export type ConnectResult = { readonly sock: net.Socket; readonly reused: boolean } | 'refused' | 'timeout';

/** Idle connections kept per server; beyond that they are closed. */
const MAX_IDLE_PER_SERVER = 64;

export function takeIdle(s: ServerState): net.Socket | null {
  for (;;) {
    const sock = s.idle.pop();
    if (!sock) return null;
    sock.removeAllListeners('close');
    sock.removeAllListeners('error');
    sock.removeAllListeners('data');
    if (!sock.destroyed && sock.readyState === 'open') return sock;
    sock.destroy();
  }
}

export function putIdle(s: ServerState, sock: net.Socket): void {
  if (sock.destroyed || s.idle.length >= MAX_IDLE_PER_SERVER) {
    sock.destroy();
    return;
  }
  sock.removeAllListeners('data');
  sock.removeAllListeners('end');
  sock.removeAllListeners('close');
  sock.removeAllListeners('error');
  sock.removeAllListeners('drain');
  sock.setTimeout(0);
  const drop = (): void => {
    const i = s.idle.indexOf(sock);
    if (i >= 0) s.idle.splice(i, 1);
    sock.destroy();
  };
  sock.on('close', drop);
  sock.on('error', drop);
  sock.on('data', drop); // a server must not speak on an idle connection
  sock.resume();
  s.idle.push(sock);
}

export function connect(s: ServerState, timeoutMs: number, allowReuse: boolean): Promise<ConnectResult> {
  if (allowReuse) {
    const idle = takeIdle(s);
    if (idle) return Promise.resolve({ sock: idle, reused: true });
  }
  return new Promise((resolve) => {
    const { sock, ready } = dial(s.host, s.port, s.tls, false);
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
    const onConnect = (): void => done({ sock, reused: false });
    sock.once('error', onError);
    sock.once(ready, onConnect);
    if (timeoutMs > 0)
      timer = setTimeout(() => {
        sock.destroy();
        done('timeout');
      }, timeoutMs);
  });
}
