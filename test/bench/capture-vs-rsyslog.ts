/**
 * Benchmark (not a test): `haloscope capture` against rsyslog (imudp + omfile) and
 * `socat -u UDP-RECV: OPEN:`, in the same run, on loopback.
 *
 *   npx tsc -p tsconfig.json && node dist/test/bench/capture-vs-rsyslog.js [options]
 *     --count N          datagrams per burst run (default 500000)
 *     --runs R           burst runs per collector, medians reported (default 3)
 *     --rate R           paced run rate in datagrams/s (default 100000)
 *     --paced-seconds S  paced run duration (default 30; 0 skips the paced run)
 *     --steps LIST       optional stepped paced runs, e.g. 50000,100000,150000 (5 s each):
 *                        the highest rate each collector takes without loss
 *     --only LIST        haloscope,haloscope-w2,rsyslog,socat (default: all that are installed;
 *                        haloscope-w2 is capture with --workers 2)
 *
 * Datagrams are real HAProxy lines from shared/corpus/access.log, sent as HAProxy sends them
 * (with a trailing newline) by a separate sender process: in the burst run as fast as it can,
 * in the paced run at a fixed rate. For each collector: datagrams sent, written (lines in its
 * output file), the kernel's drop counter for its socket (/proc/net/udp), and the loss.
 * Receive buffers are made equal: capture asks 32 MiB and Linux caps SO_RCVBUF at
 * net.core.rmem_max; rsyslog (root, SO_RCVBUFFORCE) and socat are given that same cap.
 *
 * Install the other collectors with: apt-get install -y rsyslog socat
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(here, '..', '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'bin', 'haloscope.js');
const SHARED = process.env.HALOSCOPE_SHARED ?? resolve(REPO_ROOT, '..', 'shared');
const CORPUS = join(SHARED, 'corpus', 'access.log');

// ---------------------------------------------------------------------------------------------
// Sender (child process): `--sender PORT COUNT RATE SECONDS`; RATE 0 = as fast as possible.

async function runSender(port: number, count: number, rate: number, seconds: number): Promise<void> {
  const lines = readFileSync(CORPUS, 'latin1').split('\n').filter((l) => l !== '').map((l) => Buffer.from(`${l}\n`, 'latin1'));
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.connect(port, '127.0.0.1', () => r()));
  const total = rate > 0 ? Math.round(rate * seconds) : count;
  const t0 = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
  let sent = 0;
  let errors = 0;
  const onSent = (err: Error | null): void => void (err && errors++);
  if (rate === 0) {
    while (sent < total) {
      // Yield every 1024 sends so libuv completes the send requests (memory stays flat).
      const stop = Math.min(total, sent + 1024);
      for (; sent < stop; sent++) socket.send(lines[sent % lines.length]!, onSent);
      await new Promise((r) => setImmediate(r));
    }
  } else {
    while (sent < total) {
      const due = Math.min(total, Math.floor(elapsed() * rate));
      for (; sent < due; sent++) socket.send(lines[sent % lines.length]!, onSent);
      await new Promise((r) => setImmediate(r));
    }
  }
  const took = elapsed();
  await new Promise((r) => setTimeout(r, 50));
  socket.close();
  process.stdout.write(JSON.stringify({ sent, seconds: took, errors }) + '\n');
}

// ---------------------------------------------------------------------------------------------
// Kernel view of a port: drops and queued bytes, whoever owns the socket.

function portQueue(port: number): { drops: number; rxQueue: number } | null {
  const text = readFileSync('/proc/net/udp', 'latin1');
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let seen = false;
  let drops = 0;
  let rxQueue = 0;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13 || !f[1]!.endsWith(hex) || f[2] !== '00000000:0000') continue;
    const q = f[4]!;
    seen = true;
    drops += Number(f[12]);
    rxQueue += parseInt(q.slice(q.indexOf(':') + 1), 16);
  }
  return seen ? { drops, rxQueue } : null;
}

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  let prev = 0x0a;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        const c = buf[i]!;
        if (c === 0x0a && prev !== 0x0a) lines++; // rsyslog may keep the datagram's newline: skip empty lines
        prev = c;
      }
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Collectors

interface Collector {
  readonly name: string;
  /** Starts listening on 127.0.0.1:port, writing to `out`. */
  start(port: number, out: string, work: string): ChildProcess;
}

function rmemMax(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'latin1').trim());
  } catch {
    return 212992;
  }
}

/** What SO_RCVBUF gives capture's 32 MiB request: the others get the same. */
const RCVBUF = Math.min(32 << 20, rmemMax());

