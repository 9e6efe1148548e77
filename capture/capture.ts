/**
 * A running collector: sockets, pipeline, sinks, timers (rotation, drop watch, stats file) and
 * the orderly stop. main.ts adds the command line, signals and the live view around it; tests
 * start it directly.
 */
import type { Counters } from './counters.js';
import { newCounters } from './counters.js';
import { RuntimeCode } from './errors.js';
import { FileSink } from './file-sink.js';
import { readSocketQueues } from './kernel-drops.js';
import type { CaptureConfig, ListenAddress } from './options.js';
import { MAX_SPLIT_FILES, buildPipeline, outputPathFor, type Observe, type SinkSet } from './pipeline.js';
import { openListeners, raiseRmemMax, readRmemMax, type Listener, type Receivers } from './receiver.js';
import { Reporter } from './reporter.js';
import { Compressor, nextBoundary } from './rotate.js';
import { StdoutSink, type LineSink } from './sink.js';
import { formatStatsLine, snapshot, writeStatsFile, type ListenerStats, type StatsSnapshot } from './stats.js';
import { BatchWriter, readBatch } from './worker-batch.js';

export interface CaptureIo {
  /** Where messages go (stderr in the CLI). */
  readonly log: (text: string) => void;
  readonly observe?: Observe | null;
}

class Sinks implements SinkSet {
  readonly #make: (key: string) => LineSink;
  readonly #byKey = new Map<string, LineSink>();

  constructor(make: (key: string) => LineSink) {
    this.#make = make;
  }

  get(key: string): LineSink {
    let s = this.#byKey.get(key);
    if (s === undefined) {
      if (this.#byKey.size >= MAX_SPLIT_FILES) return this.get('other');
      s = this.#make(key);
      this.#byKey.set(key, s);
    }
    return s;
  }

  all(): Iterable<LineSink> {
    return this.#byKey.values();
  }
}

const WARM_LINE = Buffer.from(
  '<134>Nov 24 17:10:49 haproxy[13531]: 127.1.5.77:48031 [24/Nov/2026:17:10:49.931] fe_web bk_app/app1 0/0/0/5/5 200 1417 - - ---- 1/1/0/0/0 0/0 "GET /index.html HTTP/1.1"\n',
  'latin1',
);

/**
 * Runs the per-datagram path (batch reading, classify, format, sink) on a sample line into
 * /dev/null before the sockets open, so that it is compiled when traffic comes. Cold, the first
 * fraction of a second of a 100,000/s stream ran several times slower and competed for the CPU
 * with the reader thread, whose 8 MiB buffer then overflowed (reader-thread.ts warms its side).
 * Closures built by buildPipeline share their compiled code, so the real pipeline benefits.
 */
async function warmUp(config: CaptureConfig): Promise<void> {
  const counters = newCounters();
  const reporter = new Reporter(() => undefined);
  const sink = new FileSink('/dev/null', { counters, reporter, batchBytes: config.batchBytes, rotateBytes: 0, backlogBytes: config.backlogBytes, compressor: null });
  try {
    const sinks: SinkSet = { get: () => sink, all: () => [sink] };
    const { onDatagram } = buildPipeline({ ...config, split: 'none' }, counters, sinks, null);
    const batch = new BatchWriter(64 * 1024);
    while (!batch.full) batch.add(WARM_LINE, 0, WARM_LINE.length, '');
    const b = batch.take();
    for (let i = 0; i < 40; i++) readBatch(b, onDatagram);
  } finally {
    await sink.close();
  }
}

/** How long stop() keeps reading what the kernel still holds for us before closing the sockets. */
const DRAIN_LIMIT_MS = 2000;

export class Capture {
  readonly config: CaptureConfig;
  readonly counters: Counters;
  readonly reporter: Reporter;
  readonly compressor: Compressor;
  readonly startedAt = Date.now();
  #listeners: readonly Listener[] = [];
  #receivers: Receivers | null = null;
  readonly #sinks: Sinks;
  readonly #timers: NodeJS.Timeout[] = [];
  #rotateTimer: NodeJS.Timeout | null = null;
  #lastDrops = new Map<string, number>();
  #stopping: Promise<StatsSnapshot> | null = null;

