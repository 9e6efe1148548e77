/**
 * A fresh TCP connection to a server for a `mode tcp` session. Unlike the HTTP pool
 * (proxy/backend/connect.ts) there is no reuse, and the socket is half-open capable: a server
 * that ends its side still receives what the client sends (HAProxy forwards each shutdown
 * separately).
 */
import type net from 'node:net';
import { dial } from '../backend/dial.js';
import type { ServerState } from '../backend/server.js';

export type TcpConnectResult = net.Socket | 'refused' | 'timeout';

export function connectServer(s: ServerState, timeoutMs: number): Promise<TcpConnectResult> {
  return new Promise((resolve) => {
    const { sock, ready } = dial(s.host, s.port, s.tls, true);
    let timer: NodeJS.Timeout | null = null;
    const done = (r: TcpConnectResult): void => {
      if (timer) clearTimeout(timer);
      sock.removeListener('error', onError);
      sock.removeListener(ready, onConnect);
      resolve(r);
    };
    const onError = (): void => {
      sock.destroy();
      done('refused');
    };
    const onConnect = (): void => done(sock);
    sock.once('error', onError);
    sock.once(ready, onConnect);
    if (timeoutMs > 0)
      timer = setTimeout(() => {
        sock.destroy();
        done('timeout');
      }, timeoutMs);
  });
}
