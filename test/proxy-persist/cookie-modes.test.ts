/**
 * Every cookie persistence mode against real HAProxy 2.6: `insert` (with `indirect`, `nocache`,
 * `postonly`, `preserve`, `httponly`, `secure`, `domain`, `attr`, `maxidle`, `maxlife`),
 * `rewrite`, `prefix`, and no mode at all (passive, `indirect` alone). The same configuration
 * runs in haproxy and in `haloscope proxy -f` (the compiled binary, as a process), in front of
 * one node backend whose responses are set by the query string (Set-Cookie, Set-Cookie2,
 * Cache-Control, Pragma, validators, status, a 101) and which reports the Cookie headers it
 * received. For each request both proxies must give the same response head (Date aside), the
 * backend must see the same Cookie headers, and the log lines (UDP syslog) must be equal once
 * the client port, dates, timer values and actconn/feconn are masked: the 3rd/4th termination
 * characters, server, status, %B and retries included. Cookie dates (`srv|last|first`) that
 * the proxies insert are checked to be the request's own time, then masked; dates sent by the
 * client stay as they are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { requireTool } from '../helpers/real-tools.js';
import { freePort, raw, startHaproxy, startOursProcess, startSyslog } from '../proxy/helpers/proxy-harness.js';

interface Req {
  /** First path segment, for the ACLs of the rule scenarios. */
  readonly tag?: string;
  readonly method?: string;
  /** Cookie header values, or a function of the test's start time in Unix seconds (dated cookies; both proxies get the same bytes). */
  readonly cookies?: readonly string[] | ((now: number) => readonly string[]);
  /** Response directives for the backend: sc (Set-Cookie), sc2, cc, pragma, h (`Name:value`), st. */
  readonly res?: Readonly<Record<string, string | readonly string[]>>;
  readonly upgrade?: boolean;
}

