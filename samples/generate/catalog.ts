/**
 * What the generated traffic is made of: proxies, servers, clients, user agents, pages. All of
 * it is turned into bytes once, here; the scenarios only pick indices.
 */
import { NO_SERVER } from '../../proxy/log/format/fields.js';
import { bytes } from './byte-writer.js';
import { captureBytes, requestBytes } from './escape.js';
import type { Prng } from './prng.js';

/** Capture lengths of the corpus configuration (`capture request header Host len 40`, ...). */
export const CAPTURE_LEN = { host: 40, userAgent: 128, referer: 64, contentType: 32 } as const;

/** A `backend/server` pair as logged (`bk_app/app1`, `fe_web/<NOSRV>`), with a small id for lookups. */
export interface Server {
  readonly id: number;
  readonly text: Buffer;
}

export interface Backend {
  readonly name: Buffer;
  readonly servers: readonly Server[];
  /** `backend/<NOSRV>`: the backend was chosen but had no usable server. */
  readonly nosrv: Server;
  /** `cookie SERVERID insert indirect nocache`: the 3rd/4th termination letters are used. */
  readonly cookie: boolean;
}

export interface Frontend {
  readonly id: number;
  readonly name: Buffer;
  /** `frontend/<NOSRV>`: answered by the frontend itself (deny, tarpit, redirect, bad request). */
  readonly nosrv: Server;
}

let serverCount = 0;
function server(text: string): Server {
  return { id: serverCount++, text: bytes(text) };
}

function backend(name: string, servers: string[], cookie = false): Backend {
  return { name: bytes(name), servers: servers.map((s) => server(`${name}/${s}`)), nosrv: server(`${name}/${NO_SERVER}`), cookie };
}

export const BACKENDS = {
  app: backend('bk_app', ['app1', 'app2', 'app3', 'app4'], true),
  static: backend('bk_static', ['static1', 'static2']),
  api: backend('bk_api', ['api1', 'api2', 'api3']),
  report: backend('bk_report', ['rep1']),
  legacy: backend('bk_legacy', ['legacy1']),
  old: backend('bk_old', []),
  tcp: backend('bk_tcp', ['tcp1', 'tcp2', 'tcp3']),
} as const;

let frontendCount = 0;
/** `name~` marks an SSL listener (logformat.md, field 4); the `<NOSRV>` backend name has no `~`. */
function frontend(name: string): Frontend {
  return { id: frontendCount++, name: bytes(name), nosrv: server(`${name.replace(/~$/, '')}/${NO_SERVER}`) };
}

export const FRONTENDS = {
  web: frontend('fe_web'),
  webSsl: frontend('fe_web~'),
  api: frontend('fe_api'),
  tcp: frontend('fe_tcp'),
} as const;

const routes: Buffer[] = [];
/** ` frontend backend/server ` with both spaces, built once per pair. */
export function routeBytes(fe: Frontend, srv: Server): Buffer {
  const k = fe.id * 256 + srv.id;
  let b = routes[k];
  if (b === undefined) {
    b = Buffer.concat([bytes(' '), fe.name, bytes(' '), srv.text, bytes(' ')]);
    routes[k] = b;
  }
  return b;
}

/** Host header values, by index (HOST.www, ...). */
const HOST_VALUES = ['www.shop.test', 'shop.test', 'api.shop.test', '203.0.113.10:443'];
export const HOST = { www: 0, bare: 1, api: 2, ip: 3 } as const;

/** Browsers, bots, tools; a few carry `"`, `#`, `|` that HAProxy escapes, and many exceed 128 bytes. */
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.7',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/119.0',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.4.0',
  'python-requests/2.31.0',
  'okhttp/4.12.0',
  'Go-http-client/1.1',
  'ShopApp/5.2.1 (iOS 17.1; iPhone14,2) "beta"',
  'sqlmap/1.7.2#stable (https://sqlmap.org)',
  'Mozilla/5.0 {probe|scan} "zgrab"/0.x',
  '',
];

/** The first BROWSER_UA_COUNT of USER_AGENTS are browsers (most traffic), the rest bots and tools. */
export const BROWSER_UA_COUNT = 7;
export const USER_AGENT_COUNT = USER_AGENTS.length;
/** Index of the first API-client user agent (curl ... ShopApp). */
export const API_UA_FIRST = 10;
/** Attack-tool user agents (sqlmap, zgrab): `hostile: false` gives their clients a browser's. */
export const TOOL_UA_FIRST = 15;
export const TOOL_UA_END = 17;

