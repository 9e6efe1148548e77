/**
 * nginx as the benchmark's backend (test/bench/proxy-vs-haproxy.ts), like the setup of
 * haloscope issue 3's figures: one process (`master_process off`), one worker's worth of
 * CPU, no access log, answering every request with the same `size`-byte body, keep-alive
 * without a request limit. It runs on its own, so the CPU it spends (on accepting server
 * connections, for example) is measured apart from the proxies'. Benchmark only: nothing
 * in `npm test` needs nginx.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface NginxBackend {
  readonly port: number;
  readonly pid: number;
  close(): Promise<void>;
}

/** The nginx binary on PATH, or null. */
export function findNginx(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx']);
  const p = r.status === 0 ? r.stdout.toString().trim().split('\n')[0] : '';
  return p ? p : null;
}

export async function startNginx(bin: string, port: number, size: number, waitPort: (port: number) => Promise<void>): Promise<NginxBackend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hx-bench-nginx-'));
  fs.writeFileSync(path.join(dir, 'body'), Buffer.alloc(size, 'x'));
  // temp paths inside the prefix: the packaged defaults (/var/lib/nginx) may not be writable
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`).join('\n');
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  sendfile on;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
${temp}
  server {
    listen 127.0.0.1:${port} backlog=1024;
    root ${dir};
    location / { try_files /body =404; }
  }
}
`,
  );
  const child: ChildProcess = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitPort(port);
  return {
    port,
    pid: child.pid!,
    close: () =>
      new Promise<void>((r) => {
        const done = (): void => {
          fs.rmSync(dir, { recursive: true, force: true });
          r();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGQUIT');
      }),
  };
}
