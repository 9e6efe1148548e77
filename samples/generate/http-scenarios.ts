/**
 * What happened in one HTTP session, as a table of weighted scenarios. Each scenario fills the
 * shared HttpRecord: who, where it was routed, the timers and the termination state HAProxy
 * would derive from those events, what was captured. Status / termination / timer combinations
 * follow the documented pairs (logformat.md section 3-4) and what the corpus shows, e.g. `sH--`
 * 504 with Tr = -1, `SC--` 503 with Tc = -1, `CR--` 400 `<BADREQ>` with -1/-1/-1/-1/Ta.
 */
import { ClientCookieState, ServerCookieState, SessionState, TerminationCause } from '../../proxy/log/format/termination.js';
import { bytes } from './byte-writer.js';
import {
  API_UA_FIRST,
  APP_PAGES,
  BACKENDS,
  BENIGN_NOT_FOUND_PATHS,
  BROWSER_UA_COUNT,
  CONTENT_TYPES,
  DENIED_PATHS,
  FRONTENDS,
  HOST,
  NOT_FOUND_PATHS,
  PRODUCT_IMAGE,
  REFERER_COUNT,
  SEARCH_WORDS,
  STATIC_FILES,
  TARPIT_PATHS,
  TOOL_UA_END,
  TOOL_UA_FIRST,
  TRAVERSAL_PATHS,
  USER_AGENT_COUNT,
  type Backend,
  type ClientPool,
} from './catalog.js';
import type { HttpRecord } from './http-line.js';
import { weightedTable, type Prng, type WeightedTable } from './prng.js';

export interface ScenarioContext {
  readonly prng: Prng;
  readonly r: HttpRecord;
  readonly clients: ClientPool;
  /** Active connections on the process (`%ac`), a bounded random walk. */
  load: number;
  /** Lines left in the current overload episode, during which requests queue (Tw, sq, bq > 0). */
  congestion: number;
  /**
   * false (`hostile: false`): no scanner pool, no attack-tool user agents, no probe-like 404s;
   * the tables without denies and tarpits are used (BENIGN_HTTP_SCENARIOS).
   */
  readonly hostile: boolean;
}

type Scenario = (c: ScenarioContext) => void;

const ALPHABETS = [TerminationCause, SessionState, ClientCookieState, ServerCookieState].map(
  (table) => new Set<string>(Object.values(table)),
);
const termCache = new Map<string, Buffer>();

/** A 4-letter `%tsc` as ` XXXX ` (with the spaces around it), checked against the alphabets of the log contract. */
export function term(code: string): Buffer {
  let b = termCache.get(code);
  if (b === undefined) {
    if (code.length !== 4 || [...code].some((ch, i) => !ALPHABETS[i]!.has(ch))) {
      throw new Error(`bug: '${code}' is not a termination state`);
    }
    b = bytes(` ${code} `);
    termCache.set(code, b);
  }
  return b;
}

const METHOD = { GET: bytes('GET '), POST: bytes('POST '), HEAD: bytes('HEAD '), PUT: bytes('PUT '), DELETE: bytes('DELETE ') };
const T = {
  normal: term('----'),
  newUser: term('--NI'),
  knownUser: term('--VN'),
  invalidCookie: term('--II'),
  serverTimeout: term('sH--'),
  serverAbortHeaders: term('SH--'),
  serverRefused: term('SC--'),
  serverTimeoutData: term('sD--'),
  clientAbortData: term('CD--'),
  clientTimeoutData: term('cD--'),
  clientAbortRequest: term('CR--'),
  requestTimeout: term('cR--'),
  denied: term('PR--'),
  tarpit: term('PT--'),
  local: term('LR--'),
};