function haloscope(name: string, workers: number): Collector {
  return {
    name,
    start: (port, out, work) =>
      spawn(process.execPath, [CLI, 'capture', '--quiet', '--workers', String(workers), '--listen', `127.0.0.1:${port}`, '--out', out, '--stats', join(work, 'stats.json')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
  };
}

const COLLECTORS: Record<string, Collector> = {
  haloscope: haloscope('haloscope', 1),
  'haloscope-w2': haloscope('haloscope-w2', 2),
  rsyslog: {
    name: 'rsyslog',
    start: (port, out, work) => {
      const conf = join(work, 'rsyslog.conf');
      writeFileSync(
        conf,
        [
          `global(workDirectory="${work}" maxMessageSize="64k")`,
          `module(load="imudp")`,
          `template(name="raw" type="string" string="%rawmsg%\\n")`,
          // A large in-memory main queue and time to write it at shutdown: no loss on our side.
          `main_queue(queue.type="FixedArray" queue.size="1000000" queue.timeoutShutdown="60000" queue.timeoutEnqueue="0")`,
          `input(type="imudp" address="127.0.0.1" port="${port}" rcvbufSize="${RCVBUF}")`,
          `action(type="omfile" file="${out}" template="raw")`,
          '',
        ].join('\n'),
      );
      return spawn('rsyslogd', ['-n', '-f', conf, '-i', join(work, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    },
  },
  socat: {
    name: 'socat',
    start: (port, out) => spawn('socat', ['-u', `UDP-RECV:${port},bind=127.0.0.1,rcvbuf=${RCVBUF}`, `OPEN:${out},creat,append`], { stdio: ['ignore', 'ignore', 'pipe'] }),
  },
};

function installed(name: string): boolean {
  if (name.startsWith('haloscope')) return existsSync(CLI);
  const bin = name === 'rsyslog' ? 'rsyslogd' : name;
  return spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`]).status === 0;
}

interface RunResult {
  readonly sent: number;
  readonly sendRate: number;
  readonly written: number;
  /** Written lines per second, from the sender's start to the last growth of the file. */
  readonly writtenRate: number;
  readonly kernelDrops: number;
  readonly lost: number;
  readonly received: number | null;
}

async function runOnce(c: Collector, count: number, rate: number, seconds: number): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), `bench-${c.name}-`));
  const out = join(work, 'out.log');
  const port = await freePort();
  const child = c.start(port, out, work);
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const until = Date.now() + 10_000;
    while (portQueue(port) === null) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`${c.name} did not start: ${err}`);
      await sleep(20);
    }
    const t0 = Date.now();
    const sender = spawn(process.execPath, [fileURLToPath(import.meta.url), '--sender', String(port), String(count), String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let sout = '';
    sender.stdout!.setEncoding('utf8').on('data', (d: string) => (sout += d));
    let lastSize = 0;
    let lastGrowth = t0;
    let senderDone = false;
    sender.once('exit', () => void (senderDone = true));
    // Done when the sender has finished, the socket queue is empty and the file stopped growing.
    for (;;) {
      await sleep(20);
      const size = fileSize(out);
      if (size !== lastSize) {
        lastSize = size;
        lastGrowth = Date.now();
      }
      const q = portQueue(port);
      if (senderDone && (q?.rxQueue ?? 0) === 0 && Date.now() - lastGrowth > 1000) break;
      if (Date.now() - t0 > (seconds + 120) * 1000) break;
    }
    const s = JSON.parse(sout.trim()) as { sent: number; seconds: number };
    const kernelDrops = portQueue(port)?.drops ?? 0;
    child.kill('SIGTERM');
    await exited;
    let received: number | null = null;
    if (c.name.startsWith('haloscope') && existsSync(join(work, 'stats.json'))) received = JSON.parse(readFileSync(join(work, 'stats.json'), 'utf8')).received;
    const written = countLines(out);
    return {
      sent: s.sent,
      sendRate: s.sent / s.seconds,
      written,
      writtenRate: written / Math.max(0.001, (lastGrowth - t0) / 1000),
      kernelDrops,
      lost: s.sent - written,
      received,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (part: number, whole: number): string => `${((100 * part) / Math.max(1, whole)).toFixed(3)}%`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  if (!existsSync(CORPUS)) throw new Error(`corpus not found: ${CORPUS} (set HALOSCOPE_SHARED)`);
  const count = Number(flag('--count', '500000'));
  const runs = Number(flag('--runs', '3'));
  const rate = Number(flag('--rate', '100000'));
  const pacedSeconds = Number(flag('--paced-seconds', '30'));
  const steps = flag('--steps', '').split(',').filter(Boolean).map(Number);
  const wanted = flag('--only', 'haloscope,haloscope-w2,rsyslog,socat').split(',');
  const collectors = wanted.filter((n) => {
    const ok = n in COLLECTORS && installed(n);
    if (!ok) console.log(`skipping ${n}: not installed (apt-get install -y rsyslog socat)`);
    return ok;
  }).map((n) => COLLECTORS[n]!);
  const rsyslogVersion = spawnSync('rsyslogd', ['-v'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? '';
  console.log(`node ${process.version}; ${rsyslogVersion.trim()}; receive buffer ${RCVBUF} bytes asked (net.core.rmem_max ${rmemMax()}), ${(await import('node:os')).cpus().length} CPUs`);

  console.log(`\nburst: ${fmt(count)} corpus datagrams as fast as one sender process can, ${runs} runs each, medians`);
  const burst = new Map<string, RunResult[]>();
  for (let r = 0; r < runs; r++) {
    for (const c of collectors) {
      const res = await runOnce(c, count, 0, 0);
      (burst.get(c.name) ?? burst.set(c.name, []).get(c.name)!).push(res);
      console.log(`  run ${r + 1} ${c.name}: sent ${fmt(res.sendRate)}/s, written ${fmt(res.written)} (${fmt(res.writtenRate)}/s), kernel drops ${fmt(res.kernelDrops)}, lost ${fmt(res.lost)}${res.received !== null ? `, received ${fmt(res.received)}` : ''}`);
    }
  }
  const rows = [['collector', 'sent/s', 'received', 'written', 'written/s', 'kernel drops', 'lost', 'loss']];
  for (const [name, rs] of burst) {
    const rec = rs.every((x) => x.received !== null) ? fmt(median(rs.map((x) => x.received!))) : '-';
    rows.push([name, fmt(median(rs.map((x) => x.sendRate))), rec, fmt(median(rs.map((x) => x.written))), fmt(median(rs.map((x) => x.writtenRate))), fmt(median(rs.map((x) => x.kernelDrops))), fmt(median(rs.map((x) => x.lost))), pct(median(rs.map((x) => x.lost)), count)]);
  }
  console.log(table(rows));
  for (const oursName of ['haloscope', 'haloscope-w2']) {
    const ours = burst.get(oursName);
    for (const other of ['rsyslog', 'socat']) {
      const o = burst.get(other);
      if (ours && o) {
        const w = median(ours.map((x) => x.written)) / Math.max(1, median(o.map((x) => x.written)));
        console.log(`  ${oursName}/${other}: ${w.toFixed(2)}x the datagrams written in the burst`);
      }
    }
  }

  if (pacedSeconds > 0) {
    console.log(`\npaced: ${fmt(rate)} datagrams/s for ${pacedSeconds} s`);
    const prow = [['collector', 'sent', 'achieved/s', 'written', 'kernel drops', 'lost', 'loss']];
    for (const c of collectors) {
      const res = await runOnce(c, 0, rate, pacedSeconds);
      prow.push([c.name, fmt(res.sent), fmt(res.sendRate), fmt(res.written), fmt(res.kernelDrops), fmt(res.lost), pct(res.lost, res.sent)]);
      console.log(`  ${c.name}: lost ${fmt(res.lost)} of ${fmt(res.sent)}`);
    }
    console.log(table(prow));
  }

  if (steps.length > 0) {
    console.log(`\nstepped: 5 s at each of ${steps.map(fmt).join(', ')} datagrams/s; highest rate without loss`);
    const srow = [['collector', ...steps.map((s) => `${fmt(s)}/s lost`), 'no-loss rate']];
    for (const c of collectors) {
      const cells: string[] = [];
      let best = 0;
      for (const s of steps) {
        const res = await runOnce(c, 0, s, 5);
        cells.push(`${fmt(res.lost)} (${fmt(res.sendRate)}/s sent)`);
        if (res.lost === 0) best = Math.max(best, res.sendRate);
      }
      srow.push([c.name, ...cells, best > 0 ? fmt(best) : '-']);
    }
    console.log(table(srow));
  }
}

if (process.env.NODE_TEST_CONTEXT) {
  // `node --test dist/test/` loads every file under test/: a benchmark is not a test.
  console.log('capture-vs-rsyslog is a benchmark: run node dist/test/bench/capture-vs-rsyslog.js');
} else if (process.argv[2] === '--sender') {
  void runSender(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]));
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