const REFERERS = [
  '',
  'http://www.shop.test/',
  'http://www.shop.test/products/',
  'https://www.shop.test/cart;jsessionid=0A1B2C3D4E5F',
  'https://www.google.com/search?q=shop+test+"discount"',
  'https://www.bing.com/search?q=shop%20test&form=QBLH#results',
  'https://news.example.org/a/very/long/path/to/an/article/about/shopping/that/gets/truncated?utm_source=x',
];
export const REFERER_COUNT = REFERERS.length;

/**
 * The request capture block is written in three precomputed pieces: `{host|user-agent|` (per
 * host and user agent), `referer} {` (per referer) and `content-type} "` (per content type).
 */
export const CAPTURE_HEADS: readonly (readonly Buffer[])[] = HOST_VALUES.map((h) =>
  USER_AGENTS.map((ua) =>
    Buffer.concat([bytes('{'), captureBytes(h, CAPTURE_LEN.host), bytes('|'), captureBytes(ua, CAPTURE_LEN.userAgent), bytes('|')]),
  ),
);
export const REFERER_TAILS: readonly Buffer[] = REFERERS.map((r) => Buffer.concat([captureBytes(r, CAPTURE_LEN.referer), bytes('} {')]));

function contentType(v: string): Buffer {
  return Buffer.concat([captureBytes(v, CAPTURE_LEN.contentType), bytes('} "')]);
}

/** Response `{Content-Type}` capture values, each with the `} "` that follows it. */
export const CONTENT_TYPES = {
  none: contentType(''),
  html: contentType('text/html'),
  htmlUtf8: contentType('text/html; charset=utf-8'),
  css: contentType('text/css'),
  js: contentType('application/javascript'),
  png: contentType('image/png'),
  jpeg: contentType('image/jpeg'),
  icon: contentType('image/x-icon'),
  text: contentType('text/plain'),
  csv: contentType('text/csv'),
  json: contentType('application/json'),
  binary: contentType('application/octet-stream'),
  longJson: contentType('application/vnd.shop.v2+json; charset=utf-8'),
} as const;

/** Static files with a typical size; `/static/...` goes to bk_static. */
export interface StaticFile {
  readonly path: Buffer;
  readonly size: number;
  readonly type: Buffer;
}

function staticFile(path: string, size: number, type: Buffer): StaticFile {
  return { path: requestBytes(path), size, type };
}

export const STATIC_FILES: readonly StaticFile[] = [
  staticFile('/static/css/theme.css', 18433, CONTENT_TYPES.css),
  staticFile('/static/css/print.css', 2211, CONTENT_TYPES.css),
  staticFile('/static/js/vendor.js', 187342, CONTENT_TYPES.js),
  staticFile('/static/js/app.js', 43120, CONTENT_TYPES.js),
  staticFile('/static/js/app.3f9c2e1b.js', 51877, CONTENT_TYPES.js),
  staticFile('/static/img/logo.png', 7342, CONTENT_TYPES.png),
  staticFile('/static/img/banner.jpg', 96411, CONTENT_TYPES.jpeg),
  staticFile('/static/fonts/inter.woff2', 31544, CONTENT_TYPES.binary),
  staticFile('/favicon.ico', 1150, CONTENT_TYPES.icon),
  staticFile('/robots.txt', 68, CONTENT_TYPES.text),
];

/** Product images: `/static/img/p<id>.jpg`. */
export const PRODUCT_IMAGE = { prefix: bytes('/static/img/p'), suffix: bytes('.jpg') };

/** Fixed app pages. */
export const APP_PAGES: readonly Buffer[] = ['/', '/products/', '/about.html', '/contact.html', '/blog/', '/faq.html'].map(
  requestBytes,
);

/** Paths denied by `http-request deny` (403 PR). */
export const DENIED_PATHS: readonly Buffer[] = [
  '/admin',
  '/admin/login',
  '/.git/config',
  '/.env',
  '/wp-admin/',
  '/phpmyadmin/index.php',
  '/server-status',
].map(requestBytes);

/** Traversal attempts rejected with `deny_status 400` (400 PR). */
export const TRAVERSAL_PATHS: readonly Buffer[] = [
  '/../../etc/passwd',
  '/static/../../../etc/shadow',
  '/download?file=../../../../etc/passwd',
  '/img/..%2f..%2f..%2fetc/hosts',
].map(requestBytes);

