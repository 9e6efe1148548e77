/**
 * Opens the transport to a server: plain TCP, or TLS with `server ... ssl [verify none|required]
 * [ca-file <f>] [sni str(<name>)]`. With `verify required` the chain must lead to the CA file;
 * the host name is checked only against an explicit `sni` (HAProxy 2.6 does not check it
 * without `verifyhost`/`sni`). The socket is ready at `ready` ('connect' or 'secureConnect').
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ServerTlsConfig } from '../config/types.js';

export function dial(
  host: string,
  port: number,
  serverTls: ServerTlsConfig | null,
  allowHalfOpen: boolean,
  onread?: net.OnReadOpts,
): { sock: net.Socket; ready: 'connect' | 'secureConnect' } {
  // `onread` (clear text only): reads go to that callback, into caller-provided memory, without 'data' events
  if (!serverTls) return { sock: net.connect(onread ? { host, port, noDelay: true, allowHalfOpen, onread } : { host, port, noDelay: true, allowHalfOpen }), ready: 'connect' };
  const opts: tls.ConnectionOptions & { allowHalfOpen: boolean } = { host, port, allowHalfOpen, rejectUnauthorized: serverTls.verify };
  if (serverTls.ca) opts.ca = serverTls.ca;
  if (serverTls.sni) opts.servername = serverTls.sni;
  else opts.checkServerIdentity = () => undefined;
  const sock = tls.connect(opts);
  sock.setNoDelay(true);
  return { sock, ready: 'secureConnect' };
}
