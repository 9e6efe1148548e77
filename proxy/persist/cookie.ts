/**
 * Cookie persistence, `cookie <name> [insert|rewrite|prefix] [indirect] [nocache] [postonly]
 * [preserve] [httponly] [secure] [domain <d>]* [maxidle <t>] [maxlife <t>] [attr <a>]*` with
 * `server ... cookie <value>`, as HAProxy 2.6 does it (src/http_ana.c,
 * http_manage_client_side_cookies / http_manage_server_side_cookies and the insertion in
 * http_process_res_common). Checked against haproxy by test/proxy-persist/.
 *
 * Request: each `Cookie` header is scanned cookie by cookie. The persistence cookie's value
 * (`srv`, `srv|lastseen|firstseen` with dates, `srv~appvalue` in prefix mode) designates the
 * first usable server with that `cookie` (`V`), else a DOWN/disabled one (`D`), else nothing
 * (`I`); a `maxlife`/`maxidle` date too old, or more than a day ahead, makes it `O`/`E`. Blanks
 * around `=` are removed from every cookie; with `insert indirect` the persistence cookie is cut
 * out of the header (the header goes when nothing else remains); in prefix mode `srv~` is.
 *
 * Response: a `Set-Cookie` of that name is left alone with `preserve` (`P`), removed in insert
 * mode or with `indirect` on a direct hit (`D`), rewritten to the server's value (`rewrite`) or
 * prefixed with `value~` (`prefix`) (`R`), else passed on (`P`). In insert mode a cookie is
 * added unless the client came with a valid one whose dates need no refresh (`I`, or `U` when
 * only the dates changed), with `cache-control: private` after it under `nocache` when the
 * response was cacheable.
 *
 * The letters are the 3rd and 4th characters of the termination state, `-` when the cookie
 * has none of insert/rewrite/prefix/indirect (HAProxy's PR_CK_ANY), although it still works.
 */
import type { ClientCookieState, ServerCookieState } from '../log/format/termination.js';
import type { CookieConfig } from '../config/types.js';
import type { Header } from '../http/parser.js';
import { responseCacheable } from './cacheability.js';
import { cookieValueEnd, decodeDate30, deleteValue, encodeDate30, isSpHt, listValueEnd } from './cookie-text.js';

export interface CookieServer {
  readonly cookie: string | null;
  readonly usable: boolean;
}

export interface RequestCookie<S extends CookieServer> {
  readonly state: ClientCookieState;
  /** The server the cookie designates, when usable (`V`): the request goes to it directly. */
  readonly server: S | null;
  /** The request headers to forward. */
  readonly headers: readonly Header[];
  /** Dates read from the cookie (Unix seconds, 0 = none), for the response's refresh. */
  readonly lastSeen: number;
  readonly firstSeen: number;
}

/** What the response side needs to know about the request. */
export interface CookieRequestFacts {
  readonly method: string;
  /** The request went to the server its cookie designated (no redispatch since). */
  readonly direct: boolean;
  readonly lastSeen: number;
  readonly firstSeen: number;
}

/** Cookies in the future by more than this are refused (lets admins fix clock skews). */
const MAX_FUTURE_S = 86_400;
/** `server ... cookie` without a value: the inserted cookie erases the client's. */
const ERASE = '=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/';

/** Whether the log shows the cookie letters (HAProxy's PR_CK_ANY). */
export function cookieLogged(cfg: CookieConfig): boolean {
  return cfg.mode !== 'passive' || cfg.indirect;
}

/** Wall-clock seconds: HAProxy's cookie dates are Unix times. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function requestCookie<S extends CookieServer>(cfg: CookieConfig, headers: readonly Header[], servers: readonly S[], now: number): RequestCookie<S> {
  const scan: ScanState<S> = { state: 'N', server: null, lastSeen: 0, firstSeen: 0 };
  const out: Header[] = [];
  for (const h of headers) {
    if (h.name !== 'cookie') {
      out.push(h);
      continue;
    }
    const value = scanCookieHeader(cfg, h.value, servers, now, scan);
    if (value === h.value) out.push(h);
    else if (value) out.push({ name: h.name, value });
  }
  return { state: cookieLogged(cfg) ? scan.state : '-', server: scan.server, headers: out, lastSeen: scan.lastSeen, firstSeen: scan.firstSeen };
}

interface ScanState<S> {
  state: ClientCookieState;
  server: S | null;
  lastSeen: number;
  firstSeen: number;
}

/** One `name=value` of a cookie header, as offsets into its text (HAProxy's att/val pointers). */
interface CookieAttr {
  attBeg: number;
  attEnd: number;
  equal: number;
  valBeg: number;
  valEnd: number;
  /** Where the value ends (its delimiter), = equal when there is no value. */
  next: number;
}