/** Tarpitted script probes (500 PT). */
export const TARPIT_PATHS: readonly Buffer[] = [
  '/wp-login.php',
  '/xmlrpc.php',
  '/cgi-bin/test.cgi',
  '/index.asp',
  '/backup.php?cmd=id',
  '/shell.jsp',
].map(requestBytes);

/** Paths the app answers 404 (scanners, broken links, typos); some carry `"` and `#` (encoded). */
export const NOT_FOUND_PATHS: readonly Buffer[] = [
  '/backup.zip',
  '/old-site/index.html',
  '/products/item-0.html',
  '/blog/post-9999.html',
  '/config.json',
  '/.well-known/security.txt',
  '/download/?x="',
  '/search?q="><script>alert(1)</script>',
  '/page#section',
  '/%E2%82%AC/price',
].map(requestBytes);

/**
 * The 404s of ordinary visitors with `hostile: false`: broken links and typos, none of the
 * probe-like paths above (backup archives, config files, an XSS-looking search).
 */
export const BENIGN_NOT_FOUND_PATHS: readonly Buffer[] = [
  '/old-site/index.html',
  '/products/item-0.html',
  '/blog/post-9999.html',
  '/.well-known/security.txt',
  '/page#section',
  '/%E2%82%AC/price',
].map(requestBytes);

/** Search words for `/search?q=`. */
export const SEARCH_WORDS: readonly Buffer[] = [
  'shoes',
  'red+dress',
  'laptop',
  'usb-c+cable',
  'gift%20card',
  'coffee',
  'tent',
  'book',
].map(requestBytes);

/** Client addresses: a Zipf-like pool, most traffic from few hosts, a long tail of one-timers. */
export interface ClientPool {
  /** `address:` (the port follows), per client. */
  readonly addresses: readonly Buffer[];
  /** The user agent each client always sends (index into the capture tables). */
  readonly userAgent: Uint8Array;
  /** `SESSIONID=<22 hex>`, the application session of each client. */
  readonly session: readonly Buffer[];
  /** Source port of each client's current keep-alive connection (changed by the scenarios). */
  readonly port: Uint16Array;
}

function hash(n: number, salt: number): number {
  let h = Math.imul(n ^ salt, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * `count` distinct addresses: IPv4 from private/test ranges and every 16th one IPv6
 * (`2001:db8::a:b`, printed without brackets as HAProxy does), `::1` first. 90 % of clients
 * are browsers; the user agent and session id of a client never change.
 */
export function clientPool(prng: Prng, count: number): ClientPool {
  const seen = new Set<string>();
  const names: string[] = ['::1'];
  const v4Prefixes = ['10', '172.16', '192.168', '198.51.100', '203.0.113', '100.64'];
  seen.add('::1');
  while (names.length < count) {
    let a: string;
    if (names.length % 16 === 5) {
      a = `2001:db8::${prng.below(65536).toString(16)}:${prng.below(65536).toString(16)}`;
    } else {
      const prefix = v4Prefixes[prng.below(v4Prefixes.length)]!;
      const parts = prefix.split('.');
      while (parts.length < 4) parts.push(String(prng.range(parts.length === 3 ? 1 : 0, 254)));
      a = parts.join('.');
    }
    if (seen.has(a)) continue;
    seen.add(a);
    names.push(a);
  }
  const userAgent = new Uint8Array(count);
  const session: Buffer[] = [];
  // One backing Buffer for all session cookies: 50 000 small Buffers would be 50 000 allocations.
  const sessions = Buffer.allocUnsafe(count * 32);
  for (let i = 0; i < count; i++) {
    const h = hash(i, 0x51ed);
    userAgent[i] = h % 10 !== 0 ? h % BROWSER_UA_COUNT : BROWSER_UA_COUNT + (h % (USER_AGENT_COUNT - BROWSER_UA_COUNT));
    const text = `SESSIONID=${hash(i, 1).toString(16).padStart(8, '0')}${hash(i, 2).toString(16).padStart(8, '0')}${hash(i, 3).toString(16).padStart(8, '0').slice(0, 6)}`;
    sessions.write(text, i * 32, 'latin1');
    session.push(sessions.subarray(i * 32, i * 32 + text.length));
  }
  const port = new Uint16Array(count);
  for (let i = 0; i < count; i++) port[i] = prng.range(1024, 65535);
  return { addresses: names.map((a) => bytes(`${a}:`)), userAgent, session, port };
}
