/**
 * The stats page against real HAProxy 2.6: same configuration, same traffic, then the `;csv`
 * export must have HAProxy's exact header, the same rows in the same order, the same number
 * of columns, and the same values in the columns that do not depend on timing or on the
 * process (states, weights, ids, checks, per-server and per-backend traffic). The 401
 * challenge must be byte-identical, and the stats requests logged the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { freePort, haproxyAvailable, raw, startHaproxy, startOurs, startSyslog, type SyslogReceiver } from '../proxy/helpers/proxy-harness.js';
import { parseCsv } from './stats-csv.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const AUTH = 'Authorization: Basic ' + Buffer.from('admin:s3cret').toString('base64') + '\r\n';

function cfg(port: number, syslog: number, live: number, dead: number): string {
  return `
global
  log 127.0.0.1:${syslog} local0
defaults
  mode http
  log global
  option httplog
  timeout connect 300ms
  timeout client 2s
  timeout server 2s
frontend fe
  bind 127.0.0.1:${port}
  stats enable
  stats uri /admin/stats
  stats auth admin:s3cret
  stats refresh 5s
  use_backend other if { path_beg /other }
  default_backend app
backend app
  balance roundrobin
  server a1 127.0.0.1:${live} check inter 200 fall 2 rise 2
  server a2 127.0.0.1:${live} weight 3
  server a3 127.0.0.1:${dead} check inter 200 fall 1
  server spare 127.0.0.1:${live} backup
backend other
  server o1 127.0.0.1:${live} maxconn 5
`;
}

/** Columns whose values must be equal (timing-, process- and host-independent). */
const SAME = ['pxname', 'svname', 'qcur', 'scur', 'status', 'weight', 'act', 'bck', 'chkdown', 'pid', 'iid', 'sid', 'type', 'check_status', 'check_code', 'check_desc', 'last_chk', 'check_rise', 'check_fall', 'check_health', 'addr', 'mode', 'algo', 'uweight'];
/** Traffic columns compared on servers and backends (the frontend's include the stats requests themselves). */
const TRAFFIC = ['stot', 'lbtot', 'hrsp_2xx', 'hrsp_4xx', 'hrsp_5xx', 'econ', 'eresp', 'wretr', 'wredis'];

interface Side {
  readonly csv: string;
  readonly challenge: string;
  readonly html: string;
  readonly htmlNoRefresh: string;
  readonly logs: string[];
}

async function run(kind: 'haproxy' | 'ours', live: number, dead: number): Promise<Side> {
  const syslog: SyslogReceiver = await startSyslog();
  const port = await freePort();
  const text = cfg(port, syslog.port, live, dead);
  let stop: () => Promise<void>;
  if (kind === 'haproxy') {
    const h = await startHaproxy(text, port);
    stop = () => h.stop();
  } else {
    const p = await startOurs(text);
    stop = async () => p.stop();
  }
  try {
    await sleep(700); // a3's first check fails (fall 1): DOWN; a1 stays UP
    for (const path of ['/1', '/2', '/3', '/4', '/other/5', '/other/404'])
      await raw(port, [`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
    const challenge = (await raw(port, ['GET /admin/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'])).text;
    const bad = (await raw(port, [`GET /admin/stats HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWRtaW46bm8=\r\nConnection: close\r\n\r\n`])).text;
    assert.equal(bad, challenge, `${kind}: a wrong password gets the same challenge`);
    // the earlier connections released first: `scur` must count the scrape alone (HAProxy
    // sometimes still held the previous one and said 2)
    await sleep(100);
    const csv = (await raw(port, [`GET /admin/stats;csv HTTP/1.0\r\n${AUTH}\r\n`])).text;
    const html = (await raw(port, [`GET /admin/stats HTTP/1.0\r\n${AUTH}\r\n`])).text;
    const htmlNoRefresh = (await raw(port, [`GET /admin/stats;norefresh HTTP/1.0\r\n${AUTH}\r\n`])).text;
    await sleep(100);
    const logs = syslog.messages.map((m) => m.toString('latin1')).filter((m) => m.includes('/admin/stats'));
    return { csv, challenge, html, htmlNoRefresh, logs };
  } finally {
    await stop();
    syslog.close();
  }
}

test('stats page: the ;csv export, the 401 challenge and the logs match real HAProxy 2.6', { timeout: 25_000 }, async (t) => {
  if (!haproxyAvailable()) {
    if (process.env.CI) assert.fail('haproxy is required in CI (/usr/sbin/haproxy)');
    t.skip('haproxy not installed at /usr/sbin/haproxy');
    return;
  }
  const srv = http.createServer((req, res) => {
    res.statusCode = req.url?.endsWith('404') ? 404 : 200;
    res.end('ok');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const live = (srv.address() as net.AddressInfo).port;
  const dead = await freePort();
  try {
    const [h, o] = await Promise.all([run('haproxy', live, dead), run('ours', live, dead)]);
    assert.equal(o.challenge, h.challenge, '401 challenge byte for byte');

    const hc = parseCsv(h.csv);
    const oc = parseCsv(o.csv);
    assert.equal(oc.header, hc.header, 'show stat header');
    assert.deepEqual(oc.rows.map((r) => `${r.pxname}/${r.svname}`), hc.rows.map((r) => `${r.pxname}/${r.svname}`), 'rows in the same order');
    assert.deepEqual(oc.widths, hc.widths, 'same number of columns on every row');
    const problems: string[] = [];
    hc.rows.forEach((hr, i) => {
      const or = oc.rows[i]!;
      const cols = hr.svname === 'FRONTEND' ? SAME : [...SAME, ...TRAFFIC];
      // `* ` marks a check in flight at the scrape: the two proxies' checks are not in step
      const value = (row: Record<string, string>, c: string): string | undefined => (c === 'check_status' ? row[c]?.replace(/^\* /, '') : row[c]);
      for (const c of cols) if (value(or, c) !== value(hr, c)) problems.push(`${hr.pxname}/${hr.svname} ${c}: haproxy ${JSON.stringify(hr[c])} ours ${JSON.stringify(or[c])}`);
    });
    assert.deepEqual(problems, []);

    // the HTML page shows every proxy and server with its state, and honours refresh
    for (const r of oc.rows) assert.ok(o.html.includes(`<td>${r.svname}</td>`), `HTML row for ${r.pxname}/${r.svname}`);
    assert.match(o.html, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(o.html, /\r\nrefresh: 5\r\n/);
    assert.match(h.html, /\r\nrefresh: 5\r\n/);
    assert.doesNotMatch(o.htmlNoRefresh, /\r\nrefresh:/);
    assert.match(o.html, /<td>DOWN<\/td>/);

    // log lines: same fields except client port, dates, timers and byte counts
    const shape = (l: string): string =>
      l
        .replace(/^.*?\]: /, '')
        .replace(/:\d+ \[[^\]]+\]/, ':PORT [DATE]')
        // actconn/feconn: haproxy may not have noticed the previous request's close yet
        .replace(/ LR-- \d+\/\d+\//, ' LR-- A/F/')
        .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+) (\d+) \d+ /, (_m, a, b, c, d, e, st) => ` ${[a, b, c, d, e].map((v: string) => (v === '-1' ? '-1' : 'N')).join('/')} ${st} BYTES `);
    assert.deepEqual(o.logs.map(shape), h.logs.map(shape));
  } finally {
    srv.close();
  }
});