const newAttr = (): CookieAttr => ({ attBeg: 0, attEnd: 0, equal: 0, valBeg: 0, valEnd: 0, next: 0 });

/**
 * Reads the attribute that starts at `prev` (just after its delimiter unless `first`), blanks
 * around the name and the value left out, into `a`. The name ends at '=' or ';', and at ','
 * where commas separate cookies (`Cookie`, `Set-Cookie2`; a `Set-Cookie` date has commas).
 */
function readAttr(s: string, prev: number, first: boolean, commaEnds: boolean, a: CookieAttr): void {
  let attBeg = first ? prev : prev + 1;
  while (attBeg < s.length && isSpHt(s[attBeg])) attBeg++;
  let equal = attBeg;
  let attEnd = attBeg;
  while (equal < s.length) {
    const c = s[equal]!;
    if (c === '=' || c === ';' || (commaEnds && c === ',')) break;
    equal++;
    if (!isSpHt(c)) attEnd = equal;
  }
  a.attBeg = attBeg;
  a.attEnd = attEnd;
  a.equal = equal;
  if (equal < s.length && s[equal] === '=') {
    let valBeg = equal + 1;
    while (valBeg < s.length && isSpHt(s[valBeg])) valBeg++;
    const next = cookieValueEnd(s, valBeg, s.length);
    let valEnd = next;
    while (valEnd > valBeg && isSpHt(s[valEnd - 1])) valEnd--;
    a.valBeg = valBeg;
    a.valEnd = valEnd;
    a.next = next;
  } else a.valBeg = a.valEnd = a.next = equal;
}

/** Removes the blanks around the '=' of `a` (HAProxy does it to every cookie it parses): the new text with `a` moved, or null when there were none. */
function tightenEquals(s: string, a: CookieAttr): string | null {
  if (a.attEnd === a.equal && a.valBeg <= a.equal + 1) return null;
  const shift = a.attEnd + 1 - a.valBeg;
  const out = s.slice(0, a.attEnd) + '=' + s.slice(a.valBeg);
  a.equal = a.attEnd;
  a.valBeg += shift;
  a.valEnd += shift;
  a.next += shift;
  return out;
}

