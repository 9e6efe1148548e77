/**
 * Benchmark (not a test): `haloscope capture` against rsyslog (imudp + omfile) and
 * `socat -u UDP-RECV: OPEN:`, in the same run, on loopback.
 *
 *   npx tsc -p tsconfig.json && node dist/test/bench/capture-vs-rsyslog.js [options]
 *     --count N          datagrams per burst run (default 500000)
 *     --runs R           burst runs per collector, medians reported (default 3; 0 skips)
 *     --rate R           paced run rate in datagrams/s (default 100000)
 *     --paced-seconds S  paced run duration (default 30; 0 skips the paced run)
 *     --steps LIST       optional stepped paced runs, e.g. 50000,100000,150000 (--step-seconds
 *                        each, default 5): the highest rate each collector takes without loss
 *     --rounds N         repeat the paced and stepped runs N times (default 1), collectors
 *                        interleaved within each round; medians over rounds are reported
 *     --only LIST        haloscope,haloscope-w2,rsyslog,socat (default: all that are installed;
 *                        haloscope-wN is capture with --workers N, haloscope-rN with --readers N)
 *     --sender c|node    the sending process (default c when a C compiler is found: one
 *                        sendmmsg() per 64 datagrams, a few % of a CPU at 100,000/s; the
 *                        Node.js sender takes a whole CPU and cannot reach 100,000/s on 2 vCPUs)
 *     --rcvbuf BYTES     receive buffer asked by every collector (default min(32 MiB, rmem_max))
 *     --before CLI       also run another build of capture (dist/bin/haloscope.js of an older
 *                        checkout) as haloscope-before[-wN] in --only, for before/after figures
 *     --rmem-max BYTES   opt-in: as root, set net.core.rmem_max to BYTES for the benchmark and
 *                        restore the old value at the end (printed either way)
 *
 * Datagrams are real HAProxy lines from shared/corpus/access.log, sent as HAProxy sends them
 * (with a trailing newline) by a separate sender process: in the burst run as fast as it can,
 * in the paced run at a fixed rate. For each collector: datagrams sent, written (lines in its
 * output file), the kernel's drop counter for its socket (/proc/net/udp), the loss, the CPU
 * time of its processes (all threads and worker processes) and the load average at the start.
 * Receive buffers are made equal: every collector asks --rcvbuf, by default no more than
 * net.core.rmem_max allows socat (SO_RCVBUF only); as root, rsyslog and capture get a larger
 * --rcvbuf past that cap (both set SO_RCVBUFFORCE), socat does not.
 *
 * Install the other collectors with: apt-get install -y rsyslog socat
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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

// The C sender: same corpus, same output line; sendmmsg() in batches of 64, paced against
// CLOCK_MONOTONIC in 0.2 ms sleeps. Built once per source version into os.tmpdir().
const C_SENDER = String.raw`#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/uio.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: sender PORT COUNT RATE SECONDS FILE\n"); return 2; }
  int port = atoi(argv[1]); long count = atol(argv[2]); double rate = atof(argv[3]), seconds = atof(argv[4]);
  FILE *f = fopen(argv[5], "rb"); if (!f) { perror(argv[5]); return 1; }
  fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
  char *data = malloc(size + 1); if (fread(data, 1, size, f) != (size_t)size) return 1; fclose(f);
  long n = 0; for (long i = 0; i < size; i++) if (data[i] == '\n') n++;
  struct iovec *lines = malloc(sizeof *lines * (n + 1)); long k = 0, s = 0;
  for (long i = 0; i < size; i++) if (data[i] == '\n') { if (i > s) { lines[k].iov_base = data + s; lines[k].iov_len = i - s + 1; k++; } s = i + 1; }
  n = k;
  int fd = socket(AF_INET, SOCK_DGRAM, 0); struct sockaddr_in a = {0};
  a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(0x7f000001);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("connect"); return 1; }
  long total = rate > 0 ? (long)(rate * seconds + 0.5) : count, sent = 0, errors = 0;
  enum { B = 64 }; struct mmsghdr m[B]; memset(m, 0, sizeof m);
  double t0 = now();
  while (sent < total) {
    long due = rate > 0 ? (long)((now() - t0) * rate) : total; if (due > total) due = total;
    if (due <= sent) { struct timespec ts = {0, 200000}; nanosleep(&ts, 0); continue; }
    while (sent < due) {
      int b = due - sent < B ? (int)(due - sent) : B;
      for (int i = 0; i < b; i++) { m[i].msg_hdr.msg_iov = &lines[(sent + i) % n]; m[i].msg_hdr.msg_iovlen = 1; }
      int r = sendmmsg(fd, m, b, 0);
      if (r < 0) { if (++errors > 1000000) break; continue; }
      sent += r;
    }
    if (errors > 1000000) break;
  }
  printf("{\"sent\":%ld,\"seconds\":%.6f,\"errors\":%ld}\n", sent, now() - t0, errors);
  return 0;
}
`;

/** Path of the compiled C sender, or null when there is no C compiler. */
function buildCSender(): string | null {
  const hash = createHash('sha256').update(C_SENDER).digest('hex').slice(0, 12);
  const bin = join(tmpdir(), `haloscope-bench-sender-${hash}`);
  if (existsSync(bin)) return bin;
  const src = `${bin}.c`;
  writeFileSync(src, C_SENDER);
  const r = spawnSync('cc', ['-O2', '-o', `${bin}.tmp`, src], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`no C sender (${r.error?.message ?? r.stderr.trim().split('\n')[0]}): using the Node.js sender`);
    return null;
  }
  renameSync(`${bin}.tmp`, bin);
  return bin;
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

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** The receive buffer every collector asks (set in main, after an opt-in --rmem-max). */
let RCVBUF = 0;

