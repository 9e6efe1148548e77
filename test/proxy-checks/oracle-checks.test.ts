/**
 * Health checks against real HAProxy 2.6: both proxies check the same real servers while the
 * test takes them down and brings them back; every state-change message (DOWN, UP, "has no
 * server available!") must be the same, at the same syslog level, in the same order per
 * backend (check durations masked), and traffic must move to the backup server and back.
 * Checks time out after `inter` (HAProxy without `timeout check`) and the servers share this
 * process's event loop: intervals stay at 500 ms so that a stall never fails a check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { freePort, haproxyAvailable, raw, startHaproxy, startOurs, startSyslog, type SyslogReceiver } from '../proxy/helpers/proxy-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An HTTP server that can stop listening and come back on the same port. */
class Switchable {
  status = 200;
  body = 'all good here';
  port = 0;
  readonly name: string;
  #srv: http.Server | null = null;
  readonly #socks = new Set<net.Socket>();
  constructor(name: string) {
    this.name = name;
  }
  async up(): Promise<void> {
    const srv = http.createServer((_req, res) => {
      res.statusCode = this.status;
      res.setHeader('X-Server', this.name);
      res.end(this.body);
    });
    srv.on('connection', (s) => {
      this.#socks.add(s);
      s.on('close', () => this.#socks.delete(s));
    });
    await new Promise<void>((r) => srv.listen(this.port, '127.0.0.1', () => r()));
    this.port = (srv.address() as net.AddressInfo).port;
    this.#srv = srv;
  }
  async down(): Promise<void> {
    const srv = this.#srv;
    this.#srv = null;
    if (!srv) return;
    for (const s of this.#socks) s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

function cfg(port: number, syslog: number, s: { a1: Switchable; bk: Switchable; w: Switchable }): string {
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
  use_backend web if { path_beg /web }
  default_backend app
backend app
  server a1 127.0.0.1:${s.a1.port} check inter 500 fastinter 100 downinter 100 rise 2 fall 2
  server bk 127.0.0.1:${s.bk.port} backup check inter 500
backend web
  option httpchk GET /health
  http-check expect status 200
  server w1 127.0.0.1:${s.w.port} check inter 500 fastinter 100 downinter 100 fall 1 rise 1
backend web2
  option httpchk
  http-check expect string nope
  server w2 127.0.0.1:${s.w.port} check inter 500 fall 1
backend web3
  option httpchk GET /
  http-check expect ! rstatus ^5
  server w3 127.0.0.1:${s.w.port} check inter 500 fastinter 100 downinter 100 fall 2 rise 1
backend plain
  option httpchk
  server p1 127.0.0.1:${s.w.port} check inter 500 fall 2 rise 1 port ${s.bk.port}
`;
}

interface Run {
  /** state-change messages: `<PRI>` + text, durations masked */
  readonly events: () => string[];
  /** backend/server of the traffic log line of a GET on `path` */
  serverOf(path: string): Promise<string>;
  stop(): Promise<void>;
  readonly syslog: SyslogReceiver;
}

async function start(kind: 'haproxy' | 'ours', s: { a1: Switchable; bk: Switchable; w: Switchable }): Promise<Run> {
  const syslog = await startSyslog();
  const port = await freePort();
  const text = cfg(port, syslog.port, s);
  let stop: () => Promise<void>;
  if (kind === 'haproxy') {
    const h = await startHaproxy(text, port);
    stop = () => h.stop();
  } else {
    const p = await startOurs(text);
    stop = async () => p.stop();
  }
  const events = (): string[] =>
    syslog.messages
      .map((m) => m.toString('latin1'))
      .filter((m) => m.includes(' is DOWN,') || m.includes(' is UP,') || m.includes('has no server available'))
      .map((m) => m.replace(/^(<\d+>).*?haproxy\[\d+\]: /, '$1').replace(/check duration: \d+ms/, 'check duration: Nms').trimEnd());
  return {
    events,
    syslog,
    async serverOf(path) {
      const before = syslog.messages.length;
      await raw(port, [`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      for (;;) {
        const line = syslog.messages.slice(before).map((m) => m.toString('latin1')).find((m) => m.includes(`"GET ${path} HTTP/1.1"`));
        if (line) return /\] \S+ (\S+) /.exec(line)![1]!;
        await syslog.waitFor(syslog.messages.length + 1);
      }
    },
    async stop() {
      await stop();
      syslog.close();
    },
  };
}

/** Waits until both runs have logged an event containing `text` (the count-th one). */
async function both(runs: Run[], text: string, count = 1): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (runs.every((r) => r.events().filter((e) => e.includes(text)).length >= count)) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting for "${text}":\n${runs.map((r) => r.events().join('\n')).join('\n---\n')}`);
}

test('health checks: state changes and traffic match real HAProxy 2.6', { timeout: 25_000 }, async (t) => {
  if (!haproxyAvailable()) {
    if (process.env.CI) assert.fail('haproxy is required in CI (/usr/sbin/haproxy)');
    t.skip('haproxy not installed at /usr/sbin/haproxy');
    return;
  }
  const s = { a1: new Switchable('a1'), bk: new Switchable('bk'), w: new Switchable('w') };
  for (const x of Object.values(s)) await x.up();
  const runs = await Promise.all([start('haproxy', s), start('ours', s)]);
  const [theirs, ours] = runs as [Run, Run];
  try {
    // at start: web2's content check fails at once (fall 1)
    await both(runs, 'web2 has no server available');
    assert.equal(await theirs.serverOf('/a'), 'app/a1');
    assert.equal(await ours.serverOf('/a'), 'app/a1');

    // a1 stops listening: DOWN after 2 refused connects, traffic goes to the backup
    await s.a1.down();
    await both(runs, 'app/a1 is DOWN');
    assert.equal(await theirs.serverOf('/b'), 'app/bk');
    assert.equal(await ours.serverOf('/b'), 'app/bk');

    // w answers 503: web (status 200 expected) and web3 (!rstatus ^5, fall 2) go DOWN
    s.w.status = 503;
    await both(runs, 'web/w1 is DOWN');
    await both(runs, 'web3/w3 is DOWN');
    assert.equal(await ours.serverOf('/web/x'), 'web/<NOSRV>');
    assert.equal(await theirs.serverOf('/web/x'), 'web/<NOSRV>');

    // everything back
    s.w.status = 200;
    await s.a1.up();
    await both(runs, 'app/a1 is UP');
    await both(runs, 'web/w1 is UP');
    await both(runs, 'web3/w3 is UP');
    assert.equal(await theirs.serverOf('/c'), 'app/a1');
    assert.equal(await ours.serverOf('/c'), 'app/a1');
    await sleep(300); // a late extra event would show now

    const byBackend = (events: string[]): Map<string, string[]> => {
      const m = new Map<string, string[]>();
      for (const e of events) {
        const be = /(?:Server |backend )([\w-]+)/.exec(e)![1]!;
        m.set(be, [...(m.get(be) ?? []), e]);
      }
      return m;
    };
    const h = byBackend(theirs.events());
    const o = byBackend(ours.events());
    assert.deepEqual([...o.keys()].sort(), [...h.keys()].sort(), `haproxy:\n${theirs.events().join('\n')}\nours:\n${ours.events().join('\n')}`);
    for (const [be, list] of h) assert.deepEqual(o.get(be), list, `backend ${be}`);
    // the plain check (2xx/3xx passes, on the backup's port) never changed state
    assert.equal(h.get('plain'), undefined);
  } finally {
    await Promise.all(runs.map((r) => r.stop()));
    for (const x of Object.values(s)) await x.down();
  }
});
