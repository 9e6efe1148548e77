/**
 * Servers die and come back under continuous load. A backend of three real HTTP servers
 * (`retries 3`, `option redispatch`, health checks) takes requests from eight clients while the
 * test kills one server abruptly (listener closed, every socket destroyed, as when a process
 * dies), restarts it on its port, kills the next one, and so on.
 *
 * What may fail is only what no retry can save: a request the dying server had accepted
 * (a 502 `SH` before its response head, a truncated 200 `SD` during its body). A connection
 * refused by a dead server (before the checks take it out) must be retried and redispatched,
 * and so must a request sent on a pooled connection the dying server closed, which is replayed
 * on a new connection. The logs, received over a real UDP socket, must account for every
 * request: one line each, and one line with the client's status and an `SH`/`SD` state for
 * each failure the clients saw (count equality, by request id).
 *
 * The same scenario runs against real HAProxy 2.6 when it is installed, to show that it
 * behaves alike. Our proxy runs as its own process (`haloscope proxy -f`), so that its checks
 * and timers do not share the event loop of the servers and clients of this test.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { freePort, haproxyAvailable, raw, startHaproxy, startOursProcess, startSyslog, type SyslogReceiver } from './helpers/proxy-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Response body: the request id repeated, so that a body from another request is noticed. */
const BODY = 4000;
const body = (id: number): Buffer => Buffer.from(`<${id}>`.repeat(Math.ceil(BODY / 3)).slice(0, BODY), 'latin1');

/**
 * A server that answers `GET /r/<id>` in two halves (the head and 2000 bytes after a few ms,
 * the rest 20-50 ms later), so that a kill often falls in the middle of a response, and that
 * remembers which requests it had not finished when it was killed.
 */
class Server {
  port = 0;
  #srv: http.Server | null = null;
  readonly #socks = new Set<net.Socket>();
  /** Requests received whose response has not been completely handed to the socket. */
  readonly #busy = new Set<number>();
  readonly kills: { at: number; busy: number[] }[] = [];
  constructor(readonly name: string) {}

