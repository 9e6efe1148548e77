/** `haloscope proxy` as a process: -c exit codes, nbthread workers, soft stop and clean stop. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, raw, startBackend, startSyslog, splitSyslog } from './helpers/proxy-harness.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/haloscope.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-proxy-cli-'));
const write = (name: string, text: string): string => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
};

test('-c checks the configuration and exits 0 or 1 like haproxy -c', () => {
  const good = write('good.cfg', `defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:1\n  default_backend b\n`);
  const more = write('more.cfg', `backend b\n  server s 127.0.0.1:2\n`);
  const ok = spawnSync(process.execPath, [BIN, 'proxy', '-c', '-f', good, '-f', more], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /Configuration file is valid/);
  const bad = write('bad.cfg', `defaults\n  mode http\nbackend b\n  balanse roundrobin\n  server s 127.0.0.1:2 chek\n`);
  const ko = spawnSync(process.execPath, [BIN, 'proxy', '-c', '-f', bad], { encoding: 'utf8' });
  assert.equal(ko.status, 1);
  assert.match(ko.stderr, /parsing \[.*bad\.cfg:4\] : unknown keyword 'balanse' in 'backend' section; did you mean 'balance'\?/);
  assert.match(ko.stderr, /bad\.cfg:5\] : 'server s' : unknown keyword 'chek'/);
  const missing = spawnSync(process.execPath, [BIN, 'proxy', '-c', '-f', path.join(tmp, 'nope.cfg')], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /Could not open configuration file/);
  const usage = spawnSync(process.execPath, [BIN, 'proxy', '-x'], { encoding: 'utf8' });
  assert.equal(usage.status, 1);
  assert.match(usage.stderr, /unknown option '-x'/);
});

test('nbthread workers serve traffic; SIGUSR1 finishes in-flight requests then exits; SIGTERM stops', { timeout: 15_000 }, async () => {
  const be = await startBackend((req, res) => void setTimeout(() => res.end('done'), req.url === '/slow' ? 400 : 0));
  const sys = await startSyslog();
  const port = await freePort();
  const cfg = write(
    'run.cfg',
    `global\n  nbthread 2\n  log 127.0.0.1:${sys.port} local0\ndefaults\n  mode http\n  log global\n  option httplog\n  timeout client 5s\n  timeout server 5s\n  timeout connect 1s\nfrontend fe\n  bind 127.0.0.1:${port}\n  default_backend b\nbackend b\n  server s 127.0.0.1:${be.port}\n`,
  );
  const start = async (): Promise<ReturnType<typeof spawn>> => {
    const child = spawn(process.execPath, [BIN, 'proxy', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.resume();
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((r) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('connect', () => (s.end(), r(true)));
        s.on('error', () => r(false));
      });
      if (up) return child;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('proxy did not start');
  };
  const exited = (c: ReturnType<typeof spawn>): Promise<number | null> => new Promise((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));
  try {
    const child = await start();
    const r = await raw(port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']);
    assert.match(r.text, /^HTTP\/1\.1 200 OK[\s\S]*done$/);
    const line = (await sys.waitFor(2)).map(splitSyslog).find((l) => l.message.includes('"GET / HTTP/1.1"'))!;
    assert.equal(line.header.match(/haproxy\[(\d+)\]/)![1], String(child.pid), 'workers log with the primary pid');

    const slow = raw(port, ['GET /slow HTTP/1.1\r\nHost: x\r\n\r\n'], { idleMs: 1500 });
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGUSR1');
    const inflight = await slow;
    assert.match(inflight.text, /^HTTP\/1\.1 200 OK[\s\S]*done$/, 'request in flight completed after soft stop');
    assert.equal(await exited(child), 0);
    await assert.rejects(raw(port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n']), /ECONNREFUSED/);

    const again = await start();
    again.kill('SIGTERM');
    assert.equal(await exited(again), 0);
  } finally {
    sys.close();
    await be.close();
  }
});
