/**
 * `haloscope capture`: command line, signals, exit status.
 *
 * Exit status: 0 when every datagram received was written and the kernel dropped none,
 * 3 when some were lost (the counters say where), 2 for bad options, 1 when a listener cannot bind.
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { Capture } from './capture.js';
import { CaptureError } from './errors.js';
import { parseOptions, USAGE } from './options.js';
import { formatStatsLine } from './stats.js';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return !statSync(path.replace(/\/+$/, '')).isDirectory();
  } catch {
    return false;
  }
}

export async function main(args: string[]): Promise<number> {
  const log = (text: string): void => void process.stderr.write(text);
  const parsed = parseOptions(args, isDirectory, isFile);
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!parsed.config) {
    for (const p of parsed.problems) log(`capture: ${p.message} [${p.code}]\n`);
    log(`Run 'haloscope capture --help' for the options.\n`);
    return 2;
  }
  const config = parsed.config;

  let live: { observe: (msg: Buffer, start: number, end: number) => void; start: (c: Capture) => void; stop: () => void } | null = null;
  if (config.live) {
    const { LiveView } = await import('./live/live-view.js');
    const { liveDetectOptions } = await import('./live/detect-options.js');
    const detect = liveDetectOptions(config.detect);
    if (typeof detect === 'string') {
      log(`capture: ${detect}\n`);
      return 2;
    }
    live = new LiveView(process.stdout, detect, config.detect.windowSeconds);
  }

  let capture: Capture;
  try {
    capture = await Capture.start(config, { log, observe: live ? live.observe : null });
  } catch (err) {
    if (err instanceof CaptureError) {
      log(`capture: ${err.message} [${err.code}]\n`);
      return 1;
    }
    throw err;
  }

  if (config.pidFile) {
    try {
      writeFileSync(config.pidFile, `${process.pid}\n`);
    } catch (err) {
      log(`capture: cannot write --pid-file ${config.pidFile}: ${(err as Error).message} [E_CAPTURE_OPEN]\n`);
    }
  }
  if (!config.quiet) {
    for (const l of capture.listeners) {
      const host = l.type === 'udp6' ? `[${l.address.host}]` : l.address.host;
      log(`capture: listening on ${l.type} ${host}:${l.port} (receive buffer ${l.rcvbuf} bytes)\n`);
    }
    const where = config.out === '-' ? 'stdout' : config.split !== 'none' ? `${config.out}/<${config.split}>.log` : capture.files[0] ?? config.out;
    log(`capture: writing ${config.format} lines to ${where}; SIGHUP reopens, SIGUSR1 prints counters, SIGINT/SIGTERM stop\n`);
  }
  live?.start(capture);

  const onHup = (): void => {
    capture.reopen();
    void capture.drain().then(() => log(`capture: reopened ${capture.files.length} file(s) on SIGHUP\n`));
  };
  const onUsr1 = (): void => {
    const s = capture.stats();
    log(capture.statsLine());
    void capture.writeStats(s);
  };
  process.on('SIGHUP', onHup);
  process.on('SIGUSR1', onUsr1);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  live?.stop();
  process.off('SIGHUP', onHup);
  process.off('SIGUSR1', onUsr1);
  const final = await capture.stop();
  if (config.pidFile) rmSync(config.pidFile, { force: true });
  log(formatStatsLine(final).replace('capture: ', `capture: stopped on ${signal}: `));
  const lost = final.unwritten + final.kernelDropped;
  return lost > 0 ? 3 : 0;
}