const URL_PIECES = {
  productPrefix: bytes('/products/item-'),
  html: bytes('.html'),
  blogPrefix: bytes('/blog/post-'),
  search: bytes('/search?q='),
  page: bytes('&page='),
  cart: bytes('/cart;jsessionid='),
  checkout: bytes('/checkout;jsessionid='),
  step: bytes('?step='),
  orders: bytes('/account/orders/'),
  login: bytes('/login'),
  products: bytes('/products'),
  error: bytes('/error'),
  apiItem: bytes('/api/items/'),
  apiItemsQuery: bytes('/api/items?id='),
  apiItemsBad: bytes('/api/items?id=abc'),
  apiList: bytes('/api/list?page='),
  limit: bytes('&limit=50'),
  apiCart: bytes('/api/cart'),
  apiCartItem: bytes('/api/cart/'),
  apiUser: bytes('/api/v2/users/'),
  ordersSince: bytes('/orders?since=2026-'),
  report: bytes('/report?from=2026-'),
  to: bytes('&to=2026-'),
  reportBroken: bytes('/report/broken'),
  reportStall: bytes('/report/stall'),
  legacy: bytes('/legacy/invoice?id='),
  old: bytes('/old/status'),
  home: bytes('/home'),
  shop: bytes('/shop'),
  download: bytes('/download/archive.bin'),
  health: bytes('/healthz'),
  firstOfMonth: bytes('-01'),
  endOfMonth: bytes('-28'),
};

// ---- who --------------------------------------------------------------------------------

/** A regular visitor: Zipf-like client choice, a stable user agent and session id per client. */
function visitor(c: ScenarioContext, host: number): void {
  const { prng, r } = c;
  const clients = c.clients;
  const idx = prng.skewed3(clients.addresses.length);
  r.client = clients.addresses[idx]!;
  // Keep-alive: a client's requests share a connection (and source port) until it reconnects.
  if (prng.chance(0.3)) clients.port[idx] = prng.range(1024, 65535);
  r.port = clients.port[idx]!;
  r.userAgent = clients.userAgent[idx]!;
  if (!c.hostile && r.userAgent >= TOOL_UA_FIRST && r.userAgent < TOOL_UA_END) r.userAgent = idx % BROWSER_UA_COUNT;
  r.session = clients.session[idx]!;
  r.referer = prng.skewed2(REFERER_COUNT);
  r.host = host;
  r.requestCookie = prng.chance(0.8);
  r.responseCookie = false;
  r.captures = true;
  r.badRequest = false;
  r.frontend = prng.chance(0.3) ? FRONTENDS.webSsl : FRONTENDS.web;
  r.version = prng.chance(0.9) ? 0 : prng.chance(0.5) ? 1 : 2;
  r.method = METHOD.GET;
}

/** Scanners and probes: a few addresses near the head of the pool, tool user agents. */
function scanner(c: ScenarioContext): void {
  const { prng, r } = c;
  if (!c.hostile) {
    visitor(c, HOST.www);
    return;
  }
  visitor(c, prng.chance(0.5) ? HOST.ip : HOST.www);
  r.client = c.clients.addresses[1 + prng.below(12)]!;
  r.userAgent = BROWSER_UA_COUNT + 1 + prng.below(USER_AGENT_COUNT - BROWSER_UA_COUNT - 1);
  r.requestCookie = false;
  r.referer = 0;
}

// ---- where and when ---------------------------------------------------------------------

function server(c: ScenarioContext, b: Backend): void {
  c.r.server = b.servers[c.prng.below(b.servers.length)]!;
}

/** Answered by the frontend itself (deny, tarpit, redirect, bad request): `fe/<NOSRV>`. */
function frontendOnly(c: ScenarioContext): void {
  c.r.server = c.r.frontend.nosrv;
}

/** Connection counters; `share` of the frontend's connections are on this backend. */
function counters(c: ScenarioContext, share: number, servers: number): void {
  const { prng, r } = c;
  c.load += prng.below(5) - 2;
  if (c.load < 1) c.load = 1;
  if (c.load > 800) c.load = 800;
  r.ac = c.load;
  r.fc = c.load - prng.below(1 + (c.load >> 4));
  r.bc = share > 0 ? Math.max(1, Math.round(r.fc * share)) : 0;
  r.sc = servers > 0 ? Math.max(1, Math.ceil(r.bc / servers)) : 0;
  r.rc = 0;
  r.sq = 0;
  r.bq = 0;
}

