import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLogBuffer } from '../generate/generate.js';

/**
 * `haloscope demo`: the first thing a new user runs. It writes a realistic HAProxy log and
 * shows what the analyzer says about it, with the commands to reproduce each table.
 */
const HALOG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'halog', 'main.js');

function section(title: string, args: string[], file: string): void {
  const fd = openSync(file, 'r');
  const r = spawnSync(process.execPath, [HALOG, ...args], { stdio: [fd, 'pipe', 'pipe'] });
  closeSync(fd);
  process.stdout.write(`\n== ${title}   (halog ${args.join(' ')} < ${file})\n`);
  process.stdout.write(r.stdout);
  if (r.status !== 0) process.stdout.write(r.stderr);
}

export async function main(args: string[]): Promise<number> {
  const outIndex = args.indexOf('--out');
  const dir = outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1]! : join(tmpdir(), 'haloscope-demo');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'haproxy.log');
  const lines = 200_000;
  writeFileSync(file, generateLogBuffer({ seed: 42, lines, format: 'local', malformedRate: 0.001, tcpRate: 0.01 }));
  process.stdout.write(`haloscope demo: wrote ${lines} HAProxy log lines (as HAProxy sends them over UDP) to ${file}\n`);
  section('Requests per server', ['-s', '0', '-H', '-srv'], file);
  section('Status codes', ['-s', '0', '-H', '-st'], file);
  section('Termination states', ['-s', '0', '-H', '-tc'], file);
  section('Busiest URLs', ['-s', '0', '-m', '10', '-uc'], file);
  section('Slowest URLs by total server time', ['-s', '0', '-m', '10', '-uto'], file);
  section('Clients by request count', ['-s', '0', '-m', '10', '-ic'], file);
  process.stdout.write(`\nThe log stays at ${file}; try other halog flags on it (halog --help).\n`);
  return 0;
}