interface Scenario {
  readonly name: string;
  /** The proxy sections, given a name prefix, the port to bind, the server lines and a closed port. */
  readonly section: (px: string, port: number, servers: string, dead: number) => string;
  readonly reqs: readonly Req[];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** A cookie date as HAProxy writes it: Unix seconds / 4, rounded up, 30 bits in 5 characters. */
const date = (unix: number): string => {
  const v = Math.floor((unix + 3) / 4);
  let s = '';
  for (let shift = 24; shift >= 0; shift -= 6) s += B64[(v >>> shift) & 63];
  return s;
};
const undate = (s: string): number => [...s].reduce((a, c) => a * 64 + B64.indexOf(c), 0) * 4;

const listen = (lines: string) => (px: string, port: number, servers: string): string => `listen ${px}\n  bind 127.0.0.1:${port}\n${lines.replace(/^/gm, '  ')}\n${servers}`;

/** Cookie headers whose parsing, stripping and cutting must come out byte for byte. */
const ODD_COOKIES = [
  'SRV=c1; a=1',
  'a=1;SRV=c1',
  'a=1 ;  SRV=c1  ;b=2',
  'a=1, SRV=c1, b=2',
  'SRV=c1; foo; a=1',
  'foo; SRV=c1',
  'SRV=c1; $Path=/',
  '$Version=1; SRV=c1; $Path=/; a=1',
  'a="x;SRV=c2"; SRV=c1',
  'SRV=c1; SRV=c2; a=1',
  'SRV=zz; SRV=c2',
  'SRV=c3; SRV=zz',
  'SRV = c1',
  'a =1; SRV=c1',
  ';SRV=c1;',
  'a=1; SRV=c1; ',
  'srv=c1',
  'SRVX=c1; SRV=c2',
  'SRV',
  '=c1; SRV=c2',
  'a=1; SRV=c3; b=2; SRV=c1',
  'SRV="c1"',
];

const DATED: Req['cookies'][] = [
  () => ['SRV=c1'],
  (n) => [`SRV=c1|${date(n - 100)}`],
  (n) => [`SRV=c1|${date(n - 4000)}`],
  (n) => [`SRV=c1|${date(n + 600)}`],
  (n) => [`SRV=c1|${date(n + 90_000)}`],
  (n) => [`SRV=c1|${date(n - 100)}|${date(n - 1000)}`],
  (n) => [`SRV=c1|${date(n - 100)}|${date(n - 40_000)}`],
  (n) => [`SRV=c1|${date(n - 100)}|${date(n + 90_000)}`],
  (n) => [`SRV=c1|${date(n + 600)}|${date(n - 1000)}`],
  () => ['SRV=c1|AAAAA'],
  () => ['SRV=c1|#####'],
  () => ['SRV=c1|abc'],
  (n) => [`SRV=c1|${date(n - 100)}|AB`],
  (n) => [`SRV=zz|${date(n - 4000)}`],
  (n) => [`SRV=c3|${date(n - 100)}`],
  (n) => [`SRV=c3|${date(n - 4000)}`],
  (n) => [`SRV=c2|${date(n - 4000)}|${date(n - 40_000)}`],
  (n) => [`a=1; SRV=c1|${date(n - 4000)}; b=2`],
];

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'insert-indirect-nocache',
    section: listen('cookie SRV insert indirect nocache'),
    reqs: [
      {},
      { res: { cc: 'max-age=60' } },
      { res: { cc: 'public' } },
      { method: 'POST', res: { cc: 'public, max-age=60' } },
      { method: 'POST', res: { cc: 'max-age=60' } },
      { res: { h: 'ETag:"x"' } },
      { res: { h: 'Last-Modified:Mon, 01 Jan 2024 00:00:00 GMT' } },
      { res: { h: 'Expires:0' } },
      { res: { cc: 'max-age=60', pragma: 'no-cache' } },
      { res: { cc: ['max-age=60', 'private'] } },
      { res: { cc: 'Private, max-age=60' } },
      { res: { cc: 'max-age=0, s-maxage=60' } },
      { res: { cc: ['max-age=60', 'no-cache="set-cookie"'] } },
      { res: { cc: 'max-age=60', st: '302' } },
      { res: { cc: 'max-age=60', st: '404' } },
      { method: 'HEAD', res: { cc: 'max-age=60' } },
      { cookies: ['SRV=c2'], res: { cc: 'max-age=60' } },
      { cookies: ['a=1; SRV=c2; b=2'] },
      { cookies: ['SRV=c3'] },
      { cookies: ['SRV=zz'] },
      { cookies: ['SRV='] },
      { cookies: ['SRV=c2'], res: { sc: 'SRV=fromserver; path=/' } },
      { res: { sc: ['a=1', 'SRV=fromserver; path=/', 'b=2'] } },
      { cookies: ['SRV=c1', 'a=1', 'SRV=c2; b=2'] },
      ...ODD_COOKIES.map((c) => ({ cookies: [c] })),
    ],
  },
  {
    name: 'insert-preserve-attributes',
    section: listen('cookie SRV insert preserve httponly secure domain .example.com domain b.example.org attr SameSite=Lax attr Partitioned'),
    reqs: [{}, { cookies: ['SRV=c1'] }, { cookies: ['SRV=c1'], res: { sc: 'SRV=logout; Max-Age=0' } }, { res: { sc: 'SRV=x' } }, { cookies: ['SRV=c3'] }, { cookies: ['SRV=zz'], res: { sc: 'other=1' } }],
  },
  {
    name: 'insert-postonly',
    section: listen('cookie SRV insert postonly nocache'),
    reqs: [{}, { method: 'POST' }, { method: 'POST', res: { cc: 'public, max-age=5' } }, { res: { sc: 'SRV=x' } }, { method: 'POST', cookies: ['SRV=c1'] }],
  },
  {
    name: 'insert-maxidle-maxlife',
    section: listen('cookie SRV insert indirect maxidle 30m maxlife 8h'),
    reqs: [...DATED.map((cookies) => ({ cookies })), {}, { cookies: (n: number) => [`SRV=c1|${date(n - 100)}`], res: { sc: 'SRV=x' } }],
  },
  {
    name: 'insert-maxidle',
    section: listen('cookie SRV insert maxidle 1800'),
    reqs: DATED.map((cookies) => ({ cookies })),
  },
  {
    name: 'insert-no-dates',
    section: listen('cookie SRV insert indirect'),
    reqs: DATED.map((cookies) => ({ cookies })),
  },
  {
    name: 'rewrite',
    section: listen('cookie SRV rewrite'),
    reqs: [
      {},
      { res: { sc: 'SRV=abc; path=/' } },
      { cookies: ['SRV=c2'], res: { sc: 'SRV=abc; path=/' } },
      { cookies: ['a = 1 ; SRV = c2 ; b=2'], res: { sc: 'SRV = abc ; Secure' } },
      { res: { sc: ['SRV=', 'other=1', 'SRV=x'] } },
      { res: { sc: 'SRV="quoted;value"; HttpOnly' } },
      { cookies: ['SRV=c3'], res: { sc: 'SRV=abc' } },
      { cookies: ['SRV=c1|abcde'] },
      { res: { sc2: 'a=1, SRV=x; Version=1, b=2' } },
      { res: { sc2: 'SRV=x, b=2', sc: 'SRV=y' } },
      ...ODD_COOKIES.slice(0, 8).map((c) => ({ cookies: [c] })),
    ],
  },
  {
    name: 'prefix',
    section: listen('cookie JSESSIONID prefix'),
    reqs: [
      { res: { sc: 'JSESSIONID=abc; path=/' } },
      { cookies: ['JSESSIONID=c2~abc'], res: { sc: 'JSESSIONID=def' } },
      { cookies: ['x=1; JSESSIONID=c2~abc; y=2'] },
      { cookies: ['JSESSIONID=c3~abc'] },
      { cookies: ['JSESSIONID=zz~abc'] },
      { cookies: ['JSESSIONID=~abc'] },
      { cookies: ['JSESSIONID=abc'] },
      { cookies: ['JSESSIONID=c1'] },
      { cookies: ['JSESSIONID=c2~a~b'] },
      { cookies: ['JSESSIONID = c2~abc ; z'] },
      { cookies: ['JSESSIONID=c1~x'], res: { sc: 'JSESSIONID=' } },
      { res: { sc: 'JSESSIONID="q;x"; Secure' } },
      ...ODD_COOKIES.map((c) => ({ cookies: [c.replaceAll('SRV', 'JSESSIONID').replaceAll('c1', 'c1~v')] })),
    ],
  },
  {
    name: 'prefix-indirect',
    section: listen('cookie JSESSIONID prefix indirect'),
    reqs: [{ res: { sc: 'JSESSIONID=abc' } }, { cookies: ['JSESSIONID=c1~abc'], res: { sc: 'JSESSIONID=new' } }, { cookies: ['JSESSIONID=zz~abc'], res: { sc: 'JSESSIONID=new' } }],
  },
  {
    name: 'passive',
    section: listen('cookie SRV'),
    reqs: [{}, { cookies: ['SRV=c1'] }, { cookies: ['SRV=c1'], res: { sc: 'SRV=other' } }, { res: { sc: 'SRV=c2' } }, { cookies: ['SRV=c3'] }],
  },
  {
    name: 'indirect-only',
    section: listen('cookie SRV indirect'),
    reqs: [{}, { cookies: ['SRV=c1'] }, { cookies: ['SRV=c1'], res: { sc: 'SRV=logout' } }, { res: { sc: 'SRV=c2' } }, { cookies: ['SRV=zz'], res: { sc: 'SRV=c2' } }, { cookies: ['SRV=c3'] }],
  },
  {
    name: 'indirect-preserve',
    section: listen('cookie SRV indirect preserve'),
    reqs: [{ cookies: ['SRV=c1'], res: { sc: 'SRV=logout' } }, { res: { sc: 'SRV=c2' } }],
  },
  {
    name: 'listen-rules',
    section: listen('cookie SRV insert indirect\nhttp-request deny if { path_beg /deny }\nhttp-request redirect location /elsewhere if { path_beg /redir }'),
    reqs: [
      { tag: 'deny', cookies: ['SRV=c1'] },
      { tag: 'deny', cookies: ['SRV=c3'] },
      { tag: 'deny', cookies: ['SRV=zz'] },
      { tag: 'deny' },
      { tag: 'redir', cookies: ['SRV=c1'] },
    ],
  },
  {
    name: 'frontend-backend',
    section: (px, port, servers) =>
      `frontend ${px}\n  bind 127.0.0.1:${port}\n  http-request deny if { path_beg /deny }\n  use_backend ${px}-nock if { path_beg /nock }\n  default_backend ${px}-be\n` +
      `backend ${px}-be\n  cookie SRV insert indirect\n  http-request deny if { path_beg /bdeny }\n  http-request redirect location /elsewhere if { path_beg /redir }\n${servers}` +
      `backend ${px}-nock\n${servers}`,
    reqs: [
      { tag: 'deny', cookies: ['SRV=c1'] },
      { tag: 'nock', cookies: ['SRV=c1'], res: { sc: 'SRV=x' } },
      { tag: 'bdeny', cookies: ['SRV=c1'] },
      { tag: 'bdeny', cookies: ['SRV=c3'] },
      { tag: 'redir', cookies: ['SRV=c2'] },
      { cookies: ['SRV=c2'] },
    ],
  },
  {
    name: 'down-server',
    section: (px, port, _servers, dead) => `listen ${px}\n  bind 127.0.0.1:${port}\n  retries 0\n  cookie SRV insert indirect\n  server s5 127.0.0.1:${dead} cookie c5\n  server s6 127.0.0.1:${dead} cookie c6\n`,
    reqs: [{ cookies: ['SRV=c5'] }, {}, { cookies: ['SRV=zz'] }],
  },
  {
    name: 'redispatch',
    section: (px, port, servers, dead) => `listen ${px}\n  bind 127.0.0.1:${port}\n  retries 1\n  option redispatch\n  cookie SRV insert indirect maxidle 1h\n  server s5 127.0.0.1:${dead} cookie c5\n${servers}`,
    reqs: [{ cookies: ['SRV=c5'] }, { cookies: (n: number) => [`SRV=c5|${date(n - 100)}`] }, { cookies: ['SRV=c1'] }],
  },
  {
    name: 'shared-values',
    section: (px, port, servers, dead) => {
      const be = /127\.0\.0\.1:(\d+)/.exec(servers)![1];
      return `listen ${px}\n  bind 127.0.0.1:${port}\n  cookie SRV insert\n  server a 127.0.0.1:${be} cookie same disabled\n  server b 127.0.0.1:${be} cookie same\n  server c 127.0.0.1:${dead} cookie other disabled\n  server d 127.0.0.1:${be}\n`;
    },
    reqs: [{ cookies: ['SRV=same'] }, { cookies: ['SRV=other'] }, {}, {}],
  },
  {
    name: 'upgrade-insert',
    section: listen('cookie SRV insert indirect\ntimeout tunnel 2s'),
    reqs: [{ upgrade: true }, { upgrade: true, cookies: ['SRV=c1'] }, { upgrade: true, res: { sc: 'SRV=abc' } }],
  },
  {
    name: 'upgrade-rewrite',
    section: listen('cookie SRV rewrite\ntimeout tunnel 2s'),
    reqs: [{ upgrade: true, res: { sc: 'SRV=abc' } }, { upgrade: true, cookies: ['SRV=c2'], res: { sc: 'SRV=abc' } }],
  },
  {
    name: 'set-cookie2',
    section: listen('cookie SRV insert'),
    reqs: [
      { res: { sc2: 'a=1, SRV=x; Version=1, b=2' } },
      { res: { sc2: 'SRV=x, b=2', sc: 'SRV=y' } },
      { res: { sc2: 'a=1 , SRV=x' } },
      { res: { sc2: 'SRV=x, SRV=y, c=3' } },
      { res: { sc2: 'c = 3, SRV=x, SRV=y, c=3' } },
    ],
  },
];