/** One `Cookie` header value: updates `st`, returns the value to forward ('' = drop it). */
function scanCookieHeader<S extends CookieServer>(cfg: CookieConfig, value: string, servers: readonly S[], now: number, st: ScanState<S>): string {
  let s = value;
  // a persistence cookie waiting to be cut out (insert indirect): where its delimiter is
  let delFrom = -1;
  // something else must stay, so the header cannot simply be dropped
  let keep = false;
  const a = newAttr();
  for (let prev = 0, next = 0, first = true; prev < s.length; prev = next, first = false) {
    readAttr(s, prev, first, true, a);
    next = a.next;
    // RFC 2109 `$Path`-style attributes belong to the cookie before them
    if (s[a.attBeg] === '$') continue;
    const noValue = a.equal === next;
    if (!noValue) {
      // blanks around '=' are removed, from every cookie of the header
      const tight = tightenEquals(s, a);
      if (tight !== null) {
        s = tight;
        next = a.next;
      }
    }
    const { attBeg, attEnd, valBeg, valEnd } = a;

    if (noValue || attEnd - attBeg !== cfg.name.length || !s.startsWith(cfg.name, attBeg)) {
      // another cookie, or one without '=', is kept; a pending removal is done now, as HAProxy does
      keep = true;
      if (delFrom >= 0) {
        const d = deleteValue(s, delFrom, prev);
        s = d.s;
        next += d.delta;
        delFrom = -1;
      }
      continue;
    }

    // the persistence cookie: `srv[|last[|first]]`, or `srv~appvalue` in prefix mode
    let delim = valEnd;
    if (cfg.mode === 'prefix') {
      const t = s.indexOf('~', valBeg);
      if (t >= 0 && t < valEnd) delim = t;
    } else {
      const bar = s.indexOf('|', valBeg);
      if (bar >= 0 && bar < valEnd) {
        delim = bar;
        if (valEnd - (bar + 1) >= 5) {
          const v = decodeDate30(s, bar + 1);
          if (v > 0) st.lastSeen = (v << 2) >>> 0;
        }
        const bar2 = s.indexOf('|', bar + 1);
        if (bar2 >= 0 && bar2 < valEnd && valEnd - bar2 > 5) {
          const v = decodeDate30(s, bar2 + 1);
          if (v > 0) st.firstSeen = (v << 2) >>> 0;
        }
      }
    }
    // HAProxy compares 32-bit signed differences: `| 0` keeps its wrap-around
    if (st.firstSeen && cfg.maxlife && (((now - st.firstSeen) | 0) > cfg.maxlife || ((st.firstSeen - now) | 0) > MAX_FUTURE_S)) {
      st.state = 'O';
      delim = valBeg;
      st.firstSeen = st.lastSeen = 0;
    } else if (st.lastSeen && cfg.maxidle && (((now - st.lastSeen) | 0) > cfg.maxidle || ((st.lastSeen - now) | 0) > MAX_FUTURE_S)) {
      st.state = 'E';
      delim = valBeg;
      st.firstSeen = st.lastSeen = 0;
    }
    // the first usable server with this value wins, so that servers may share one; an empty
    // value designates nobody (a cookie-less backup must not attract clients), nor does a
    // second persistence cookie once one has chosen
    let found = false;
    if (delim !== valBeg && st.server === null) {
      const id = s.slice(valBeg, delim);
      for (const srv of servers) {
        if (srv.cookie !== id) continue;
        if (srv.usable) {
          st.state = 'V';
          st.server = srv;
          found = true;
          break;
        }
        st.state = 'D';
      }
    }
    if (!found && st.state === 'N') st.state = st.server ? 'U' : 'I';

    if (cfg.mode === 'prefix' && delim !== valEnd) {
      // the server gets its own cookie back, without `srv~`
      s = s.slice(0, valBeg) + s.slice(delim + 1);
      next += valBeg - (delim + 1);
      delFrom = -1;
      keep = true;
    } else if (delFrom < 0 && cfg.mode === 'insert' && cfg.indirect) delFrom = prev;
  }
  if (delFrom >= 0) s = keep ? s.slice(0, delFrom) : '';
  return s;
}

export function responseCookie(cfg: CookieConfig, status: number, headers: readonly Header[], server: CookieServer, req: CookieRequestFacts, now: number): { headers: readonly Header[]; state: ServerCookieState } {
  let state: ServerCookieState = 'N';
  // the caller's array comes back untouched when nothing changes (no copy, and the caller can tell)
  let out: (Header | null)[] | null = null;
  // HAProxy goes through the Set-Cookie headers first, then the Set-Cookie2 ones
  for (const cookie2 of [false, true]) {
    const name = cookie2 ? 'set-cookie2' : 'set-cookie';
    for (let i = 0; i < headers.length; i++) {
      const h = out ? out[i] : headers[i];
      if (h?.name !== name) continue;
      const r = scanSetCookie(cfg, h.value, cookie2, server, req.direct);
      if (r.state) state = r.state;
      if (r.value === h.value) continue;
      out ??= [...headers];
      out[i] = r.value === null ? null : { name: h.name, value: r.value };
    }
  }
  let result: readonly Header[] = out ? out.filter((h): h is Header => h !== null) : headers;
  // a cookie is due when the client had no valid one, or its dates must change: last seen in
  // the past (or missing under maxidle), first seen to add (maxlife) or to drop (no maxlife)
  const refresh =
    !req.direct ||
    ((cfg.maxidle || req.lastSeen) && (!req.lastSeen || req.lastSeen - now < 0)) ||
    (cfg.maxlife && !req.firstSeen) ||
    (!cfg.maxlife && req.firstSeen);
  if (cfg.mode === 'insert' && !(state === 'P' && cfg.preserve) && refresh && (!cfg.postonly || req.method === 'POST')) {
    result = [...result, { name: 'set-cookie', value: insertedCookie(cfg, server, req, now) }];
    state = server.cookie !== null && req.direct ? 'U' : 'I';
    // HTTP/1.0 caches store Set-Cookie too; `private` is understood by all of them
    if (cfg.nocache && responseCacheable(req.method, status, headers)) result = [...result, { name: 'cache-control', value: 'private' }];
  }
  return { headers: result, state: cookieLogged(cfg) ? state : '-' };
}