/** TR/Tw/Tc/Tr/Ta for a request that reached a server; Ta = TR + Tw + Tc + Tr + data time. */
function timers(c: ScenarioContext, responseMedian: number, dataMedian: number): void {
  const { prng, r } = c;
  r.TR = prng.chance(0.9) ? 0 : prng.lognormal(3, 1.2);
  r.Tw = 0;
  // Rare connect times near 1 s / 3 s: SYN retransmits (configuration manual 8.4).
  r.Tc = prng.chance(0.999) ? prng.below(3) : prng.chance(0.7) ? 1000 + prng.below(5) : 3000 + prng.below(5);
  r.Tr = prng.lognormal(responseMedian, 1);
  r.Ta = r.TR + r.Tc + r.Tr + (dataMedian > 0 ? prng.lognormal(dataMedian, 1.2) : 0);
}

/** During an overload episode, a request to a busy backend may wait in a queue. */
function maybeQueue(c: ScenarioContext, servers: number): void {
  if (c.congestion <= 0) return;
  const { prng, r } = c;
  if (!prng.chance(0.4)) return;
  const wait = prng.lognormal(150, 1.3) + 1;
  r.Tw = wait;
  r.Ta += wait;
  // Position in the server queue (persistent / cookie-bound requests) or the backend queue.
  const where = prng.below(3);
  r.sq = where !== 1 ? 1 + prng.below(12) : 0;
  r.bq = where !== 0 ? 1 + prng.below(60) : 0;
  r.sc = 50;
  r.bc = Math.max(r.bc, 50 * servers);
  r.fc = Math.max(r.fc, r.bc);
  r.ac = Math.max(r.ac, r.fc);
}

/** bk_app's `cookie SERVERID insert indirect nocache`: flags from the client's cookie. */
function appCookie(c: ScenarioContext): void {
  const { prng, r } = c;
  if (!r.requestCookie) {
    r.termination = T.newUser;
    // A new visitor also gets the application's session cookie.
    r.responseCookie = true;
  } else {
    r.termination = prng.chance(0.995) ? T.knownUser : T.invalidCookie;
  }
}

function sized(c: ScenarioContext, size: number): number {
  return Math.max(0, size + c.prng.below(1 + (size >> 3)) - (size >> 4));
}

// ---- URLs -------------------------------------------------------------------------------

function hexId(c: ScenarioContext): void {
  c.r.url.hex(c.prng.u32(), 8);
  c.r.url.hex(c.prng.u32(), 8);
  c.r.url.hex(c.prng.u32(), 8);
  c.r.url.hex(c.prng.u32(), 8);
}

function appUrl(c: ScenarioContext): void {
  const { prng, r } = c;
  const u = r.url;
  const k = prng.below(20);
  if (k < 5) {
    u.put(APP_PAGES[prng.skewed2(APP_PAGES.length)]!);
  } else if (k < 11) {
    u.put(URL_PIECES.productPrefix);
    u.uint(1 + prng.skewed2(5000));
    u.put(URL_PIECES.html);
  } else if (k < 13) {
    u.put(URL_PIECES.blogPrefix);
    u.uint(1 + prng.below(300));
    u.put(URL_PIECES.html);
  } else if (k < 15) {
    u.put(URL_PIECES.search);
    u.put(SEARCH_WORDS[prng.below(SEARCH_WORDS.length)]!);
    u.put(URL_PIECES.page);
    u.uint(1 + prng.skewed3(20));
  } else if (k < 17) {
    u.put(prng.chance(0.6) ? URL_PIECES.cart : URL_PIECES.checkout);
    hexId(c);
    if (prng.chance(0.4)) {
      u.put(URL_PIECES.step);
      u.uint(1 + prng.below(3));
    }
  } else {
    u.put(URL_PIECES.orders);
    u.uint(100000 + prng.below(900000));
  }
}

