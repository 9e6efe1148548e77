/**
 * `http-request use-service prometheus-exporter`: after real traffic, a scrape of our proxy
 * must be valid text exposition format 0.0.4 for a strict parser written here (every line a
 * HELP, a TYPE or a sample; HELP and TYPE before a family's samples, each family in one block;
 * histogram buckets increasing with `+Inf` equal to `_count`), the counters must equal the
 * requests sent, and against haproxy's own exporter (same configuration and traffic) every
 * family must have haproxy's name, HELP, TYPE, label sets and order, with the same values
 * where they do not depend on timing or on the process. Normalized, and why:
 * - haproxy counts the scrape in progress in `http_requests_total` (at request start),
 *   haloscope counts requests when they end: haproxy's value is one more;
 * - the harness opens an empty connection to haproxy to know it is up: the test opens one to
 *   haloscope too, so that the frontend counters see the same connections;
 * - the haloscope histograms (`*_time_seconds`) do not exist in haproxy.
 * The scrape is logged like haproxy's (`fe/<PROMEX>`, `LR--`), a bad `scope` is haproxy's 400.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from '../helpers/real-tools.js';
import { freePort, startHaproxy, startOurs, startSyslog, splitSyslog, type SyslogReceiver } from '../proxy/helpers/proxy-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- a strict parser of the text exposition format 0.0.4 -------------------------------------

interface PromSample {
  readonly name: string;
  readonly labels: ReadonlyMap<string, string>;
  /** The labels as written, for ordering and identity. */
  readonly key: string;
  readonly value: number;
}
interface PromFamily {
  readonly name: string;
  help: string | null;
  type: string | null;
  readonly samples: PromSample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseValue(v: string, line: string): number {
  if (v === 'NaN') return NaN;
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  assert.match(v, /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/, `a float value: ${line}`);
  return Number(v);
}

/** Parses `{a="x",b="y"}` from `s` at `i`; returns the labels and the index after `}`. */
function parseLabels(s: string, i: number, line: string): { labels: Map<string, string>; end: number } {
  const labels = new Map<string, string>();
  assert.equal(s[i], '{');
  i++;
  while (s[i] !== '}') {
    const eq = s.indexOf('=', i);
    assert.ok(eq > i, `label name: ${line}`);
    const name = s.slice(i, eq);
    assert.match(name, LABEL, `label name: ${line}`);
    assert.equal(s[eq + 1], '"', `quoted label value: ${line}`);
    let j = eq + 2;
    let value = '';
    for (;;) {
      assert.ok(j < s.length, `unterminated label value: ${line}`);
      const c = s[j]!;
      if (c === '"') break;
      if (c === '\\') {
        const n = s[j + 1];
        assert.ok(n === '\\' || n === '"' || n === 'n', `escape in label value: ${line}`);
        value += n === 'n' ? '\n' : n;
        j += 2;
        continue;
      }
      assert.notEqual(c, '\n');
      value += c;
      j++;
    }
    assert.ok(!labels.has(name), `label '${name}' once: ${line}`);
    labels.set(name, value);
    i = j + 1;
    if (s[i] === ',') i++;
    else assert.equal(s[i], '}', `',' or '}' after a label: ${line}`);
  }
  return { labels, end: i + 1 };
}

function parseExposition(text: string): PromFamily[] {
  assert.ok(text.endsWith('\n'), 'the text ends with a newline');
  const families: PromFamily[] = [];
  const byName = new Map<string, PromFamily>();
  const seen = new Set<string>();
  let current: PromFamily | null = null;
  const familyOf = (sample: string): string => {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const base = sample.slice(0, -suffix.length);
      if (sample.endsWith(suffix) && byName.get(base)?.type === 'histogram') return base;
    }
    return sample;
  };
  const open = (name: string): PromFamily => {
    if (current?.name === name) return current;
    assert.ok(!byName.has(name), `family '${name}' in one block`);
    current = { name, help: null, type: null, samples: [] };
    families.push(current);
    byName.set(name, current);
    return current;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    assert.notEqual(line, '', 'no empty line');
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      assert.ok(m, `a comment is HELP or TYPE: ${line}`);
      const [, kind, name, rest] = m;
      assert.match(name!, METRIC);
      const f = open(name!);
      assert.equal(f.samples.length, 0, `HELP and TYPE before the samples of ${name}`);
      if (kind === 'HELP') {
        assert.equal(f.help, null, `one HELP for ${name}`);
        assert.ok(!/\\[^\\n]/.test(rest!), `HELP escapes: ${line}`);
        f.help = rest!;
      } else {
        assert.equal(f.type, null, `one TYPE for ${name}`);
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!), `a known type: ${line}`);
        f.type = rest!;
      }
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    assert.ok(nameEnd > 0, `a sample: ${line}`);
    const name = line.slice(0, nameEnd);
    assert.match(name, METRIC, `metric name: ${line}`);
    let labels = new Map<string, string>();
    let i = nameEnd;
    if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i, line));
    assert.equal(line[i], ' ', `one space before the value: ${line}`);
    const parts = line.slice(i + 1).split(' ');
    assert.ok(parts.length === 1 || (parts.length === 2 && /^-?\d+$/.test(parts[1]!)), `value [timestamp]: ${line}`);
    const value = parseValue(parts[0]!, line);
    const fname = familyOf(name);
    const f = open(fname);
    assert.ok(f.help !== null && f.type !== null, `HELP and TYPE present for ${fname}`);
    const key = `${name}{${[...labels].map(([k, v]) => `${k}="${v}"`).join(',')}}`;
    assert.ok(!seen.has(key), `one sample per series: ${line}`);
    seen.add(key);
    if (f.type === 'counter') assert.ok(value >= 0 || Number.isNaN(value), `a counter is not negative: ${line}`);
    if (f.type === 'histogram') assert.ok(name !== fname, `a histogram has _bucket/_sum/_count samples only: ${line}`);
    if (name.endsWith('_bucket') && f.type === 'histogram') assert.ok(labels.has('le'), `a bucket has 'le': ${line}`);
    f.samples.push({ name, labels, key, value });
  }
  for (const f of families) {
    assert.ok(f.samples.length > 0, `family ${f.name} has samples`);
    if (f.type !== 'histogram') continue;
    const series = new Map<string, { le: number[]; counts: number[]; sum?: number; count?: number }>();
    for (const s of f.samples) {
      const rest = [...s.labels].filter(([k]) => k !== 'le');
      const id = JSON.stringify(rest);
      const h = series.get(id) ?? { le: [], counts: [] };
      series.set(id, h);
      if (s.name.endsWith('_bucket')) {
        h.le.push(parseValue(s.labels.get('le')!, s.key));
        h.counts.push(s.value);
      } else if (s.name.endsWith('_sum')) h.sum = s.value;
      else h.count = s.value;
    }
    for (const [id, h] of series) {
      for (let i = 1; i < h.le.length; i++) {
        assert.ok(h.le[i]! > h.le[i - 1]!, `${f.name}${id}: bucket bounds increase`);
        assert.ok(h.counts[i]! >= h.counts[i - 1]!, `${f.name}${id}: bucket counts are cumulative`);
      }
      assert.equal(h.le.at(-1), Infinity, `${f.name}${id}: the last bucket is +Inf`);
      assert.equal(h.counts.at(-1), h.count, `${f.name}${id}: +Inf equals _count`);
      assert.ok(h.sum !== undefined && h.sum >= 0, `${f.name}${id}: _sum`);
    }
  }
  return families;
}

