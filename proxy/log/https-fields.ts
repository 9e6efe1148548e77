/**
 * The two fields `option httpslog` adds after the request (HAProxy 2.6 log.c):
 * `%[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc`
 * e.g. `0/0000000000000000/0/0/0 example.com/TLSv1.3/TLS_AES_256_GCM_SHA384`. A session only
 * exists after a successful handshake, so the error fields are 0 (no client certificates are
 * requested); `-` for an absent SNI. Constant per connection: computed once.
 */
import type { TLSSocket } from 'node:tls';

export function httpsLogFields(sock: TLSSocket): string {
  const sni = (sock as TLSSocket & { servername?: string | false }).servername || '-';
  const version = sock.getProtocol?.() ?? '-';
  const cipher = sock.getCipher?.()?.name ?? '-';
  const resumed = sock.isSessionReused?.() ? 1 : 0;
  return `0/0000000000000000/0/0/${resumed} ${sni}/${version}/${cipher}`;
}