function haloscope(name: string, workers: number, cli = CLI, readers: number | null = null): Collector {
  return {
    name,
    start: (port, out, work) =>
      spawn(
        process.execPath,
        [cli, 'capture', '--quiet', '--workers', String(workers), ...(readers !== null ? ['--readers', String(readers)] : []), '--rcvbuf', String(RCVBUF), '--listen', `127.0.0.1:${port}`, '--out', out, '--stats', join(work, 'stats.json')],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      ),
  };
}

const OTHERS: Record<string, Collector> = {
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

function collector(name: string): Collector | null {
  const w = /^haloscope(-before)?(?:-w(\d+))?(?:-r(\d+))?$/.exec(name);
  if (w) {
    const cli = w[1] ? flag('--before', '') : CLI;
    return cli === '' ? null : haloscope(name, Number(w[2] ?? 1), cli, w[3] !== undefined ? Number(w[3]) : null);
  }
  return OTHERS[name] ?? null;
}

function installed(name: string): boolean {
  if (name.startsWith('haloscope-before')) return existsSync(flag('--before', ''));
  if (name.startsWith('haloscope')) return existsSync(CLI);
  const bin = name === 'rsyslog' ? 'rsyslogd' : name;
  return spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`]).status === 0;
}

/** CPU seconds (user + system, all threads) of a process and its descendants, from /proc. */
function treeCpuSeconds(pid: number): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  const visit = (p: number): void => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / tick;
      for (const t of readdirSync(`/proc/${p}/task`)) {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'latin1').split(' ').filter(Boolean)) visit(Number(c));
      }
    } catch {
      // gone meanwhile
    }
  };
  visit(pid);
  return total;
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
  /** CPU seconds of the collector's processes while the datagrams were sent and written. */
  readonly cpu: number;
  /** 1-minute load average when the run started. */
  readonly load: number;
}

let SENDER: string | null = null;

function startSender(port: number, count: number, rate: number, seconds: number): ChildProcess {
  if (SENDER !== null) return spawn(SENDER, [String(port), String(count), String(rate), String(seconds), CORPUS], { stdio: ['ignore', 'pipe', 'inherit'] });
  return spawn(process.execPath, [fileURLToPath(import.meta.url), '--sender', String(port), String(count), String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    // Let worker processes bind and the collector settle before counting its CPU.
    await sleep(300);
    const load = loadavg()[0]!;
    const cpu0 = treeCpuSeconds(child.pid!);
    const t0 = Date.now();
    const sender = startSender(port, count, rate, seconds);
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
    const cpu = treeCpuSeconds(child.pid!) - cpu0;
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
      cpu,
      load,
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
/** CPU microseconds per datagram written. */
const usPer = (r: RunResult): number => (1e6 * r.cpu) / Math.max(1, r.written);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  (m.get(key) ?? m.set(key, []).get(key)!).push(v);
}

async function main(): Promise<void> {
  if (!existsSync(CORPUS)) throw new Error(`corpus not found: ${CORPUS} (set HALOSCOPE_SHARED)`);
  const count = Number(flag('--count', '500000'));
  const runs = Number(flag('--runs', '3'));
  const rate = Number(flag('--rate', '100000'));
  const pacedSeconds = Number(flag('--paced-seconds', '30'));
  const steps = flag('--steps', '').split(',').filter(Boolean).map(Number);
  const stepSeconds = Number(flag('--step-seconds', '5'));
  const rounds = Number(flag('--rounds', '1'));
  const wanted = flag('--only', 'haloscope,haloscope-w2,rsyslog,socat').split(',');
  const collectors = wanted
    .filter((n) => {
      const ok = collector(n) !== null && installed(n);
      if (!ok) console.log(`skipping ${n}: unknown or not installed (apt-get install -y rsyslog socat)`);
      return ok;
    })
    .map((n) => collector(n)!);
  SENDER = flag('--sender', 'c') === 'c' ? buildCSender() : null;

  const rmemWanted = flag('--rmem-max', '');
  const rmemBefore = rmemMax();
  if (rmemWanted !== '') {
    // Opt-in only: a system-wide setting, restored when the benchmark ends.
    writeFileSync('/proc/sys/net/core/rmem_max', `${Number(rmemWanted)}\n`);
    const restore = (): void => writeFileSync('/proc/sys/net/core/rmem_max', `${rmemBefore}\n`);
    process.once('exit', restore);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
    console.log(`net.core.rmem_max set from ${rmemBefore} to ${rmemMax()} for this run (--rmem-max); restored at exit`);
  }
  RCVBUF = Number(flag('--rcvbuf', String(Math.min(32 << 20, rmemMax()))));

  const rsyslogVersion = spawnSync('rsyslogd', ['-v'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? '';
  console.log(
    `node ${process.version}; ${rsyslogVersion.trim()}; receive buffer ${RCVBUF} bytes asked by all (net.core.rmem_max ${rmemMax()}), ` +
      `${cpus().length} CPUs; sender ${SENDER !== null ? 'C (sendmmsg)' : 'Node.js'}; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );

  if (runs > 0) {
    console.log(`\nburst: ${fmt(count)} corpus datagrams as fast as one sender process can, ${runs} runs each, medians`);
    const burst = new Map<string, RunResult[]>();
    for (let r = 0; r < runs; r++) {
      for (const c of collectors) {
        const res = await runOnce(c, count, 0, 0);
        push(burst, c.name, res);
        console.log(
          `  run ${r + 1} ${c.name}: sent ${fmt(res.sendRate)}/s, written ${fmt(res.written)} (${fmt(res.writtenRate)}/s), kernel drops ${fmt(res.kernelDrops)}, lost ${fmt(res.lost)}${res.received !== null ? `, received ${fmt(res.received)}` : ''}, CPU ${res.cpu.toFixed(2)} s, load ${res.load.toFixed(2)}`,
        );
      }
    }
    const rows = [['collector', 'sent/s', 'received', 'written', 'written/s', 'kernel drops', 'lost', 'loss', 'CPU us/written']];
    for (const [name, rs] of burst) {
      const rec = rs.every((x) => x.received !== null) ? fmt(median(rs.map((x) => x.received!))) : '-';
      rows.push([
        name,
        fmt(median(rs.map((x) => x.sendRate))),
        rec,
        fmt(median(rs.map((x) => x.written))),
        fmt(median(rs.map((x) => x.writtenRate))),
        fmt(median(rs.map((x) => x.kernelDrops))),
        fmt(median(rs.map((x) => x.lost))),
        pct(median(rs.map((x) => x.lost)), count),
        median(rs.map(usPer)).toFixed(2),
      ]);
    }
    console.log(table(rows));
    for (const c of collectors.filter((x) => x.name.startsWith('haloscope'))) {
      const ours = burst.get(c.name)!;
      for (const other of ['rsyslog', 'socat']) {
        const o = burst.get(other);
        if (o) console.log(`  ${c.name}/${other}: ${(median(ours.map((x) => x.written)) / Math.max(1, median(o.map((x) => x.written)))).toFixed(2)}x the datagrams written in the burst`);
      }
    }
  }

  const paced = new Map<string, RunResult[]>();
  const stepped = new Map<string, RunResult[][]>();
  for (let round = 1; round <= rounds; round++) {
    if (pacedSeconds > 0) {
      console.log(`\nround ${round}/${rounds}, paced: ${fmt(rate)} datagrams/s for ${pacedSeconds} s`);
      for (const c of collectors) {
        const res = await runOnce(c, 0, rate, pacedSeconds);
        push(paced, c.name, res);
        console.log(
          `  ${c.name}: sent ${fmt(res.sent)} at ${fmt(res.sendRate)}/s, written ${fmt(res.written)}, kernel drops ${fmt(res.kernelDrops)}, lost ${fmt(res.lost)} (${pct(res.lost, res.sent)}), CPU ${res.cpu.toFixed(2)} s (${usPer(res).toFixed(2)} us/datagram), load ${res.load.toFixed(2)}`,
        );
      }
    }
    if (steps.length > 0) {
      console.log(`\nround ${round}/${rounds}, stepped: ${stepSeconds} s at each of ${steps.map(fmt).join(', ')} datagrams/s`);
      for (const c of collectors) {
        const row: RunResult[] = [];
        for (const st of steps) {
          const res = await runOnce(c, 0, st, stepSeconds);
          row.push(res);
          console.log(
            `  ${c.name} at ${fmt(st)}/s: sent ${fmt(res.sendRate)}/s, lost ${fmt(res.lost)} of ${fmt(res.sent)} (kernel drops ${fmt(res.kernelDrops)}), CPU ${usPer(res).toFixed(2)} us/datagram, load ${res.load.toFixed(2)}`,
          );
        }
        push(stepped, c.name, row);
      }
    }
  }

  if (paced.size > 0) {
    console.log(`\npaced ${fmt(rate)}/s for ${pacedSeconds} s, ${rounds} round(s): per round lost (loss), medians`);
    const prow = [['collector', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1} lost`), 'median achieved/s', 'median loss', 'rounds lossless', 'CPU us/datagram', 'load']];
    for (const [name, rs] of paced) {
      prow.push([
        name,
        ...rs.map((r) => `${fmt(r.lost)} (${pct(r.lost, r.sent)})`),
        fmt(median(rs.map((r) => r.sendRate))),
        pct(median(rs.map((r) => r.lost)), median(rs.map((r) => r.sent))),
        `${rs.filter((r) => r.lost === 0).length}/${rs.length}`,
        median(rs.map(usPer)).toFixed(2),
        rs.map((r) => r.load.toFixed(1)).join('/'),
      ]);
    }
    console.log(table(prow));
  }

  if (stepped.size > 0) {
    console.log(`\nstepped, ${stepSeconds} s per rate, ${rounds} round(s): highest rate sent without loss per round, median`);
    const noLoss = (row: RunResult[]): number => Math.max(0, ...row.filter((r) => r.lost === 0).map((r) => r.sendRate));
    const srow = [['collector', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`), 'median no-loss rate', 'vs rsyslog']];
    const rs = stepped.get('rsyslog');
    const rsMedian = rs ? median(rs.map(noLoss)) : 0;
    for (const [name, rows] of stepped) {
      const m = median(rows.map(noLoss));
      srow.push([name, ...rows.map((r) => (noLoss(r) > 0 ? fmt(noLoss(r)) : '-')), m > 0 ? fmt(m) : '-', rsMedian > 0 ? `${(m / rsMedian).toFixed(2)}x` : '-']);
    }
    console.log(table(srow));
  }
  console.log(`\nload average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
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