function insertedCookie(cfg: CookieConfig, server: CookieServer, req: CookieRequestFacts, now: number): string {
  let v: string;
  if (server.cookie === null) v = cfg.name + ERASE;
  else {
    v = `${cfg.name}=${server.cookie}`;
    if (cfg.maxidle || cfg.maxlife) {
      // dates in 4-second units, rounded up
      const stamp = Math.floor((now + 3) / 4);
      v += '|' + encodeDate30(stamp);
      if (cfg.maxlife) v += '|' + encodeDate30(req.firstSeen ? req.firstSeen >>> 2 : stamp);
    }
    v += '; path=/';
  }
  for (const d of cfg.domains) v += `; domain=${d}`;
  if (cfg.httponly) v += '; HttpOnly';
  if (cfg.secure) v += '; Secure';
  for (const a of cfg.attrs) v += `; ${a}`;
  return v;
}

/**
 * One `Set-Cookie` (one cookie, attributes after it) or `Set-Cookie2` (comma-separated cookies)
 * value. Returns the value to send (null = drop the header) and the state the last persistence
 * cookie in it left (null = none seen).
 */
function scanSetCookie(cfg: CookieConfig, value: string, cookie2: boolean, server: CookieServer, direct: boolean): { value: string | null; state: ServerCookieState | null } {
  let s = value;
  // HAProxy cuts a cookie out of a Set-Cookie2 list without shortening the header: the old
  // bytes past the new end stay in it (`SRV=x, b=2` becomes `b=2=x, b=2`)
  let stale = '';
  let state: ServerCookieState | null = null;
  const a = newAttr();
  for (let prev = 0, next = 0, first = true; prev < s.length; prev = next, first = false) {
    readAttr(s, prev, first, cookie2, a);
    next = a.next;
    // the attributes after the cookie are skipped: up to the next cookie (Set-Cookie2) or the
    // end (Set-Cookie, whose Expires dates contain commas)
    if (next < s.length) next = a.next = cookie2 ? listValueEnd(s, next, s.length) : s.length;
    if (a.equal === a.valEnd) continue;
    // blanks around '=' go, and here the header is resized to its real end
    const tight = tightenEquals(s, a);
    if (tight !== null) {
      s = tight;
      stale = '';
      next = a.next;
    }
    const { attBeg, attEnd, valBeg, valEnd } = a;
    if (attEnd - attBeg !== cfg.name.length || !s.startsWith(cfg.name, attBeg)) continue;
    state = 'P';
    if (cfg.preserve) continue;
    if (cfg.mode === 'insert' || (direct && cfg.indirect)) {
      // the proxy owns this cookie (or the client must not learn it): removed
      state = 'D';
      if (prev === 0 && next === s.length) return { value: null, state };
      const d = deleteValue(s, prev, next);
      stale = (s + stale).slice(d.s.length);
      s = d.s;
      next = d.from;
    } else if (server.cookie !== null && cfg.mode === 'rewrite') {
      s = s.slice(0, valBeg) + server.cookie + s.slice(valEnd);
      next += server.cookie.length - (valEnd - valBeg);
      state = 'R';
    } else if (server.cookie !== null && cfg.mode === 'prefix') {
      s = s.slice(0, valBeg) + server.cookie + '~' + s.slice(valBeg);
      next += server.cookie.length + 1;
      state = 'R';
    }
  }
  return { value: s + stale, state };
}