  async up(): Promise<void> {
    const srv = http.createServer((req, res) => {
      const id = Number(/^\/r\/(\d+)$/.exec(req.url ?? '')?.[1] ?? NaN);
      if (!Number.isInteger(id)) {
        res.end('?');
        return;
      }
      this.#busy.add(id);
      const b = body(id);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY, 'x-server': this.name });
        res.write(b.subarray(0, BODY / 2));
        setTimeout(() => {
          if (res.destroyed) return;
          this.#busy.delete(id);
          res.end(b.subarray(BODY / 2));
        }, 20 + Math.random() * 30);
      }, 2 + Math.random() * 6);
    });
    srv.keepAliveTimeout = 30_000;
    srv.on('connection', (s) => {
      this.#socks.add(s);
      s.on('close', () => this.#socks.delete(s));
    });
    await new Promise<void>((r) => srv.listen(this.port, '127.0.0.1', () => r()));
    this.port = (srv.address() as net.AddressInfo).port;
    this.#srv = srv;
  }

  /** Dies like a killed process: no more accepts, every connection closed at once. */
  kill(): void {
    const srv = this.#srv!;
    this.#srv = null;
    this.kills.push({ at: performance.now(), busy: [...this.#busy] });
    this.#busy.clear();
    srv.close();
    for (const s of this.#socks) s.destroy();
  }

  stop(): void {
    if (this.#srv) this.kill();
  }
}

type Outcome =
  | { kind: 'ok' }
  /** a status other than 200, with a complete body */
  | { kind: 'status'; status: number }
  /** the connection closed before the end of the body announced by the head */
  | { kind: 'truncated'; status: number }
  /** the connection closed before any response byte */
  | { kind: 'no-response' }
  | { kind: 'bad-body'; status: number };

interface Sent {
  id: number;
  /** The first request on its client connection. */
  first: boolean;
  /** performance.now() when the request was written, and when its outcome was known. */
  t0: number;
  t1: number;
  outcome: Outcome;
}

/** One client connection at a time, requests one after the other, reconnecting when closed. */
class Client {
  #sock: net.Socket | null = null;
  #buf = Buffer.alloc(0);
  #closed = true;
  #wake: (() => void) | null = null;
  constructor(readonly port: number, readonly closeEach: boolean) {}

  async #connect(): Promise<void> {
    const s = net.connect(this.port, '127.0.0.1');
    this.#sock = s;
    this.#buf = Buffer.alloc(0);
    this.#closed = false;
    s.setNoDelay(true);
    s.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake?.();
    });
    s.on('error', () => {});
    s.on('close', () => {
      if (this.#sock === s) this.#closed = true;
      this.#wake?.();
    });
    await new Promise<void>((res, rej) => {
      s.once('connect', res);
      s.once('error', rej);
    });
  }

  /** Resolves when `ready()` is true or the connection is closed. */
  async #until(ready: () => boolean): Promise<boolean> {
    while (!ready()) {
      if (this.#closed) return false;
      await new Promise<void>((r) => (this.#wake = r));
      this.#wake = null;
    }
    return true;
  }

  async request(id: number): Promise<Sent> {
    const first = this.#closed;
    if (first) await this.#connect();
    const sock = this.#sock!;
    const t0 = performance.now();
    sock.write(`GET /r/${id} HTTP/1.1\r\nhost: test\r\n${this.closeEach ? 'connection: close\r\n' : ''}\r\n`);
    const done = (outcome: Outcome): Sent => ({ id, first, t0, t1: performance.now(), outcome });
    let end = -1;
    await this.#until(() => (end = this.#buf.indexOf('\r\n\r\n')) >= 0);
    if (end < 0) return this.#drop(done({ kind: 'no-response' }));
    const head = this.#buf.toString('latin1', 0, end);
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
    const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    const close = this.closeEach || /\r\nconnection: *close/i.test(head);
    const total = end + 4 + len;
    if (!(await this.#until(() => this.#buf.length >= total))) return this.#drop(done({ kind: 'truncated', status }));
    const got = this.#buf.subarray(end + 4, total);
    this.#buf = this.#buf.subarray(total);
    let outcome: Outcome = { kind: 'ok' };
    if (status !== 200) outcome = { kind: 'status', status };
    else if (!got.equals(body(id))) outcome = { kind: 'bad-body', status };
    if (close) this.#drop(null);
    return done(outcome);
  }

  #drop<T>(v: T): T {
    this.#sock?.destroy();
    this.#sock = null;
    this.#closed = true;
    return v;
  }

  close(): void {
    this.#drop(null);
  }
}

function config(port: number, syslog: number, servers: Server[]): string {
  return `
global
  log 127.0.0.1:${syslog} local0
defaults
  mode http
  log global
  option httplog
  retries 3
  option redispatch
  timeout connect 500ms
  timeout client 10s
  timeout server 10s
  timeout http-keep-alive 10s
frontend fe
  bind 127.0.0.1:${port}
  default_backend b
backend b
  balance roundrobin
${servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check inter 500ms fall 2 rise 2`).join('\n')}
`;
}

interface LogLine {
  id: number;
  server: string;
  status: number;
  /** The first two characters of the termination state. */
  state: string;
  retries: string;
}

const TRAFFIC = /^\S+ \[[^\]]+\] fe b\/(\S+) \S+ (\d+) \d+ \S+ \S+ (\S{4}) \S+ \S+ "GET \/r\/(\d+) HTTP\/1\.1"$/;

function trafficLines(syslog: SyslogReceiver): LogLine[] {
  const out: LogLine[] = [];
  for (const m of syslog.messages) {
    const line = m.toString('latin1').replace(/^.*?\]: /, '').trimEnd();
    const t = TRAFFIC.exec(line);
    if (!t) continue;
    const retries = line.split(' ').at(-5)!.split('/')[4]!;
    out.push({ id: Number(t[4]), server: t[1]!, status: Number(t[2]), state: t[3]!.slice(0, 2), retries });
  }
  return out;
}

async function scenario(kind: 'ours' | 'haproxy', t: TestContext): Promise<void> {
  const servers = [new Server('s1'), new Server('s2'), new Server('s3')];
  for (const s of servers) await s.up();
  const syslog = await startSyslog();
  const port = await freePort();
  const text = config(port, syslog.port, servers);
  const proxy = kind === 'haproxy' ? await startHaproxy(text, port) : await startOursProcess(text, port, 200);
  const sent: Sent[] = [];
  let nextId = 1;
  let running = true;
  // six keep-alive clients, two opening a connection per request
  const clients = Array.from({ length: 8 }, (_, i) => new Client(port, i >= 6));
  try {
    await sleep(600); // first checks done: every server UP
    const workers = clients.map(async (c) => {
      while (running) sent.push(await c.request(nextId++));
    });
    // each server dies in turn, comes back, and is UP again (rise 2 x inter) before the next dies
    const t0 = performance.now();
    const at = (ms: number): Promise<void> => sleep(Math.max(0, t0 + ms - performance.now()));
    for (const [i, s] of servers.entries()) {
      await at(800 + i * 3500);
      s.kill();
      await at(2800 + i * 3500);
      await s.up();
    }
    await at(3 * 3500 + 300);
    running = false;
    await Promise.all(workers);
    for (const c of clients) c.close();
    const logs = new Map<number, LogLine>();
    // a request without any response may have no line (HAProxy, below): do not wait for it
    const expected = sent.filter((r) => r.outcome.kind !== 'no-response').length;
    for (let i = 0; i < 100 && trafficLines(syslog).length < expected; i++) await sleep(100);
    await sleep(200);
    for (const l of trafficLines(syslog)) {
      assert.ok(!logs.has(l.id), `${kind}: request ${l.id} logged twice`);
      logs.set(l.id, l);
    }

    // HAProxy's answer to a server that closes a reused connection as a request is sent on it
    // (not the first request of the client connection): it closes the client connection with
    // neither response nor log line, for the client to retry (http_ana.c, "abort_keep_alive")
    const silent = kind === 'haproxy' ? sent.filter((r) => r.outcome.kind === 'no-response' && !r.first && !logs.has(r.id)) : [];
    const silentIds = new Set(silent.map((r) => r.id));
    // every request issued has exactly one log line, and nothing else was logged
    assert.equal(logs.size, sent.length - silent.length, `${kind}: ${sent.length} requests, ${logs.size} log lines`);
    for (const r of sent) assert.ok(logs.has(r.id) || silentIds.has(r.id), `${kind}: request ${r.id} has no log line`);

    const failures = sent.filter((r) => r.outcome.kind !== 'ok' && !silentIds.has(r.id));
    const describe = (r: Sent): string => `request ${r.id}: client saw ${JSON.stringify(r.outcome)}, log says ${JSON.stringify(logs.get(r.id))}`;
    for (const r of failures) {
      const l = logs.get(r.id)!;
      // the log line tells the same story as the client
      if (r.outcome.kind === 'status') assert.ok(r.outcome.status === 502 && l.status === 502 && l.state === 'SH', `${kind}: ${describe(r)}`);
      else if (r.outcome.kind === 'truncated') assert.ok(r.outcome.status === 200 && l.status === 200 && l.state === 'SD', `${kind}: ${describe(r)}`);
      else assert.fail(`${kind}: ${describe(r)}`);
      // and the server it names died while the request was in flight
      const s = servers.find((x) => x.name === l.server)!;
      assert.ok(
        s.kills.some((k) => r.t0 <= k.at && k.at <= r.t1),
        `${kind}: ${describe(r)}, but ${l.server} was not killed while it was in flight (kills at ${s.kills.map((k) => (k.at - t0).toFixed(0)).join(', ')} ms; request from ${(r.t0 - t0).toFixed(0)} to ${(r.t1 - t0).toFixed(0)} ms)`,
      );
    }
    // count equality: every line with an abnormal termination state is a failure a client saw
    const abnormal = [...logs.values()].filter((l) => l.state !== '--');
    assert.deepEqual(
      abnormal.map((l) => l.id).sort((a, b) => a - b),
      failures.map((r) => r.id).sort((a, b) => a - b),
      `${kind}: abnormal log lines ${abnormal.map((l) => `${l.id} ${l.server} ${l.status} ${l.state}`).join('; ')}`,
    );
    // every request a server had not finished when it died failed, at the client and in the
    // log; or, before any response byte on a pooled connection, ours replayed it, met the dead
    // server and redispatched it (HAProxy leaves that retry to the client: `silent`)
    const failed = new Set([...failures, ...silent].map((r) => r.id));
    for (const s of servers)
      for (const k of s.kills)
        for (const id of k.busy) {
          const l = logs.get(id);
          const replayed = kind === 'ours' && l !== undefined && l.state === '--' && l.retries.startsWith('+') && l.server !== s.name;
          assert.ok(failed.has(id) || replayed, `${kind}: request ${id} was in progress on ${s.name} when it died, yet it did not fail (log: ${JSON.stringify(l)})`);
        }
    // the scenario did exercise the retries: some requests met a dead server first
    const retried = [...logs.values()].filter((l) => l.retries !== '0');
    assert.ok(retried.length > 0, `${kind}: no request was retried`);
    // like HAProxy: with round robin and other servers up, the first retry goes elsewhere at once
    assert.deepEqual([...new Set(retried.map((l) => l.retries))], ['+1'], `${kind}: retries fields ${[...new Set(retried.map((l) => l.retries))].join(' ')}`);
    const inProgress = servers.flatMap((s) => s.kills.map((k) => k.busy.length));
    t.diagnostic(`${kind}: ${sent.length} requests, ${failures.length} failed (in progress at the kills: ${inProgress.join('+')}), ${retried.length} retried (${retried.filter((l) => l.retries.startsWith('+')).length} redispatched)${silent.length ? `, ${silent.length} client connections closed without response for the client to retry` : ''}`);
  } finally {
    running = false;
    for (const c of clients) c.close();
    await proxy.stop();
    for (const s of servers) s.stop();
    syslog.close();
  }
}

test('servers killed and restarted under load: only requests in flight on a dying server fail, each one logged', { timeout: 60_000 }, async (t) => {
  await scenario('ours', t);
});

/**
 * The race the scenario above meets now and then, made certain: the server closes a pooled
 * connection just as a request is sent on it, and is already gone for new connections. The
 * request is replayed on a new connection (it never reached a server), which is refused, so
 * the retries and the redispatch apply. (HAProxy 2.6 answers this case differently: it closes
 * the client connection without a response nor a log line, for the client to retry.)
 */
test('a request replayed after its pooled connection died is retried and redispatched when the server is gone', { timeout: 20_000 }, async () => {
  const socks = new Set<net.Socket>();
  let seen = 0;
  const a = http.createServer((_req, res) => {
    if (++seen === 1) return void res.end('from a');
    a.close();
    for (const s of socks) s.destroy();
  });
  a.on('connection', (s) => {
    socks.add(s);
    s.on('close', () => socks.delete(s));
  });
  const b = http.createServer((_req, res) => res.end('from b'));
  for (const s of [a, b]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const syslog = await startSyslog();
  const port = await freePort();
  const portOf = (s: http.Server): number => (s.address() as net.AddressInfo).port;
  const ours = await startOursProcess(
    `global\n  log 127.0.0.1:${syslog.port} local0\ndefaults\n  mode http\n  log global\n  option httplog\n  retries 3\n  option redispatch\n  timeout connect 200ms\n  timeout client 5s\n  timeout server 5s\n` +
      `frontend fe\n  bind 127.0.0.1:${port}\n  default_backend b\nbackend b\n  balance first\n  server a 127.0.0.1:${portOf(a)}\n  server b 127.0.0.1:${portOf(b)}\n`,
    port,
    200,
  );
  try {
    const req = (n: number): string => `GET /${n} HTTP/1.1\r\nhost: test\r\n\r\n`;
    const got = await raw(port, [req(1), req(2)], { gapMs: 300, idleMs: 1500 });
    assert.match(got.text, /^HTTP\/1\.1 200 OK\r\n[^]*from a(HTTP\/1\.1 200 OK\r\n[^]*)from b$/);
    // (the first line is the start-up probe of startOursProcess, a connection without request)
    const lines = (await syslog.waitFor(3)).map((m) => m.toString('latin1').replace(/^.*?\]: /, '').trimEnd()).filter((l) => l.includes('"GET /'));
    assert.match(lines[0]!, / b\/a \S+ 200 .* ---- \d+\/\d+\/\d+\/\d+\/0 0\/0 "GET \/1 HTTP\/1\.1"$/);
    // three retries, the last one redispatched to b: `+3`
    assert.match(lines[1]!, / b\/b \S+ 200 .* ---- \d+\/\d+\/\d+\/\d+\/\+3 0\/0 "GET \/2 HTTP\/1\.1"$/);
  } finally {
    await ours.stop();
    b.close();
    syslog.close();
  }
});

test('the same scenario against real haproxy behaves alike', { skip: !haproxyAvailable(), timeout: 60_000 }, async (t) => {
  await scenario('haproxy', t);
});