function apiUrl(c: ScenarioContext): void {
  const { prng, r } = c;
  const u = r.url;
  const k = prng.below(10);
  if (k < 4) {
    u.put(URL_PIECES.apiItem);
    u.uint(1 + prng.skewed2(100000));
  } else if (k < 7) {
    u.put(URL_PIECES.apiItemsQuery);
    u.uint(1 + prng.skewed2(100000));
  } else if (k < 9) {
    u.put(URL_PIECES.apiList);
    u.uint(1 + prng.skewed3(40));
    u.put(URL_PIECES.limit);
  } else {
    u.put(URL_PIECES.apiUser);
    u.uint(1000 + prng.below(50000));
    u.put(URL_PIECES.ordersSince);
    u.padded(1 + prng.below(12), 2);
    u.byte(0x2d);
    u.padded(1 + prng.below(28), 2);
  }
}

// ---- scenarios --------------------------------------------------------------------------

function appPage(c: ScenarioContext): void {
  const r = c.r;
  visitor(c, c.prng.chance(0.95) ? HOST.www : HOST.bare);
  server(c, BACKENDS.app);
  counters(c, 0.5, 4);
  timers(c, 25, 2);
  maybeQueue(c, 4);
  appUrl(c);
  r.status = 200;
  r.bytesRead = sized(c, 4000 + c.prng.below(20000));
  r.contentType = c.prng.chance(0.7) ? CONTENT_TYPES.html : CONTENT_TYPES.htmlUtf8;
  appCookie(c);
}

function appStatus(status: number, size: number, url: (c: ScenarioContext) => void, method = METHOD.GET): Scenario {
  return (c) => {
    const r = c.r;
    visitor(c, HOST.www);
    server(c, BACKENDS.app);
    counters(c, 0.5, 4);
    timers(c, status >= 500 ? 60 : 10, 0);
    maybeQueue(c, 4);
    r.method = method;
    url(c);
    r.status = status;
    r.bytesRead = sized(c, size);
    r.contentType = status === 302 || status === 301 ? CONTENT_TYPES.none : CONTENT_TYPES.html;
    appCookie(c);
  };
}

function staticFileScenario(status: 200 | 304): Scenario {
  return (c) => {
    const { prng, r } = c;
    visitor(c, HOST.www);
    server(c, BACKENDS.static);
    counters(c, 0.3, 2);
    timers(c, 1, status === 200 ? 3 : 0);
    maybeQueue(c, 2);
    let size: number;
    if (prng.chance(0.25)) {
      r.url.put(PRODUCT_IMAGE.prefix);
      r.url.uint(1 + prng.skewed2(5000));
      r.url.put(PRODUCT_IMAGE.suffix);
      size = 20000 + prng.below(180000);
      r.contentType = CONTENT_TYPES.jpeg;
    } else {
      const f = STATIC_FILES[prng.skewed(STATIC_FILES.length, 1.5)]!;
      r.url.put(f.path);
      size = f.size;
      r.contentType = f.type;
    }
    r.status = status;
    if (status === 304) {
      r.bytesRead = 200 + prng.below(30);
      r.contentType = CONTENT_TYPES.none;
    } else {
      r.bytesRead = size + 250 + prng.below(40);
    }
    r.termination = T.normal;
  };
}

function apiCall(status: number, method: Buffer, size: number): Scenario {
  return (c) => {
    const { prng, r } = c;
    visitor(c, HOST.api);
    r.frontend = FRONTENDS.api;
    // API clients are apps and scripts, not browsers.
    r.userAgent = API_UA_FIRST + prng.below(5);
    r.referer = 0;
    r.requestCookie = false;
    server(c, BACKENDS.api);
    counters(c, 0.4, 3);
    timers(c, status >= 500 ? 120 : 8, 0);
    maybeQueue(c, 3);
    r.method = method;
    if (method === METHOD.POST) r.url.put(URL_PIECES.apiCart);
    else if (method === METHOD.DELETE || method === METHOD.PUT) {
      r.url.put(URL_PIECES.apiCartItem);
      r.url.uint(1 + prng.below(500));
    } else if (status === 404) r.url.put(URL_PIECES.apiItemsBad);
    else apiUrl(c);
    r.status = status;
    r.bytesRead = status === 204 ? 120 + prng.below(10) : sized(c, size);
    r.contentType = status === 204 ? CONTENT_TYPES.none : prng.chance(0.8) ? CONTENT_TYPES.json : CONTENT_TYPES.longJson;
    r.termination = T.normal;
  };
}

