/**
 * What the generated traffic is made of: proxies, servers, clients, user agents, pages. All of
 * it is turned into bytes once, here; the scenarios only pick indices.
 */
import { bytes } from './byte-writer.js';
import { captureBytes, requestBytes } from './escape.js';
import type { Prng } from './prng.js';

/** Capture lengths of the corpus configuration (`capture request header Host len 40`, ...). */
export const CAPTURE_LEN = { host: 40, userAgent: 128, referer: 64, contentType: 32 } as const;

export interface Backend {
  readonly name: Buffer;
  readonly servers: readonly Buffer[];
  /** `cookie SERVERID insert indirect nocache`: the 3rd/4th termination letters are used. */
  readonly cookie: boolean;
}

function backend(name: string, servers: string[], cookie = false): Backend {
  return { name: bytes(name), servers: servers.map(bytes), cookie };
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

export const FRONTENDS = {
  web: bytes('fe_web'),
  /** `~` suffix: the request came in on an SSL listener (logformat.md, field 4). */
  webSsl: bytes('fe_web~'),
  api: bytes('fe_api'),
  tcp: bytes('fe_tcp'),
} as const;

export const NOSRV = bytes('<NOSRV>');

export const HOSTS = {
  www: captureBytes('www.shop.test', CAPTURE_LEN.host),
  bare: captureBytes('shop.test', CAPTURE_LEN.host),
  api: captureBytes('api.shop.test', CAPTURE_LEN.host),
  ip: captureBytes('203.0.113.10:443', CAPTURE_LEN.host),
} as const;

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

export const USER_AGENT_BYTES = USER_AGENTS.map((ua) => captureBytes(ua, CAPTURE_LEN.userAgent));
/** Indices of USER_AGENTS that real browsers use (most traffic), the rest are bots and tools. */
export const BROWSER_UA_COUNT = 7;

const REFERERS = [
  '',
  'http://www.shop.test/',
  'http://www.shop.test/products/',
  'https://www.shop.test/cart;jsessionid=0A1B2C3D4E5F',
  'https://www.google.com/search?q=shop+test+"discount"',
  'https://www.bing.com/search?q=shop%20test&form=QBLH#results',
  'https://news.example.org/a/very/long/path/to/an/article/about/shopping/that/gets/truncated?utm_source=x',
];
export const REFERER_BYTES = REFERERS.map((r) => captureBytes(r, CAPTURE_LEN.referer));

export const CONTENT_TYPES = {
  none: captureBytes('', CAPTURE_LEN.contentType),
  html: captureBytes('text/html', CAPTURE_LEN.contentType),
  htmlUtf8: captureBytes('text/html; charset=utf-8', CAPTURE_LEN.contentType),
  css: captureBytes('text/css', CAPTURE_LEN.contentType),
  js: captureBytes('application/javascript', CAPTURE_LEN.contentType),
  png: captureBytes('image/png', CAPTURE_LEN.contentType),
  jpeg: captureBytes('image/jpeg', CAPTURE_LEN.contentType),
  icon: captureBytes('image/x-icon', CAPTURE_LEN.contentType),
  text: captureBytes('text/plain', CAPTURE_LEN.contentType),
  csv: captureBytes('text/csv', CAPTURE_LEN.contentType),
  json: captureBytes('application/json', CAPTURE_LEN.contentType),
  binary: captureBytes('application/octet-stream', CAPTURE_LEN.contentType),
  longJson: captureBytes('application/vnd.shop.v2+json; charset=utf-8', CAPTURE_LEN.contentType),
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
  readonly addresses: readonly Buffer[];
}

/**
 * `count` distinct addresses: IPv4 from the private/test ranges and every 16th one IPv6
 * (`2001:db8::a:b`, printed without brackets as HAProxy does). `::1` is included once.
 */
export function clientPool(prng: Prng, count: number): ClientPool {
  const seen = new Set<string>();
  const addresses: Buffer[] = [];
  const v4Prefixes = ['10', '172.16', '192.168', '198.51.100', '203.0.113', '100.64'];
  seen.add('::1');
  addresses.push(bytes('::1'));
  while (addresses.length < count) {
    let a: string;
    if (addresses.length % 16 === 5) {
      a = `2001:db8::${prng.below(65536).toString(16)}:${prng.below(65536).toString(16)}`;
    } else {
      const prefix = v4Prefixes[prng.below(v4Prefixes.length)]!;
      const parts = prefix.split('.');
      while (parts.length < 4) parts.push(String(prng.range(parts.length === 3 ? 1 : 0, 254)));
      a = parts.join('.');
    }
    if (seen.has(a)) continue;
    seen.add(a);
    addresses.push(bytes(a));
  }
  return { addresses };
}