/** The backend: answers as the query says; reports the Cookie headers it got in `x-saw`. */
function backend(): http.Server {
  const answer = (req: http.IncomingMessage): { status: number; headers: [string, string][] } => {
    const u = new URL(req.url ?? '/', 'http://x');
    const saw: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'cookie') saw.push(req.rawHeaders[i + 1]!);
    const headers: [string, string][] = [['X-Saw', JSON.stringify(saw)]];
    for (const v of u.searchParams.getAll('sc')) headers.push(['Set-Cookie', v]);
    for (const v of u.searchParams.getAll('sc2')) headers.push(['Set-Cookie2', v]);
    for (const v of u.searchParams.getAll('cc')) headers.push(['Cache-Control', v]);
    for (const v of u.searchParams.getAll('pragma')) headers.push(['Pragma', v]);
    for (const v of u.searchParams.getAll('h')) headers.push([v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)]);
    return { status: Number(u.searchParams.get('st') ?? 200), headers };
  };
  const server = http.createServer((req, res) => {
    const a = answer(req);
    res.writeHead(a.status, a.headers.flat());
    res.end('ok');
  });
  server.on('upgrade', (req: http.IncomingMessage, sock: net.Socket) => {
    const a = answer(req);
    sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: Upgrade\r\n${a.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`);
    setTimeout(() => sock.end(), 50);
  });
  return server;
}

/** One request's observable outcome, masked where the two proxies may legitimately differ. */
interface Outcome {
  readonly id: string;
  readonly head: readonly string[];
  readonly saw: string;
  readonly log: string;
}

async function runAll(kind: 'haproxy' | 'ours', ports: readonly number[], bePort: number, dead: number, start: number): Promise<Outcome[]> {
  const syslog = await startSyslog();
  const servers = `  server s1 127.0.0.1:${bePort} cookie c1\n  server s2 127.0.0.1:${bePort} cookie c2\n  server s3 127.0.0.1:${bePort} cookie c3 disabled\n  server s4 127.0.0.1:${bePort}\n`;
  const cfg =
    `global\n  log 127.0.0.1:${syslog.port} local0\ndefaults\n  mode http\n  log global\n  option httplog\n  timeout connect 300ms\n  timeout client 3s\n  timeout server 3s\n` +
    SCENARIOS.map((s, i) => s.section(`p${i}`, ports[i]!, servers, dead)).join('');
  const last = ports[ports.length - 1]!;
  const proc = kind === 'haproxy' ? await startHaproxy(cfg, last) : await startOursProcess(cfg, last);
  const out: Outcome[] = [];
  try {
    for (const [si, sc] of SCENARIOS.entries()) {
      for (const [ri, r] of sc.reqs.entries()) {
        const id = `/${r.tag ?? 'x'}/${sc.name}/${ri}/${kind}`;
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(r.res ?? {})) for (const x of typeof v === 'string' ? [v] : v) q.append(k, x);
        const uri = id + (q.size ? `?${q}` : '');
        const t0 = Date.now() / 1000;
        const cookies = typeof r.cookies === 'function' ? r.cookies(start) : r.cookies ?? [];
        const method = r.method ?? 'GET';
        const head =
          `${method} ${uri} HTTP/1.1\r\nHost: x\r\n${cookies.map((c) => `Cookie: ${c}\r\n`).join('')}` +
          (r.upgrade ? 'Upgrade: foo\r\nConnection: Upgrade\r\n' : 'Connection: close\r\n') +
          (method === 'POST' ? 'Content-Length: 0\r\n' : '') +
          '\r\n';
        const before = syslog.messages.length;
        const res = await raw(ports[si]!, [head]);
        const t1 = Date.now() / 1000;
        const mine = (m: Buffer): boolean => m.toString('latin1').includes(` ${id}`);
        while (!syslog.messages.slice(before).some(mine)) await syslog.waitFor(syslog.messages.length + 1);
        const log = syslog.messages
          .slice(before)
          .find(mine)!
          .toString('latin1')
          .replace(/^.*?\]: /, '')
          .replace(/:\d+ \[[^\]]+\]/, ':PORT [DATE]')
          .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+) /, (m) => ' ' + m.trim().split('/').map((v) => (v === '-1' ? v : 'T')).join('/') + ' ')
          // haproxy may count the previous, closing connection in actconn/feconn
          .replace(/ \d+\/\d+\/(\d+\/\d+\/\+?\d+) /, ' A/F/$1 ')
          .replace(`/${kind}`, '/X')
          .trimEnd();
        const lines = res.text.split('\r\n\r\n')[0]!.split('\r\n').filter((l) => !/^date:/i.test(l));
        const saw = lines.find((l) => /^x-saw:/i.test(l)) ?? 'x-saw: (no server response)';
        out.push({ id: id.replace(`/${kind}`, ''), head: lines.map((l) => maskDates(l, t0, t1)), saw, log });
      }
    }
  } finally {
    await proc.stop();
    syslog.close();
  }
  return out;
}

/** Dates in a persistence cookie the proxy set: `NOW` when they are the request's time. */
function maskDates(line: string, t0: number, t1: number): string {
  if (!/^set-cookie:/i.test(line)) return line;
  return line.replace(/\|([A-Za-z0-9+/]{5})/g, (m, d: string) => {
    const t = undate(d);
    return t >= Math.floor(t0) - 4 && t <= Math.ceil(t1) + 8 ? '|NOW' : m;
  });
}

test('cookie insert/rewrite/prefix/passive and their options: responses, forwarded cookies and log lines match real HAProxy 2.6', { timeout: 120_000 }, async (t) => {
  if (!requireTool(t, 'haproxy')) return;
  const be = backend();
  await new Promise<void>((r) => be.listen(0, '127.0.0.1', () => r()));
  const bePort = (be.address() as net.AddressInfo).port;
  // ports for both proxies and a closed one, taken before either proxy starts so that the
  // two cannot be handed the same port
  const ports: number[] = [];
  while (ports.length < 2 * SCENARIOS.length + 1) {
    const p = await freePort();
    if (p !== bePort && !ports.includes(p)) ports.push(p);
  }
  const dead = ports.pop()!;
  try {
    // client cookie dates are offsets of 100 s or more from this, far beyond the run's length
    const start = Math.floor(Date.now() / 1000);
    const [h, o] = await Promise.all([runAll('haproxy', ports.slice(0, SCENARIOS.length), bePort, dead, start), runAll('ours', ports.slice(SCENARIOS.length), bePort, dead, start)]);
    assert.equal(o.length, h.length);
    for (let i = 0; i < h.length; i++) assert.deepEqual(o[i], h[i], `request ${h[i]!.id}`);

    // the comparison covered what it is meant to cover
    const states = new Set(o.map((x) => / [-A-Za-z]{2}([-A-Z]{2}) A\/F\//.exec(x.log)?.[1]));
    for (const s of ['NI', 'NN', 'VN', 'VD', 'VU', 'VP', 'VR', 'NR', 'NP', 'ND', 'DI', 'DN', 'II', 'IN', 'IP', 'EI', 'OI', '--'])
      assert.ok(states.has(s), `cookie state ${s} exercised (seen: ${[...states].join(' ')})`);
    const text = o.map((x) => `${x.head.join('\n')}\n${x.saw}\n${x.log}`).join('\n');
    for (const needle of [
      'set-cookie: SRV=c1; path=/\ncache-control: private',
      'set-cookie: SRV=c1|NOW|NOW; path=/',
      'set-cookie: SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/',
      'set-cookie: SRV=c1; path=/; domain=.example.com; domain=b.example.org; HttpOnly; Secure; SameSite=Lax; Partitioned',
      'set-cookie: JSESSIONID=c1~abc; path=/',
      'x-saw: ["JSESSIONID=abc"]',
      'x-saw: ["a=1; b=2"]',
      'set-cookie: SRV=c2; path=/',
      'set-cookie2: b=2=x, b=2',
      ' PRVN ',
      ' LRNN ',
      ' PR-- ',
      ' SCVN ',
      '/+1 ',
      ' 101 ',
    ])
      assert.ok(text.includes(needle), `outcome with ${JSON.stringify(needle)}`);
    t.diagnostic(`${h.length} requests compared with haproxy across ${SCENARIOS.length} configurations`);
  } finally {
    be.close();
  }
});