function notFound(c: ScenarioContext): void {
  const { prng, r } = c;
  if (prng.chance(0.6)) scanner(c);
  else visitor(c, HOST.www);
  const app = prng.chance(0.5);
  server(c, app ? BACKENDS.app : BACKENDS.static);
  counters(c, 0.3, 2);
  timers(c, 2, 0);
  const paths = c.hostile ? NOT_FOUND_PATHS : BENIGN_NOT_FOUND_PATHS;
  r.url.put(paths[prng.below(paths.length)]!);
  r.status = 404;
  r.bytesRead = sized(c, 270);
  r.contentType = CONTENT_TYPES.html;
  r.termination = app ? (r.requestCookie ? T.knownUser : T.newUser) : T.normal;
  r.responseCookie = false;
}

/** `http-request deny` (403) or `deny_status 400`: decided in the frontend, 0/-1/-1/-1/0 PR--. */
function denied(status: 403 | 400): Scenario {
  return (c) => {
    const { prng, r } = c;
    scanner(c);
    frontendOnly(c);
    counters(c, 0, 0);
    r.TR = prng.chance(0.95) ? 0 : 1 + prng.below(3);
    r.Tw = -1;
    r.Tc = -1;
    r.Tr = -1;
    r.Ta = r.TR;
    r.url.put(status === 403 ? DENIED_PATHS[prng.below(DENIED_PATHS.length)]! : TRAVERSAL_PATHS[prng.below(TRAVERSAL_PATHS.length)]!);
    r.status = status;
    r.bytesRead = status === 403 ? 192 : 187;
    r.contentType = CONTENT_TYPES.none;
    r.termination = T.denied;
  };
}

/** `http-request tarpit`: held for `timeout tarpit` (1 s) in Tw, then 500 PT--. */
function tarpit(c: ScenarioContext): void {
  const { prng, r } = c;
  scanner(c);
  frontendOnly(c);
  counters(c, 0, 0);
  r.TR = -1;
  r.Tw = 1000 + prng.below(4);
  r.Tc = -1;
  r.Tr = -1;
  r.Ta = r.Tw;
  r.url.put(TARPIT_PATHS[prng.below(TARPIT_PATHS.length)]!);
  r.status = 500;
  r.bytesRead = 208;
  r.contentType = CONTENT_TYPES.none;
  r.termination = T.tarpit;
}

/** `http-request redirect`: answered locally, LR--. */
function localRedirect(status: 301 | 302): Scenario {
  return (c) => {
    const r = c.r;
    visitor(c, HOST.www);
    frontendOnly(c);
    counters(c, 0, 0);
    r.TR = 0;
    r.Tw = -1;
    r.Tc = -1;
    r.Tr = -1;
    r.Ta = 0;
    r.url.put(status === 301 ? URL_PIECES.home : URL_PIECES.shop);
    r.status = status;
    r.bytesRead = status === 301 ? 73 : 91;
    r.contentType = CONTENT_TYPES.none;
    r.termination = T.local;
  };
}

/** No complete request: 400 CR-- (closed) or 408 cR-- (`timeout http-request` 2 s); no captures. */
function badRequest(status: 400 | 408): Scenario {
  return (c) => {
    const { prng, r } = c;
    if (prng.chance(0.5)) scanner(c);
    else visitor(c, HOST.www);
    frontendOnly(c);
    counters(c, 0, 0);
    r.TR = -1;
    r.Tw = -1;
    r.Tc = -1;
    r.Tr = -1;
    r.Ta = status === 408 ? 2000 + prng.below(3) : prng.chance(0.7) ? 0 : prng.below(500);
    r.status = status;
    r.bytesRead = 0;
    r.requestCookie = false;
    r.captures = false;
    r.badRequest = true;
    r.termination = status === 408 ? T.requestTimeout : T.clientAbortRequest;
  };
}