  private constructor(config: CaptureConfig, io: CaptureIo) {
    this.config = config;
    this.counters = newCounters();
    this.reporter = new Reporter(io.log);
    this.compressor = new Compressor(this.reporter);
    const make = (key: string): LineSink =>
      config.out === '-'
        ? new StdoutSink(this.counters, config.batchBytes, config.backlogBytes)
        : new FileSink(outputPathFor(config, key), {
            counters: this.counters,
            reporter: this.reporter,
            batchBytes: config.batchBytes,
            rotateBytes: config.rotateBytes,
            backlogBytes: config.backlogBytes,
            compressor: config.gzip ? this.compressor : null,
          });
    this.#sinks = new Sinks(make);
  }

  /** Binds every --listen (throws BindError) and starts collecting. */
  static async start(config: CaptureConfig, io: CaptureIo): Promise<Capture> {
    if (config.out !== '-') await warmUp(config).catch(() => undefined);
    const c = new Capture(config, io);
    if (config.raiseRmemMax) {
      const r = raiseRmemMax(config.rcvbuf);
      if (r.raised) {
        c.reporter.info(`raised net.core.rmem_max from ${r.before} to ${config.rcvbuf} (--raise-rmem-max; system-wide, kept after exit: 'sysctl -w net.core.rmem_max=${r.before}' restores it)`);
      } else if (r.error !== null) {
        c.reporter.problem(RuntimeCode.rcvbufCapped, 'rmem_max', `--raise-rmem-max: cannot raise net.core.rmem_max to ${config.rcvbuf}: ${r.error}`);
      }
    }
    const { onDatagram, needsSender } = buildPipeline(config, c.counters, c.#sinks, io.observe ?? null);
    const onSocketError = (a: ListenAddress, err: Error): void => c.reporter.problem(RuntimeCode.socket, a.text, `socket error on udp ${a.text}: ${err.message}`);
    if (config.workers > 1) {
      c.#receivers = await (await import('./workers.js')).openWorkers(config.listen, config.rcvbuf, config.workers, config.batchBytes, onDatagram, needsSender, c.reporter);
    } else if (config.readers > 0 && !needsSender) {
      c.#receivers = await (await import('./readers.js')).openReaders(config.listen, config.rcvbuf, config.readers, config.batchBytes, onDatagram, c.reporter, onSocketError);
    } else {
      c.#receivers = await openListeners(config.listen, config.rcvbuf, onDatagram, !needsSender, onSocketError);
    }
    c.#listeners = c.#receivers.listeners;
    c.#checkRcvbuf();
    if (config.rotateMs > 0) c.#scheduleRotation();
    c.#timers.push(setInterval(() => c.#watchDrops(), 1000));
    if (config.statsFile) c.#timers.push(setInterval(() => void c.writeStats(), config.statsIntervalMs));
    return c;
  }

  get listeners(): readonly Listener[] {
    return this.#listeners;
  }

  get files(): string[] {
    return [...this.#sinks.all()].map((s) => s.path);
  }

  /** SIGHUP: reopen every output file at its path. */
  reopen(): void {
    for (const s of this.#sinks.all()) s.reopen();
  }

  /** Rotate every file now (the rotation timer calls it at interval boundaries). */
  rotate(stampMs = Date.now()): void {
    for (const s of this.#sinks.all()) s.rotate(stampMs);
  }

  /** Resolves when everything received so far is written or counted as unwritten. */
  async drain(): Promise<void> {
    await Promise.all([...this.#sinks.all()].map((s) => s.drain()));
  }

  /**
   * Reads what the kernel holds for our sockets (until their queues are empty, at most 2 s),
   * then drains: after it, every datagram the kernel accepted before the call is written,
   * counted as unwritten, or counted as a kernel drop.
   */
  async catchUp(): Promise<void> {
    await this.#readQueued();
    await this.#receivers?.sync?.();
    await this.drain();
  }

  async #readQueued(): Promise<void> {
    const until = Date.now() + DRAIN_LIMIT_MS;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const queues = readSocketQueues(this.#listeners);
      if (queues.every((q) => q === null || q.rxQueue === 0) || Date.now() > until) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  stats(): StatsSnapshot {
    const queues = readSocketQueues(this.#listeners);
    let drops = 0;
    const ls: ListenerStats[] = this.#listeners.map((l, i) => {
      const q = queues[i] ?? null;
      drops += q?.drops ?? 0;
      return { listen: l.address.text, type: l.type, port: l.port, rcvbuf: l.rcvbuf, kernelDropped: q ? q.drops : null, rxQueueBytes: q ? q.rxQueue : null };
    });
    // Sockets are gone after stop(): keep the last value read.
    if (this.#listeners.length > 0 && queues.some((q) => q !== null)) this.counters.kernelDropped = drops;
    return snapshot(this.counters, this.startedAt, ls, this.files, this.compressor.compressed);
  }

  statsLine(): string {
    return formatStatsLine(this.stats());
  }

  async writeStats(s: StatsSnapshot = this.stats()): Promise<void> {
    const path = this.config.statsFile;
    if (!path) return;
    try {
      await writeStatsFile(path, s);
    } catch (err) {
      this.reporter.problem(RuntimeCode.stats, path, `cannot write stats to ${path}: ${(err as Error).message}`);
    }
  }

  /**
   * Keeps reading until the kernel queues are empty (at most 2 s), closes the sockets, writes
   * everything, waits for compression, and returns the final counters.
   */
  stop(): Promise<StatsSnapshot> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<StatsSnapshot> {
    for (const t of this.#timers) clearInterval(t);
    if (this.#rotateTimer) clearTimeout(this.#rotateTimer);
    await this.#readQueued();
    const last = this.stats(); // kernel drop counts, while the sockets still exist
    this.#watchDrops();
    await this.#receivers?.close();
    await Promise.all([...this.#sinks.all()].map((s) => s.close()));
    await this.compressor.idle();
    const final = snapshot(this.counters, this.startedAt, last.listeners, this.files, this.compressor.compressed);
    await this.writeStats(final);
    return final;
  }

  #checkRcvbuf(): void {
    const bound = (l: Listener): string => (l.type === 'udp6' ? `[${l.address.host}]:${l.port}` : `${l.address.host}:${l.port}`);
    const asked = this.config.rcvbuf;
    const rmemMax = readRmemMax();
    for (const l of this.#listeners) {
      // Linux reports twice the value set (the other half is bookkeeping overhead).
      if (l.rcvbufForced) {
        this.reporter.info(`receive buffer on ${l.type} ${bound(l)} set to ${asked} bytes past net.core.rmem_max (${rmemMax ?? '?'}) with SO_RCVBUFFORCE, as root (the kernel reports ${l.rcvbuf})`);
      } else if (l.rcvbuf > 0 && l.rcvbuf < asked * 2) {
        const cap = rmemMax !== null ? `the kernel caps it at 2 x net.core.rmem_max (${rmemMax}, /proc/sys/net/core/rmem_max)` : 'the kernel capped it';
        const sysctl = `'sysctl -w net.core.rmem_max=${asked}'`;
        const fix = l.rcvbufForceError
          ? `SO_RCVBUFFORCE failed (${l.rcvbufForceError}): raise the cap with ${sysctl} or --raise-rmem-max`
          : `raise the cap with ${sysctl}, or run capture as root (it then sets SO_RCVBUFFORCE)`;
        this.reporter.problem(RuntimeCode.rcvbufCapped, l.address.text, `receive buffer on ${l.type} ${bound(l)} is ${l.rcvbuf} bytes, not the ${asked} asked: ${cap}; ${fix}`);
      }
    }
  }

  #watchDrops(): void {
    const queues = readSocketQueues(this.#listeners);
    let total = 0;
    this.#listeners.forEach((l, i) => {
      const q = queues[i];
      if (!q) return;
      total += q.drops;
      const key = `${l.type} ${l.port}`;
      const before = this.#lastDrops.get(key) ?? 0;
      if (q.drops > before) {
        this.reporter.problem(
          RuntimeCode.kernelDrops,
          key,
          `the kernel dropped ${q.drops - before} datagrams on ${l.type} ${l.type === 'udp6' ? `[${l.address.host}]` : l.address.host}:${l.port} (receive buffer full; ${q.drops} in total): raise --rcvbuf and net.core.rmem_max`,
        );
      }
      this.#lastDrops.set(key, q.drops);
    });
    if (queues.some((q) => q !== null)) this.counters.kernelDropped = total;
  }

  #scheduleRotation(): void {
    const at = nextBoundary(Date.now(), this.config.rotateMs);
    this.#rotateTimer = setTimeout(() => {
      this.rotate(at);
      this.#scheduleRotation();
    }, at - Date.now());
  }
}