const value = (fams: PromFamily[], name: string, labels: Record<string, string>): number => {
  const f = fams.find((x) => x.name === name || (x.type === 'histogram' && name.startsWith(x.name + '_')));
  assert.ok(f, `family ${name}`);
  const s = f.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels.get(k) === v) && x.labels.size === Object.keys(labels).length);
  assert.ok(s, `${name} ${JSON.stringify(labels)}`);
  return s.value;
};

// ---- the two proxies --------------------------------------------------------------------------

interface Side {
  readonly port: number;
  readonly sock: string;
  readonly syslog: SyslogReceiver;
  scrape(pathname?: string): Promise<{ status: number; type: string; body: string }>;
  stop(): Promise<void>;
}

async function backendServer(): Promise<{ port: number; close(): void }> {
  const srv = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const d = Number(u.searchParams.get('d') ?? 0);
    setTimeout(() => {
      res.statusCode = u.pathname === '/missing' ? 404 : 200;
      res.end('x');
    }, d);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close() };
}

async function startSide(kind: 'haproxy' | 'ours', dir: string, be: number[]): Promise<Side> {
  const port = await freePort();
  const syslog = await startSyslog();
  const sock = path.join(dir, `${kind}.sock`);
  const text = `
global
  nbthread 1
  maxconn 1000
  log 127.0.0.1:${syslog.port} local0
  stats socket ${sock} level admin
defaults
  mode http
  log global
  option httplog
  timeout client 5s
  timeout server 5s
  timeout connect 1s
frontend fe
  bind 127.0.0.1:${port}
  http-request use-service prometheus-exporter if { path /metrics }
  default_backend app
backend app
  balance roundrobin
  server s1 127.0.0.1:${be[0]} check inter 300ms
  server s2 127.0.0.1:${be[1]}
  server s3 127.0.0.1:${be[2]} disabled
`;
  const stop = kind === 'haproxy' ? (await startHaproxy(text, port)).stop : ((p) => async () => p.stop())(await startOurs(text));
  // startHaproxy() waits for haproxy with an empty connection: ours gets the same, so that the
  // frontend counters see the same connections
  if (kind === 'ours') await new Promise<void>((r) => net.connect(port, '127.0.0.1').on('connect', function (this: net.Socket) {
    this.destroy();
    r();
  }));
  return {
    port,
    sock,
    syslog,
    scrape: (pathname = '/metrics') =>
      new Promise((res, rej) => {
        http
          .get({ host: '127.0.0.1', port, path: pathname, agent: false, headers: { Connection: 'close' } }, (r) => {
            let body = '';
            r.setEncoding('latin1');
            r.on('data', (d: string) => (body += d));
            r.on('end', () => res({ status: r.statusCode!, type: String(r.headers['content-type']), body }));
          })
          .on('error', rej);
      }),
    async stop() {
      await stop();
      syslog.close();
    },
  };
}