function reportCall(c: ScenarioContext): void {
  const { prng, r } = c;
  visitor(c, HOST.www);
  server(c, BACKENDS.report);
  counters(c, 0.02, 1);
  r.url.put(URL_PIECES.report);
  r.url.padded(1 + prng.below(6), 2);
  r.url.put(URL_PIECES.firstOfMonth);
  r.url.put(URL_PIECES.to);
  r.url.padded(7 + prng.below(6), 2);
  r.url.put(URL_PIECES.endOfMonth);
  r.termination = T.normal;
}

function report(kind: 'ok' | 'timeout' | 'broken' | 'stall'): Scenario {
  return (c) => {
    const { prng, r } = c;
    reportCall(c);
    r.TR = 0;
    r.Tw = 0;
    r.Tc = prng.below(2);
    r.contentType = CONTENT_TYPES.csv;
    switch (kind) {
      case 'ok':
        r.Tr = prng.lognormal(300, 0.6);
        r.Ta = r.Tc + r.Tr + prng.below(20);
        r.status = 200;
        r.bytesRead = sized(c, 40000);
        break;
      case 'timeout': // `timeout server 1s`: no headers in time
        r.Tr = -1;
        r.Ta = r.Tc + 1000 + prng.below(3);
        r.status = 504;
        r.bytesRead = 198;
        r.contentType = CONTENT_TYPES.none;
        r.termination = T.serverTimeout;
        break;
      case 'broken': // server closed before answering
        r.url.pos = 0;
        r.url.put(URL_PIECES.reportBroken);
        r.Tr = -1;
        r.Ta = r.Tc + 1 + prng.below(3);
        r.status = 502;
        r.bytesRead = 209;
        r.contentType = CONTENT_TYPES.none;
        r.termination = T.serverAbortHeaders;
        break;
      case 'stall': // headers sent, then the body stalls past `timeout server`
        r.url.pos = 0;
        r.url.put(URL_PIECES.reportStall);
        r.Tr = 1 + prng.below(3);
        r.Ta = r.Tc + r.Tr + 1000 + prng.below(4);
        r.status = 200;
        r.bytesRead = 739;
        r.termination = T.serverTimeoutData;
        break;
    }
  };
}

/** Nothing listens behind bk_legacy: connect refused 3 times (retries 3), 503 SC-- with Tc = -1. */
function legacyRefused(c: ScenarioContext): void {
  const { prng, r } = c;
  visitor(c, HOST.www);
  server(c, BACKENDS.legacy);
  counters(c, 0.01, 1);
  r.rc = 3;
  r.TR = 0;
  r.Tw = 0;
  r.Tc = -1;
  r.Tr = -1;
  r.Ta = 3000 + prng.below(10);
  r.url.put(URL_PIECES.legacy);
  r.url.uint(1 + prng.below(999));
  r.status = 503;
  r.bytesRead = 217;
  r.contentType = CONTENT_TYPES.none;
  r.termination = T.serverRefused;
}

/** bk_old has no server up: `bk_old/<NOSRV>` 0/-1/-1/-1/0 503 SC--. */
function noServer(c: ScenarioContext): void {
  const r = c.r;
  visitor(c, HOST.www);
  r.server = BACKENDS.old.nosrv;
  counters(c, 0, 0);
  r.TR = 0;
  r.Tw = -1;
  r.Tc = -1;
  r.Tr = -1;
  r.Ta = 0;
  r.url.put(URL_PIECES.old);
  r.status = 503;
  r.bytesRead = 217;
  r.contentType = CONTENT_TYPES.none;
  r.termination = T.serverRefused;
}

