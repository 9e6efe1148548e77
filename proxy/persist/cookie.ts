/**
 * Cookie persistence, `cookie <name> insert [indirect]` + `server ... cookie <value>`, as
 * HAProxy 2.6 does it (checked by test/proxy-persist/cookie-insert.test.ts):
 * - request: the persistence cookie names a usable server -> that server, state `V`; a
 *   server that is DOWN or disabled -> `D`, an unknown value -> `I`, no cookie -> `N`
 *   (the balancer picks). With `indirect` the cookie is removed before the request goes to
 *   the server (the whole `Cookie` header when it was alone).
 * - response: unless the client sent a valid cookie, `set-cookie: <name>=<value>; path=/` is
 *   added (`I`); a cookie of that name set by the server is removed (`D` when nothing is
 *   inserted), else `N`. `%B` counts the server's response head as received (HAProxy counts
 *   the bytes before the cookie is inserted or removed).
 * The letters are the 3rd and 4th characters of the termination state.
 */
import type { ClientCookieState, ServerCookieState } from '../log/format/termination.js';
import type { CookieConfig } from '../config/types.js';
import type { Header } from '../http/parser.js';

export interface CookieServer {
  readonly cookie: string | null;
  readonly usable: boolean;
}

export interface RequestCookie<S extends CookieServer> {
  readonly state: ClientCookieState;
  /** The server the cookie designates, when usable (`V`). */
  readonly server: S | null;
  /** The request headers to send (the cookie removed with `indirect`). */
  readonly headers: readonly Header[];
}

export function requestCookie<S extends CookieServer>(cfg: CookieConfig, headers: readonly Header[], servers: readonly S[]): RequestCookie<S> {
  let value: string | null = null;
  const out: Header[] = [];
  for (const h of headers) {
    if (h.name !== 'cookie') {
      out.push(h);
      continue;
    }
    const kept: string[] = [];
    for (const part of h.value.split(';')) {
      const p = part.trim();
      const eq = p.indexOf('=');
      if (eq > 0 && p.slice(0, eq) === cfg.name && value === null) value = p.slice(eq + 1);
      else if (p) kept.push(p);
      else continue;
      if (!cfg.indirect && eq > 0 && p.slice(0, eq) === cfg.name) kept.push(p);
    }
    if (!cfg.indirect) out.push(h);
    else if (kept.length) out.push({ name: h.name, value: kept.join('; ') });
  }
  if (value === null) return { state: 'N', server: null, headers: out };
  const s = servers.find((x) => x.cookie !== null && x.cookie === value);
  if (!s) return { state: 'I', server: null, headers: out };
  if (!s.usable) return { state: 'D', server: null, headers: out };
  return { state: 'V', server: s, headers: out };
}

export function responseCookie(cfg: CookieConfig, headers: readonly Header[], server: CookieServer, clientState: ClientCookieState): { headers: readonly Header[]; state: ServerCookieState } {
  // in insert mode HAProxy owns the cookie: one the server sets is removed, indirect or not
  let removed = false;
  const out = headers.filter((h) => {
    if (h.name !== 'set-cookie') return true;
    const eq = h.value.indexOf('=');
    const mine = eq > 0 && h.value.slice(0, eq).trim() === cfg.name;
    if (mine) removed = true;
    return !mine;
  });
  if (clientState !== 'V' && server.cookie !== null) return { headers: [...out, { name: 'set-cookie', value: `${cfg.name}=${server.cookie}; path=/` }], state: 'I' };
  return { headers: out, state: removed ? 'D' : 'N' };
}