function request(port: number, pathname: string): Promise<number> {
  return new Promise((res, rej) => {
    http
      .get({ host: '127.0.0.1', port, path: pathname, agent: false, headers: { Connection: 'close' } }, (r) => {
        r.resume();
        r.on('end', () => res(r.statusCode!));
      })
      .on('error', rej);
  });
}

function socat(sock: string, line: string): Promise<string> {
  return new Promise((res, rej) => {
    const c = spawn('socat', ['-', `UNIX-CONNECT:${sock}`]);
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', rej);
    c.on('close', () => res(out));
    c.stdin.end(line + '\n');
  });
}

/** Families whose values must be equal on both (after the normalizations of the header comment). */
const SAME_VALUES = new Set([
  'haproxy_process_nbthread',
  'haproxy_process_nbproc',
  'haproxy_process_relative_process_id',
  'haproxy_process_max_connections',
  'haproxy_process_hard_max_connections',
  'haproxy_process_stopping',
  'haproxy_process_listeners',
  'haproxy_process_max_memory_bytes',
  'haproxy_frontend_current_sessions',
  'haproxy_frontend_limit_sessions',
  'haproxy_frontend_sessions_total',
  'haproxy_frontend_requests_denied_total',
  'haproxy_frontend_request_errors_total',
  'haproxy_frontend_http_responses_total',
  'haproxy_frontend_connections_total',
  'haproxy_frontend_status',
  'haproxy_frontend_http_requests_total',
  'haproxy_backend_current_queue',
  'haproxy_backend_current_sessions',
  'haproxy_backend_sessions_total',
  'haproxy_backend_connection_errors_total',
  'haproxy_backend_response_errors_total',
  'haproxy_backend_retry_warnings_total',
  'haproxy_backend_redispatch_warnings_total',
  'haproxy_backend_status',
  'haproxy_backend_weight',
  'haproxy_backend_active_servers',
  'haproxy_backend_backup_servers',
  'haproxy_backend_check_up_down_total',
  'haproxy_backend_loadbalanced_total',
  'haproxy_backend_http_responses_total',
  'haproxy_backend_http_requests_total',
  'haproxy_backend_client_aborts_total',
  'haproxy_backend_server_aborts_total',
  'haproxy_backend_uweight',
  'haproxy_backend_agg_server_status',
  'haproxy_server_current_queue',
  'haproxy_server_current_sessions',
  'haproxy_server_limit_sessions',
  'haproxy_server_sessions_total',
  'haproxy_server_connection_errors_total',
  'haproxy_server_response_errors_total',
  'haproxy_server_retry_warnings_total',
  'haproxy_server_redispatch_warnings_total',
  'haproxy_server_status',
  'haproxy_server_weight',
  'haproxy_server_check_failures_total',
  'haproxy_server_check_up_down_total',
  'haproxy_server_loadbalanced_total',
  'haproxy_server_check_status',
  'haproxy_server_check_code',
  'haproxy_server_http_responses_total',
  'haproxy_server_client_aborts_total',
  'haproxy_server_server_aborts_total',
  'haproxy_server_uweight',
]);

