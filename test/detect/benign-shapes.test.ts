/**
 * Benign traffic shapes that neither the corpus nor the sample generator has, each of which
 * once looked like an attack to a rule (or could): detect must flag none of them. Found by
 * running detect over generated logs of such clients (docs/detection.md, bruteforce.auth and
 * probe.backdoor).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge } from '../../halog/detect/verdict.js';
import { detect, http, T0, tcp, times } from './log-lines.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36';

interface Shape {
  readonly ip: string;
  readonly what: string;
  readonly lines: (ip: string) => { ms: number; line: string }[];
}

const at = (ms: number, line: string): { ms: number; line: string } => ({ ms, line });

const SHAPES: readonly Shape[] = [
  {
    ip: '192.0.2.10',
    what: 'a single-page app whose token expired: 60 x 401 in 2 minutes, then a refresh and 200s',
    lines: (ip) => [
      ...times(60, (i) => at(T0 + i * 2000, http({ ip, ms: T0 + i * 2000, port: 41000 + i, uri: `/api/v2/cart/items?page=${i % 3}`, status: 401, ua: CHROME }))),
      at(T0 + 121000, http({ ip, ms: T0 + 121000, request: 'POST /api/v2/auth/refresh HTTP/1.1', ua: CHROME })),
      ...times(200, (i) => at(T0 + 122000 + i * 3000, http({ ip, ms: T0 + 122000 + i * 3000, port: 42000 + i, uri: `/api/v2/cart/items?page=${i % 3}`, ua: CHROME }))),
    ],
  },
  {
    ip: '192.0.2.12',
    what: "the site's own WordPress admin, media page (/wp-admin/upload.php) included",
    lines: (ip) => times(300, (i) => {
      const ms = T0 + 10000 + i * 12000;
      const uri = ['/wp-admin/', '/wp-admin/edit.php', `/wp-admin/post.php?post=${i}&action=edit`, '/wp-admin/admin-ajax.php', '/wp-admin/upload.php'][i % 5]!;
      return at(ms, http({ ip, ms, port: 43000 + i, request: `${i % 4 === 3 ? 'POST' : 'GET'} ${uri} HTTP/1.1`, ua: CHROME }));
    }),
  },
  {
    ip: '192.0.2.13',
    what: 'searches whose words look like SQL, script or paths',
    lines: (ip) => {
      const qs = ['select+chairs', 'union+jacket', 'drop+earrings', 'o%27reilly+books', 'script+writing+guide', 'alert+bracelet', 'sleep+mask', 'order+by+price', 'table+and+chairs', 'or+1+year+warranty', 'etc+passwd+manager', 'shell+necklace', 'backup+drive', '%22running+shoes%22', 'rock+%26+roll', '%3Cbaby%3E+toys'];
      return times(160, (i) => at(T0 + i * 15000, http({ ip, ms: T0 + i * 15000, port: 44000 + i, uri: `/search?q=${qs[i % qs.length]}&page=${1 + (i % 3)}`, ua: CHROME })));
    },
  },
  {
    ip: '192.0.2.14',
    what: 'a feed reader polling 40 feeds every 10 minutes, 4 of them gone (404)',
    lines: (ip) => times(12 * 40, (i) => {
      const k = Math.floor(i / 40);
      const f = i % 40;
      const ms = T0 + k * 600000 + f * 500;
      return at(ms, http({ ip, ms, port: 45000 + i, uri: `/blog/feed/${f}.xml`, status: f < 36 ? (k ? 304 : 200) : 404, ua: 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 12 subscribers)' }));
    }),
  },
  {
    ip: '192.0.2.20',
    what: 'a browser with a stale page after a deploy: 24 old hashed assets (404) in a second',
    lines: (ip) => times(84, (i) => {
      const ms = i < 24 ? T0 + i * 40 : T0 + 5000 + (i - 24) * 40;
      return at(ms, http({ ip, ms, port: 46000 + (i % 6), uri: `/static/js/chunk-${(i * 7919).toString(16)}.js`, status: i < 24 ? 404 : 200, ua: CHROME }));
    }),
  },
  {
    ip: '192.0.2.21',
    what: 'an SEO crawler at 3 pages a second for 20 minutes, 6 % dead links',
    lines: (ip) => times(3600, (i) => {
      const ms = T0 + i * 333;
      return at(ms, http({ ip, ms, port: 47000 + (i % 4), uri: `/c/${Math.floor(i / 40)}/p-${i}`, status: i % 17 === 0 ? 404 : 200, ua: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)' }));
    }),
  },
  {
    ip: '192.0.2.24',
    what: 'a bulk API import: 3000 POSTs in 2 minutes over keep-alive connections',
    lines: (ip) => times(3000, (i) => at(T0 + i * 40, http({ ip, ms: T0 + i * 40, port: 48000 + Math.floor(i / 100), request: 'POST /api/v2/products HTTP/1.1', status: 201, ua: 'python-requests/2.31.0', host: 'api.shop.test' }))),
  },
  {
    ip: '192.0.2.15',
    what: 'an uptime service checking 5 URLs every minute',
    lines: (ip) => times(600, (i) => {
      const ms = T0 + Math.floor(i / 5) * 60000 + (i % 5) * 100;
      return at(ms, http({ ip, ms, port: 49000 + i, request: `HEAD ${['/', '/products/', '/cart', '/api/v2/health', '/login'][i % 5]} HTTP/1.1`, ua: 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)' }));
    }),
  },
  {
    ip: '192.0.2.30',
    what: "a load balancer's TCP health checks: connect and close every 2 s for 2 hours (no dontlognull)",
    lines: (ip) => times(3600, (i) => at(T0 + i * 2000, tcp({ ip, ms: T0 + i * 2000, port: 20000 + (i % 40000), term: i % 100 ? '--' : 'CD' }))),
  },
];

test('benign shapes: none of these clients is flagged, alone or all in one log', () => {
  const all: { ms: number; line: string }[] = [];
  for (const s of SHAPES) {
    const lines = s.lines(s.ip).sort((a, b) => a.ms - b.ms);
    all.push(...lines);
    const d = detect(lines.map((l) => l.line));
    const st = d.clients.get(s.ip);
    assert.ok(st, `${s.what}: the client is seen`);
    const j = judge(d, st);
    assert.equal(j.verdict, 'clean', `${s.what}: ${j.decisions.filter((x) => x.fired).map((x) => `${x.id} (${x.why()})`).join('; ')}`);
  }
  const d = detect(all.sort((a, b) => a.ms - b.ms).map((l) => l.line));
  const flagged = [...d.clients].filter(([, st]) => judge(d, st).verdict !== 'clean').map(([k]) => k);
  assert.deepEqual(flagged, []);
});
