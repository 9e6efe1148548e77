/**
 * `stick-table type ip` + `stick on src` against real HAProxy 2.6 (mode tcp, health checks):
 * a client address stays on its server, moves when that server goes DOWN, and stays on the
 * new server when the old one comes back (the entry was updated). Both proxies must send the
 * same connections to the same servers. Checks time out after `inter` and this process also
 * runs the servers: `inter 500` + `fall 2` so that an event-loop stall under a loaded test
 * run cannot take a server DOWN by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { resolve } from '../../proxy/config/resolve.js';
import { freePort, haproxyAvailable, startHaproxy, startOurs, startSyslog } from '../proxy/helpers/proxy-harness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A TCP server that says its name, and can stop listening and come back on its port. */
class Named {
  port = 0;
  #srv: net.Server | null = null;
  readonly #socks = new Set<net.Socket>();
  constructor(readonly name: string) {}
  async up(): Promise<void> {
    const srv = net.createServer((s) => {
      this.#socks.add(s);
      s.on('close', () => this.#socks.delete(s));
      s.on('error', () => {});
      s.end(`${this.name}\n`);
    });
    await new Promise<void>((r) => srv.listen(this.port, '127.0.0.1', () => r()));
    this.port = (srv.address() as net.AddressInfo).port;
    this.#srv = srv;
  }
  async down(): Promise<void> {
    const srv = this.#srv!;
    this.#srv = null;
    for (const s of this.#socks) s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

const who = (port: number): Promise<string> =>
  new Promise((res) => {
    let d = '';
    const s = net.connect(port, '127.0.0.1');
    s.on('data', (x: Buffer) => (d += x.toString()));
    s.on('error', () => {});
    s.on('close', () => res(d.trim() || '-'));
  });

function cfg(port: number, syslog: number, a: number, b: number): string {
  return `
global
  log 127.0.0.1:${syslog} local0
defaults
  mode tcp
  log global
  timeout connect 300ms
  timeout client 2s
  timeout server 2s
listen l
  bind 127.0.0.1:${port}
  balance roundrobin
  stick-table type ip size 1k expire 30s
  stick on src
  server a 127.0.0.1:${a} check inter 500 fastinter 100 downinter 100 fall 2 rise 1
  server b 127.0.0.1:${b} check inter 500 fastinter 100 downinter 100 fall 2 rise 1
`;
}

test('stick on src: same server, moved when DOWN, kept when the old one returns (vs haproxy)', { timeout: 20_000 }, async (t) => {
  if (!haproxyAvailable()) {
    if (process.env.CI) assert.fail('haproxy is required in CI (/usr/sbin/haproxy)');
    return t.skip('haproxy not installed at /usr/sbin/haproxy');
  }
  const a = new Named('A');
  const b = new Named('B');
  await a.up();
  await b.up();
  const runs = await Promise.all(
    (['haproxy', 'ours'] as const).map(async (kind) => {
      const syslog = await startSyslog();
      const port = await freePort();
      const text = cfg(port, syslog.port, a.port, b.port);
      const stop = kind === 'haproxy' ? (await startHaproxy(text, port)).stop : ((p) => async () => p.stop())(await startOurs(text));
      const seen = (s: string): boolean => syslog.messages.some((m) => m.toString().includes(s));
      return { port, syslog, stop, seen };
    }),
  );
  const picks = async (n: number): Promise<string[]> => {
    const out: string[] = [];
    for (const r of runs) {
      let s = '';
      for (let i = 0; i < n; i++) s += await who(r.port);
      out.push(s);
    }
    return out;
  };
  const waitBoth = async (text: string): Promise<void> => {
    for (let i = 0; i < 200 && !runs.every((r) => r.seen(text)); i++) await sleep(25);
    assert.ok(runs.every((r) => r.seen(text)), `both log '${text}'`);
  };
  try {
    await sleep(300);
    const first = await picks(4);
    assert.match(first[0]!, /^(AAAA|BBBB)$/, 'haproxy sticks');
    assert.deepEqual(first, [first[0], first[0]], 'same server as haproxy');
    const [gone, other] = first[0]![0] === 'A' ? [a, b] : [b, a];
    await gone.down();
    await waitBoth(`l/${gone.name.toLowerCase()} is DOWN`);
    assert.deepEqual(await picks(3), [other.name.repeat(3), other.name.repeat(3)], 'moved to the other server');
    await gone.up();
    await waitBoth(`l/${gone.name.toLowerCase()} is UP`);
    assert.deepEqual(await picks(3), [other.name.repeat(3), other.name.repeat(3)], 'stays where the entry now points');
  } finally {
    for (const r of runs) {
      await r.stop();
      r.syslog.close();
    }
    await a.down().catch(() => {});
    await b.down().catch(() => {});
  }
});

test('without stickiness the same traffic alternates, so the test above can tell', async () => {
  const a = new Named('A');
  const b = new Named('B');
  await a.up();
  await b.up();
  const port = await freePort();
  const p = await startOurs(cfg(port, 9, a.port, b.port).replace(/ {2}stick.*\n/g, ''));
  try {
    let s = '';
    for (let i = 0; i < 4; i++) s += await who(port);
    assert.match(s, /^(ABAB|BABA)$/);
  } finally {
    p.stop();
    await a.down();
    await b.down();
  }
});

test('stick-table configuration errors are located', () => {
  const alerts = (body: string): string[] =>
    resolve([{ file: 't.cfg', text: `defaults\n  mode tcp\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nlisten l\n  bind 127.0.0.1:1\n${body}  server s 127.0.0.1:2\n` }])
      .diagnostics.filter((d) => d.level === 'alert')
      .map((d) => (d.level === 'alert' ? `${d.error.code} ${d.error.message}` : ''));
  assert.deepEqual(alerts(`  stick on src\n`), [`E_CONFIG_BAD_VALUE parsing [t.cfg:8] : Proxy 'l': unable to find stick-table 'l'.`]);
  assert.match(alerts(`  stick-table type string len 32 size 1k\n  stick on src\n`)[0]!, /^E_CONFIG_UNSUPPORTED parsing \[t\.cfg:8\] : 'stick-table' : only 'type ip'/);
  assert.match(alerts(`  stick-table type ip size 1k store conn_cnt\n  stick on src\n`)[0]!, /'store' is not supported/);
  assert.match(alerts(`  stick-table type ip size 1k\n  stick match src\n`)[0]!, /^E_CONFIG_UNSUPPORTED parsing \[t\.cfg:9\] : 'stick match src' is not supported/);
  assert.match(alerts(`  stick-table type ip expire 1m\n  stick on src\n`)[0]!, /missing size/);
});