test('prometheus-exporter: valid exposition format, counters equal to the traffic, haproxy names/HELP/TYPE/labels/values', { timeout: 30_000 }, async (t) => {
  if (!requireTool(t, 'haproxy') || !requireTool(t, 'socat')) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-prom-'));
  const backends = await Promise.all([backendServer(), backendServer(), backendServer(), backendServer(), backendServer(), backendServer()]);
  const ports = backends.map((b) => b.port);
  const [h, o] = await Promise.all([startSide('haproxy', dir, ports.slice(0, 3)), startSide('ours', dir, ports.slice(3))]);
  try {
    await sleep(700); // the first checks of s1 ran on both
    // 12 requests: 9 answered 200 (3 of them after 30 ms), 3 answered 404
    const paths = ['/', '/?d=30', '/missing', '/', '/', '/?d=30', '/missing', '/', '/?d=30', '/', '/missing', '/'];
    for (const p of paths) assert.equal(await request(h.port, p), await request(o.port, p));
    await socat(h.sock, 'set server app/s2 state drain');
    await socat(o.sock, 'set server app/s2 state drain');

    const [hs, os_] = [await h.scrape(), await o.scrape()];
    assert.equal(os_.status, 200);
    assert.equal(os_.type, 'text/plain; version=0.0.4');
    assert.equal(hs.type, os_.type);
    const hf = parseExposition(hs.body);
    const of = parseExposition(os_.body);

    // counters equal to what was sent: 12 requests, and the empty connection, which HAProxy
    // (and haloscope) count as a bad request answered 400
    assert.equal(value(of, 'haproxy_frontend_http_requests_total', { proxy: 'fe' }), 13);
    assert.equal(value(of, 'haproxy_frontend_http_responses_total', { proxy: 'fe', code: '2xx' }), 9);
    assert.equal(value(of, 'haproxy_frontend_http_responses_total', { proxy: 'fe', code: '4xx' }), 3 + 1);
    assert.equal(value(of, 'haproxy_frontend_request_errors_total', { proxy: 'fe' }), 1);
    assert.equal(value(of, 'haproxy_frontend_sessions_total', { proxy: 'fe' }), 14, 'the empty one, 12 requests and the scrape, one connection each');
    assert.equal(value(of, 'haproxy_frontend_connections_total', { proxy: 'fe' }), 14);
    assert.equal(value(of, 'haproxy_frontend_current_sessions', { proxy: 'fe' }), 1, 'the scrape itself');
    assert.equal(value(of, 'haproxy_backend_http_requests_total', { proxy: 'app' }), 12);
    assert.equal(value(of, 'haproxy_backend_http_responses_total', { proxy: 'app', code: '4xx' }), 3);
    assert.equal(value(of, 'haproxy_server_sessions_total', { proxy: 'app', server: 's1' }) + value(of, 'haproxy_server_sessions_total', { proxy: 'app', server: 's2' }), 12);
    assert.ok(value(of, 'haproxy_frontend_bytes_in_total', { proxy: 'fe' }) > 0 && value(of, 'haproxy_frontend_bytes_out_total', { proxy: 'fe' }) > 0);
    assert.equal(value(of, 'haproxy_server_status', { proxy: 'app', server: 's1', state: 'UP' }), 1);
    assert.equal(value(of, 'haproxy_server_status', { proxy: 'app', server: 's2', state: 'DRAIN' }), 1);
    assert.equal(value(of, 'haproxy_server_status', { proxy: 'app', server: 's3', state: 'MAINT' }), 1);
    assert.equal(value(of, 'haproxy_server_check_status', { proxy: 'app', server: 's1', state: 'L4OK' }), 1);
    // the histograms count every request sent to each server; the 30 ms ones are above 25 ms
    for (const s of ['s1', 's2']) {
      const n = value(of, 'haproxy_server_sessions_total', { proxy: 'app', server: s });
      assert.equal(value(of, 'haproxy_server_response_time_seconds_count', { proxy: 'app', server: s }), n);
      assert.equal(value(of, 'haproxy_server_total_time_seconds_count', { proxy: 'app', server: s }), n);
    }
    assert.equal(value(of, 'haproxy_backend_response_time_seconds_count', { proxy: 'app' }), 12);
    assert.equal(value(of, 'haproxy_backend_response_time_seconds_bucket', { proxy: 'app', le: '0.025' }), 9);
    assert.equal(value(of, 'haproxy_backend_response_time_seconds_bucket', { proxy: 'app', le: '+Inf' }), 12);
    assert.ok(value(of, 'haproxy_backend_response_time_seconds_sum', { proxy: 'app' }) >= 0.09);
    assert.equal(value(of, 'haproxy_server_response_time_seconds_count', { proxy: 'app', server: 's3' }), 0);

    // haproxy's names, HELP, TYPE, label sets and order
    const hByName = new Map(hf.map((f) => [f.name, f]));
    const added = ['haproxy_backend_response_time_seconds', 'haproxy_backend_total_time_seconds', 'haproxy_server_response_time_seconds', 'haproxy_server_total_time_seconds'];
    const ours = of.filter((f) => !added.includes(f.name));
    assert.deepEqual(of.filter((f) => f.type === 'histogram').map((f) => f.name), added);
    for (const n of added) assert.ok(!hByName.has(n), `${n} is a haloscope addition`);
    assert.deepEqual(
      ours.map((f) => f.name),
      hf.map((f) => f.name).filter((n) => ours.some((f) => f.name === n)),
      'families in haproxy order',
    );
    for (const f of ours) {
      const hfam = hByName.get(f.name)!;
      assert.equal(f.help, hfam.help, `HELP of ${f.name}`);
      assert.equal(f.type, hfam.type, `TYPE of ${f.name}`);
      assert.deepEqual(
        f.samples.map((s) => s.key),
        hfam.samples.map((s) => s.key),
        `series of ${f.name}, in order`,
      );
      if (!SAME_VALUES.has(f.name)) continue;
      const hv = hfam.samples.map((s) => s.value);
      const ov = f.samples.map((s) => s.value);
      if (f.name === 'haproxy_frontend_http_requests_total') hv[0]! -= 1; // the scrape in progress
      assert.deepEqual(ov, hv, `values of ${f.name}`);
    }
    assert.ok(ours.length >= 50, `${ours.length} haproxy families`);

    // the next scrape counts the previous one
    const again = parseExposition((await o.scrape()).body);
    assert.equal(value(again, 'haproxy_frontend_http_requests_total', { proxy: 'fe' }), 14);
    assert.equal(value(again, 'haproxy_frontend_http_responses_total', { proxy: 'fe', code: '2xx' }), 10);

    // scope and no-maint, and haproxy's 400 for a bad scope
    const scoped = parseExposition((await o.scrape('/metrics?scope=backend&scope=server&no-maint')).body);
    assert.ok(scoped.every((f) => f.name.startsWith('haproxy_backend_') || f.name.startsWith('haproxy_server_')));
    assert.ok(!scoped.some((f) => f.samples.some((s) => s.labels.get('server') === 's3')), 'no-maint leaves out s3');
    assert.equal((await o.scrape('/metrics?scope=')).body, (await h.scrape('/metrics?scope=')).body);
    const [hBad, oBad] = [await h.scrape('/metrics?scope=foo'), await o.scrape('/metrics?scope=foo')];
    assert.deepEqual([oBad.status, oBad.type, oBad.body], [hBad.status, hBad.type, hBad.body]);

    // logged as haproxy logs a service: <PROMEX>, LR--, Tw/Tc/Tr 0 (bytes differ: haproxy chunks
    // the body; TR and Ta are times to read the request and to write the answer, a tick apart
    // or not on a loaded machine)
    // (haproxy: the empty connection, 12 requests, 3 scrapes; ours: 5 scrapes; both: the line
    // saying s2 enters drain state)
    const logs = async (side: Side, n: number): Promise<string[]> => {
      const m = await side.syslog.waitFor(n);
      return m
        .map((x) => splitSyslog(x).message)
        .filter((l) => l.includes('<PROMEX>'))
        .map((l) => l.replace(/^127\.0\.0\.1:\d+ \[[^\]]+\] /, '').replace(/^(\S+ \S+ )\d+(\/\d+\/\d+\/\d+\/)\d+ (\d+) \d+ /, '$1<TR>$2<Ta> $3 <bytes> '));
    };
    const [hl, ol] = [await logs(h, 1 + paths.length + 3 + 1), await logs(o, 1 + paths.length + 5 + 1)];
    assert.deepEqual([ol[0], ol[3], ol[4]], hl);
    assert.equal(ol[0], 'fe fe/<PROMEX> <TR>/0/0/0/<Ta> 200 <bytes> - - LR-- 1/1/0/0/0 0/0 "GET /metrics HTTP/1.1"');
    assert.match(ol[4]!, / 400 <bytes> - - LR-- .*"GET \/metrics\?scope=foo HTTP\/1\.1"$/);
  } finally {
    await Promise.all([h.stop(), o.stop()]);
    for (const b of backends) b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('http-request use-service: located config errors with stable codes', async () => {
  const { resolve } = await import('../../proxy/config/resolve.js');
  const alerts = (rule: string): string[] =>
    resolve([{ file: 'p.cfg', text: `defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:1\n  ${rule}\n  default_backend b\nbackend b\n  server s 127.0.0.1:2\n` }])
      .diagnostics.filter((d) => d.level === 'alert')
      .map((d) => (d.level === 'alert' ? `${d.error.code} ${d.error.message}` : ''));
  assert.deepEqual(alerts('http-request use-service prometheus-exporter if { path /metrics }'), []);
  assert.deepEqual(alerts('http-request use-service prometheus-exporter'), []);
  assert.deepEqual(alerts('http-request use-service'), [`E_CONFIG_MISSING_ARG parsing [p.cfg:8] : error detected while parsing 'http-request use-service' rule : 'use-service' expects a service name.`]);
  assert.deepEqual(alerts('http-request use-service foo'), [`E_CONFIG_BAD_VALUE parsing [p.cfg:8] : error detected while parsing 'http-request use-service' rule : 'foo' unknown service name; haloscope has 'prometheus-exporter'`]);
  assert.match(alerts('http-request use-service lua.hello')[0]!, /^E_CONFIG_UNSUPPORTED parsing \[p\.cfg:8\] : 'http-request use-service lua\.hello' : Lua services are not supported/);
  assert.deepEqual(alerts('http-request use-service prometheus-exporter extra'), [
    `E_CONFIG_BAD_VALUE parsing [p.cfg:8] : 'http-request use-service' expects either 'if' or 'unless' followed by a condition but found 'extra'.`,
  ]);
});