/** Large download the client aborts (CD--) or stops reading until `timeout client` (cD--). */
function download(kind: 'abort' | 'timeout'): Scenario {
  return (c) => {
    const { prng, r } = c;
    visitor(c, HOST.www);
    server(c, BACKENDS.static);
    counters(c, 0.3, 2);
    timers(c, 1, 0);
    r.url.put(URL_PIECES.download);
    r.status = 200;
    r.contentType = CONTENT_TYPES.binary;
    if (kind === 'abort') {
      r.Ta += prng.below(400);
      r.bytesRead = 10000 + prng.below(6000000);
      r.termination = T.clientAbortData;
    } else {
      r.Ta += 3000 + prng.below(3);
      r.bytesRead = 65000 + prng.below(400000);
      r.termination = T.clientTimeoutData;
    }
  };
}

/** Monitoring: `HEAD /healthz` from two fixed addresses with curl, no session. */
function healthCheck(c: ScenarioContext): void {
  const { prng, r } = c;
  visitor(c, HOST.www);
  r.client = c.clients.addresses[13 + prng.below(2)]!;
  r.userAgent = API_UA_FIRST;
  r.referer = 0;
  r.requestCookie = false;
  r.frontend = FRONTENDS.web;
  server(c, BACKENDS.app);
  counters(c, 0.5, 4);
  timers(c, 1, 0);
  r.method = METHOD.HEAD;
  r.url.put(URL_PIECES.health);
  r.status = 200;
  r.bytesRead = 150 + prng.below(10);
  r.contentType = CONTENT_TYPES.text;
  appCookie(c);
}

function loginUrl(c: ScenarioContext): void {
  c.r.url.put(URL_PIECES.login);
}

function productsNoSlash(c: ScenarioContext): void {
  c.r.url.put(URL_PIECES.products);
}

function errorUrl(c: ScenarioContext): void {
  c.r.url.put(URL_PIECES.error);
}

const DENY_403 = denied(403);
const DENY_400 = denied(400);
/** What only attackers get: HAProxy's denies and tarpits. */
const HOSTILE_SCENARIOS: ReadonlySet<Scenario> = new Set([DENY_403, DENY_400, tarpit]);

/** Weights are per mille of HTTP lines, roughly a busy shop with background scanning. */
const HTTP_SCENARIO_WEIGHTS: readonly [Scenario, number][] = [
  [appPage, 400],
  [staticFileScenario(200), 200],
  [staticFileScenario(304), 80],
  [healthCheck, 5],
  [apiCall(200, METHOD.GET, 900), 120],
  [apiCall(201, METHOD.POST, 139), 15],
  [apiCall(204, METHOD.DELETE, 0), 4],
  [apiCall(200, METHOD.PUT, 160), 3],
  [apiCall(400, METHOD.GET, 180), 4],
  [apiCall(404, METHOD.GET, 160), 5],
  [apiCall(500, METHOD.GET, 240), 3],
  [appStatus(302, 350, loginUrl, METHOD.POST), 12],
  [appStatus(401, 420, loginUrl, METHOD.POST), 8],
  [appStatus(301, 320, productsNoSlash), 5],
  [appStatus(500, 690, errorUrl), 2],
  [notFound, 40],
  [DENY_403, 8],
  [DENY_400, 2],
  [tarpit, 2],
  [localRedirect(301), 4],
  [localRedirect(302), 2],
  [badRequest(400), 8],
  [badRequest(408), 3],
  [report('ok'), 3],
  [report('timeout'), 3],
  [report('broken'), 1.5],
  [report('stall'), 1],
  [legacyRefused, 3],
  [noServer, 2],
  [download('abort'), 2],
  [download('timeout'), 1],
];

export const HTTP_SCENARIOS: WeightedTable<Scenario> = weightedTable<Scenario>(HTTP_SCENARIO_WEIGHTS);
/** `hostile: false`: the same shop without the attackers' scenarios. */
export const BENIGN_HTTP_SCENARIOS: WeightedTable<Scenario> = weightedTable<Scenario>(HTTP_SCENARIO_WEIGHTS.filter(([s]) => !HOSTILE_SCENARIOS.has(s)));

export type { Scenario };
