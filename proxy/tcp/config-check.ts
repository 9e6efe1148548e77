/**
 * What a `mode tcp` proxy may hold. HAProxy ignores HTTP-only settings there with a warning
 * (same words as HAProxy 2.6's `haproxy -c`), and haloscope does the same; what HAProxy would
 * still act on and haloscope cannot (content switching on anything but `src`) is an alert.
 */
import { ProxyErrorCode as E, type ConfigLocation } from '../errors.js';
import type { DraftProxy } from '../config/draft.js';

/** ACL criteria that need no HTTP parsing: they can route a TCP connection. */
const TCP_CRITERIA = new Set(['src', 'always_true', 'always_false']);

export function checkTcpProxy(
  p: DraftProxy,
  loc: string,
  alert: (code: E, where: ConfigLocation, detail: string) => void,
  warn: (where: ConfigLocation, message: string) => void,
): void {
  if (p.kind !== 'backend') {
    if (p.httplog) warn(p.where, `'option httplog' not usable with ${loc} (needs 'mode http'). Falling back to 'option tcplog'.`);
    else if (!p.tcplog && p.logs.length > 0) warn(p.where, `${loc} : no 'option tcplog'; haloscope only produces the tcplog format in 'mode tcp' and uses it`);
    if (p.requestCaptures.length || p.responseCaptures.length || p.cookieCapture) warn(p.where, `'capture' ignored for ${loc} as it requires HTTP mode.`);
    for (const u of p.useBackends) {
      const bad = u.cond?.anyOf.flat().flatMap((t) => t.tests).find((t) => !TCP_CRITERIA.has(t.criterion));
      if (bad) alert(E.E_CONFIG_UNSUPPORTED, u.where, `${loc} : 'use_backend ${u.backend}' : criterion '${bad.criterion}' needs HTTP; in 'mode tcp' haloscope only routes on 'src'`);
    }
  }
  if (p.cookie) alert(E.E_CONFIG_UNSUPPORTED, p.where, `${loc} : cookie persistence needs 'mode http'; use 'stick on src' or 'balance source' in 'mode tcp'`);
  if (p.kind !== 'frontend' && ['uri', 'url_param', 'hdr'].includes(p.balance.algorithm)) {
    warn(p.where, `Layer 7 hash not possible for proxy '${p.name}' (needs 'mode http'). Falling back to round robin.`);
    p.balance = { algorithm: 'roundrobin', arg: null };
  }
  if (p.httpRequestRules.length) warn(p.where, `'http-request' rules ignored for ${loc} as they require HTTP mode.`);
  if (p.forwardfor) warn(p.where, `'option forwardfor' ignored for ${loc} as it requires HTTP mode.`);
}
