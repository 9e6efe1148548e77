/**
 * `haloscope capture` flags: one table drives parsing, every problem is collected, then the
 * validated configuration is frozen (STYLE 10).
 */
import { ListenAddressError, OptionConflictError, OptionError, type CaptureError } from './errors.js';
import { suggest } from '../proxy/config/suggest.js';
import { parseCidr } from '../halog/detect/cidr.js';

export type OutputFormat = 'keep' | 'rsyslog' | 'message';
export type SplitBy = 'none' | 'tag' | 'host';

export interface ListenAddress {
  readonly type: 'udp4' | 'udp6';
  readonly host: string;
  readonly port: number;
  /** As the user wrote it, for messages. */
  readonly text: string;
}

export interface CaptureConfig {
  readonly listen: readonly ListenAddress[];
  /** `-` for stdout, else a path; `outIsDir` tells which kind. */
  readonly out: string;
  readonly outIsDir: boolean;
  readonly format: OutputFormat;
  readonly split: SplitBy;
  readonly rcvbuf: number;
  /** Opt-in: raise net.core.rmem_max to rcvbuf when it is lower (root only, system-wide). */
  readonly raiseRmemMax: boolean;
  readonly maxLine: number;
  readonly rotateBytes: number;
  readonly rotateMs: number;
  readonly gzip: boolean;
  readonly statsFile: string | null;
  readonly statsIntervalMs: number;
  readonly live: boolean;
  readonly batchBytes: number;
  readonly backlogBytes: number;
  readonly quiet: boolean;
  /** 1: read the sockets in this process; N > 1: N worker processes share each socket. */
  readonly workers: number;
  /**
   * Threads that read the sockets (readers.ts), 0 = this process's main thread. Defaults to 1
   * when lines do not depend on the sender and --workers is 1, else 0.
   */
  readonly readers: number;
  readonly pidFile: string | null;
  /** How `--live` flags clients: `haloscope detect`'s options, over a sliding window. */
  readonly detect: LiveDetectConfig;
}

export interface LiveDetectConfig {
  /** A rules file as `detect --rules` takes (validated at start), or null for the built-in set. */
  readonly rulesFile: string | null;
  readonly windowSeconds: number;
  readonly exclude: readonly string[];
  readonly by: 'src' | 'xff';
  /** Names of the request capture fields, or null for the rules' own. */
  readonly captures: readonly string[] | null;
}

export const DEFAULTS = {
  format: 'keep' as OutputFormat,
  split: 'none' as SplitBy,
  // 32 MiB: 100,000 datagrams/s of 300 bytes fill it in about a second. Linux caps it at
  // 2 x net.core.rmem_max (Debian: 212992 -> 416 KiB) and capture says so at start.
  rcvbuf: 32 << 20,
  // HAProxy's `len` goes up to 65535; a UDP datagram carries at most 65507 bytes.
  maxLine: 65535,
  // 256 KiB per write(): large enough that writes are rare at 100k datagrams/s, small enough
  // to keep the file at most a few milliseconds behind.
  batchBytes: 256 << 10,
  backlogBytes: 256 << 20,
  statsIntervalMs: 10_000,
  // 5 minutes: the low-and-slow prober of the corpus (one probe every ~6 s) is caught well within.
  detectWindowSeconds: 300,
};

export const USAGE = `Usage: haloscope capture --listen <addr:port> [--listen ...] --out <dir|file|-> [options]

Receives syslog datagrams (RFC 3164, RFC 5424, HAProxy short/raw/timed/iso) over UDP and
appends each as one line that halog reads (halog -s 0 for HAProxy's hostless datagrams).

  --listen ADDR          127.0.0.1:514, [::1]:514, :514 (all IPv4), [::]:514 (all IPv6); repeatable
  --out PATH             a directory (files <tag|host|capture>.log inside), a file, or - (stdout)
  --format F             keep (default: the datagram as received, one trailing newline removed),
                         rsyslog (Mmm dd HH:MM:SS host tag[pid]: msg, what halog reads without -s),
                         message (the message without syslog header)
  --split tag|host       one file per syslog tag or per sending address (needs a directory)
  --rotate-size SIZE     rotate a file before it grows past SIZE (e.g. 100M)
  --rotate-interval DUR  rotate every DUR, aligned to UTC (e.g. 1h, 10m)
  --gzip                 compress rotated files in the background (.gz)
  --max-line N           truncate longer messages to N bytes (default 65535), counted
  --rcvbuf SIZE          socket receive buffer (default 32M; capped by net.core.rmem_max
                         unless run as root: then set with SO_RCVBUFFORCE)
  --raise-rmem-max       as root, raise net.core.rmem_max to --rcvbuf if it is lower (a
                         system-wide setting, kept after capture ends; said on stderr)
  --stats FILE           write counters as JSON to FILE (every --stats-interval, on SIGUSR1, at exit)
  --stats-interval DUR   default 10s
  --live                 refresh a traffic summary every second on the terminal, with the
                         clients that 'haloscope detect' would flag over a sliding window:
    --window DUR         the window (default 5m; 10s to 24h)
    --rules FILE         detection rules, as 'haloscope detect --rules' reads them
    --exclude CIDR       never flag clients in CIDR (repeat, or comma-separate)
    --by src|xff         key clients on the source address or the captured X-Forwarded-For
    --captures LIST      names of the request capture fields (e.g. Host,User-Agent,Referer)
  --batch SIZE           bytes collected before a write (default 256K; also written every tick)
  --readers N            N threads read the sockets while the main thread writes (default 1;
                         0 reads on the main thread; with several, lines interleave by batch;
                         not with --split host or --format rsyslog, which need the sender)
  --workers N            N processes read each socket (default 1); lines from different
                         workers interleave by batch
  --pid-file FILE        write the process id to FILE (for logrotate's postrotate kill -HUP)
  --quiet                no start-up lines on stderr
  -h, --help

Signals: SIGHUP reopens output files (logrotate), SIGUSR1 prints counters, SIGINT/SIGTERM stop
after reading what the kernel has queued and writing it.
`;

type Setter = (value: string, draft: Draft, problems: CaptureError[]) => void;
interface Flag {
  readonly name: string;
  readonly takesValue: boolean;
  readonly set: Setter;
}

interface Draft {
  listen: ListenAddress[];
  out: string | null;
  format: OutputFormat;
  split: SplitBy;
  rcvbuf: number;
  raiseRmemMax: boolean;
  maxLine: number;
  rotateBytes: number;
  rotateMs: number;
  gzip: boolean;
  statsFile: string | null;
  statsIntervalMs: number;
  live: boolean;
  batchBytes: number;
  quiet: boolean;
  workers: number;
  readers: number | null;
  pidFile: string | null;
  help: boolean;
  rulesFile: string | null;
  windowSeconds: number;
  exclude: string[];
  by: 'src' | 'xff';
  captures: string[] | null;
  /** Detection flags given, for the "needs --live" check. */
  detectFlags: string[];
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const TIME_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseSize(text: string): number | null {
  const m = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
}

export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * TIME_UNITS[m[2] ?? 's']!;
}

export function parseListen(text: string): ListenAddress {
  let host: string;
  let portText: string;
  let type: 'udp4' | 'udp6';
  const v6 = /^\[([0-9a-fA-F:.%a-zA-Z]*)\]:(\d+)$/.exec(text);
  if (v6) {
    host = v6[1] === '' ? '::' : v6[1]!;
    portText = v6[2]!;
    type = 'udp6';
  } else if (/^\d+$/.test(text)) {
    host = '0.0.0.0';
    portText = text;
    type = 'udp4';
  } else {
    const i = text.lastIndexOf(':');
    if (i < 0 || text.indexOf(':') !== i) {
      const hint = text.includes(':') ? `; write IPv6 addresses in brackets, e.g. '[${text.slice(0, i)}]:${text.slice(i + 1)}'` : `; e.g. '127.0.0.1:514'`;
      throw new ListenAddressError(`--listen '${text}': expected host:port${hint}`);
    }
    host = text.slice(0, i) === '' ? '0.0.0.0' : text.slice(0, i);
    portText = text.slice(i + 1);
    type = 'udp4';
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(host) && host !== 'localhost') {
      throw new ListenAddressError(`--listen '${text}': '${host}' is not an IPv4 address; use a numeric address such as 127.0.0.1 or [::1]`);
    }
    if (host === 'localhost') host = '127.0.0.1';
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ListenAddressError(`--listen '${text}': port '${portText}' is not 0..65535`);
  }
  return Object.freeze({ type, host, port, text });
}

function sizeSetter(key: 'rcvbuf' | 'maxLine' | 'rotateBytes' | 'batchBytes', flag: string, min: number): Setter {
  return (v, d, problems) => {
    const n = parseSize(v);
    if (n === null || n < min) problems.push(new OptionError(`${flag} '${v}': expected a size of at least ${min} such as 64K, 100M, 1G`));
    else d[key] = n;
  };
}

function durationSetter(key: 'rotateMs' | 'statsIntervalMs', flag: string): Setter {
  return (v, d, problems) => {
    const n = parseDuration(v);
    if (n === null || (n > 0 && n < 1000)) problems.push(new OptionError(`${flag} '${v}': expected a duration of at least 1s such as 30s, 10m, 1h, 1d`));
    else d[key] = n;
  };
}

function oneOf<K extends 'format' | 'split'>(key: K, flag: string, values: readonly Draft[K][]): Setter {
  return (v, d, problems) => {
    if ((values as readonly string[]).includes(v)) (d[key] as string) = v;
    else problems.push(new OptionError(`${flag} '${v}': expected one of ${values.join(', ')}`));
  };
}

/** A detection flag: remembered, so that using one without --live can be refused. */
function detectSetter(flag: string, set: Setter): Setter {
  return (v, d, problems) => {
    d.detectFlags.push(flag);
    set(v, d, problems);
  };
}

const FLAGS: readonly Flag[] = [
  {
    name: '--listen',
    takesValue: true,
    set: (v, d, problems) => {
      try {
        d.listen.push(parseListen(v));
      } catch (err) {
        problems.push(err as CaptureError);
      }
    },
  },
  { name: '--out', takesValue: true, set: (v, d) => void (d.out = v) },
  { name: '--format', takesValue: true, set: oneOf('format', '--format', ['keep', 'rsyslog', 'message']) },
  { name: '--split', takesValue: true, set: oneOf('split', '--split', ['none', 'tag', 'host']) },
  { name: '--rcvbuf', takesValue: true, set: sizeSetter('rcvbuf', '--rcvbuf', 1024) },
  { name: '--raise-rmem-max', takesValue: false, set: (_v, d) => void (d.raiseRmemMax = true) },
  { name: '--max-line', takesValue: true, set: sizeSetter('maxLine', '--max-line', 16) },
  { name: '--rotate-size', takesValue: true, set: sizeSetter('rotateBytes', '--rotate-size', 0) },
  { name: '--rotate-interval', takesValue: true, set: durationSetter('rotateMs', '--rotate-interval') },
  { name: '--gzip', takesValue: false, set: (_v, d) => void (d.gzip = true) },
  { name: '--stats', takesValue: true, set: (v, d) => void (d.statsFile = v) },
  { name: '--stats-interval', takesValue: true, set: durationSetter('statsIntervalMs', '--stats-interval') },
  { name: '--live', takesValue: false, set: (_v, d) => void (d.live = true) },
  { name: '--batch', takesValue: true, set: sizeSetter('batchBytes', '--batch', 4096) },
  { name: '--quiet', takesValue: false, set: (_v, d) => void (d.quiet = true) },
  { name: '--pid-file', takesValue: true, set: (v, d) => void (d.pidFile = v) },
  {
    name: '--workers',
    takesValue: true,
    set: (v, d, problems) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1 || n > 64) problems.push(new OptionError(`--workers '${v}': expected 1 to 64 processes`));
      else d.workers = n;
    },
  },
  {
    name: '--readers',
    takesValue: true,
    set: (v, d, problems) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n > 16) problems.push(new OptionError(`--readers '${v}': expected 0 to 16 threads`));
      else d.readers = n;
    },
  },
  { name: '--rules', takesValue: true, set: detectSetter('--rules', (v, d) => void (d.rulesFile = v)) },
  {
    name: '--window',
    takesValue: true,
    set: detectSetter('--window', (v, d, problems) => {
      const ms = parseDuration(v);
      if (ms === null || ms < 10_000 || ms > 86_400_000) problems.push(new OptionError(`--window '${v}': expected a duration from 10s to 24h such as 5m`));
      else d.windowSeconds = Math.round(ms / 1000);
    }),
  },
  {
    name: '--exclude',
    takesValue: true,
    set: detectSetter('--exclude', (v, d, problems) => {
      for (const c of v.split(',').map((x) => x.trim()).filter(Boolean)) {
        if (parseCidr(c)) d.exclude.push(c);
        else problems.push(new OptionError(`--exclude '${c}': not an IPv4 or IPv6 address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)`));
      }
    }),
  },
  {
    name: '--by',
    takesValue: true,
    set: detectSetter('--by', (v, d, problems) => {
      if (v === 'src' || v === 'xff') d.by = v;
      else problems.push(new OptionError(`--by '${v}': expected src or xff`));
    }),
  },
  {
    name: '--captures',
    takesValue: true,
    set: detectSetter('--captures', (v, d, problems) => {
      const names = v.split(',').map((x) => x.trim());
      if (names.some((n) => n === '')) problems.push(new OptionError(`--captures '${v}': expected header names separated by commas, e.g. Host,User-Agent,Referer`));
      else d.captures = names;
    }),
  },
  { name: '--help', takesValue: false, set: (_v, d) => void (d.help = true) },
  { name: '-h', takesValue: false, set: (_v, d) => void (d.help = true) },
];

export interface ParsedOptions {
  readonly config: CaptureConfig | null;
  readonly help: boolean;
  readonly problems: readonly CaptureError[];
}

/**
 * `isDirectory(path)` says whether the output path is an existing directory, `isFile(path)`
 * whether it is an existing file (or anything else that is not a directory).
 */
export function parseOptions(args: readonly string[], isDirectory: (path: string) => boolean, isFile: (path: string) => boolean = () => false): ParsedOptions {
  const d: Draft = {
    listen: [],
    out: null,
    format: DEFAULTS.format,
    split: DEFAULTS.split,
    rcvbuf: DEFAULTS.rcvbuf,
    raiseRmemMax: false,
    maxLine: DEFAULTS.maxLine,
    rotateBytes: 0,
    rotateMs: 0,
    gzip: false,
    statsFile: null,
    statsIntervalMs: DEFAULTS.statsIntervalMs,
    live: false,
    batchBytes: DEFAULTS.batchBytes,
    quiet: false,
    workers: 1,
    readers: null,
    pidFile: null,
    help: false,
    rulesFile: null,
    windowSeconds: DEFAULTS.detectWindowSeconds,
    exclude: [],
    by: 'src',
    captures: null,
    detectFlags: [],
  };
  const problems: CaptureError[] = [];
  for (let i = 0; i < args.length; i++) {
    let arg = args[i]!;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const flag = FLAGS.find((f) => f.name === arg);
    if (!flag) {
      const hint = arg.startsWith('-') ? suggest(arg, FLAGS.map((f) => f.name)) : null;
      problems.push(new OptionError(`unknown option '${arg}'${hint ? `; did you mean '${hint}'?` : ''} (see --help)`));
      continue;
    }
    let value = '';
    if (flag.takesValue) {
      const next = inline ?? args[++i];
      if (next === undefined) {
        problems.push(new OptionError(`${flag.name} needs a value`));
        continue;
      }
      value = next;
    }
    flag.set(value, d, problems);
  }
  if (d.help) return { config: null, help: true, problems: [] };
  if (!args.some((a) => a === '--listen' || a.startsWith('--listen='))) problems.push(new OptionError(`--listen is required, e.g. --listen 127.0.0.1:5514`));
  if (d.out === null && !args.some((a) => a === '--out' || a.startsWith('--out='))) problems.push(new OptionError(`--out is required: a directory, a file, or - for stdout`));
  const out = d.out ?? '-';
  const outIsDir = out !== '-' && (out.endsWith('/') || isDirectory(out) || d.split !== 'none');
  if (out === '-' && d.live) problems.push(new OptionConflictError(`--out - and --live both use stdout; write to a file or directory with --live`));
  if (out === '-' && (d.rotateBytes > 0 || d.rotateMs > 0 || d.gzip)) {
    problems.push(new OptionConflictError(`--rotate-size, --rotate-interval and --gzip need a file or directory, not --out -`));
  }
  if (out === '-' && d.split !== 'none') problems.push(new OptionConflictError(`--split ${d.split} needs a directory for --out, not -`));
  // Caught here rather than at the first datagram, where every line would count as unwritten.
  if (outIsDir && out !== '-' && isFile(out)) {
    const why = d.split !== 'none' ? `--split ${d.split} writes one file per ${d.split} into a directory` : 'a path ending in / names a directory';
    problems.push(new OptionConflictError(`--out ${out} is an existing file, but ${why}: give a directory path (it is created if missing)`));
  }
  if (d.gzip && d.rotateBytes === 0 && d.rotateMs === 0) {
    problems.push(new OptionConflictError(`--gzip compresses rotated files: add --rotate-size or --rotate-interval`));
  }
  const senderNeeded = d.split === 'host' || d.format === 'rsyslog';
  if (d.readers !== null && d.readers > 0 && d.workers > 1) problems.push(new OptionConflictError(`--readers and --workers ${d.workers}: worker processes read on their own thread; give one of them`));
  if (d.readers !== null && d.readers > 0 && senderNeeded) {
    problems.push(new OptionConflictError(`--readers ${d.readers} cannot be used with ${d.split === 'host' ? '--split host' : '--format rsyslog'}: reader threads do not learn each datagram's sender`));
  }
  if (!d.live && d.detectFlags.length) {
    problems.push(new OptionConflictError(`${[...new Set(d.detectFlags)].join(', ')} configure the detection of --live: add --live, or use 'haloscope detect' on the files`));
  }
  const seen = new Set<string>();
  for (const l of d.listen) {
    const key = `${l.type}/${l.host}/${l.port}`;
    if (l.port !== 0 && seen.has(key)) problems.push(new OptionConflictError(`--listen ${l.text} given twice`));
    seen.add(key);
  }
  if (problems.length > 0) return { config: null, help: false, problems };
  const config: CaptureConfig = Object.freeze({
    listen: Object.freeze(d.listen.slice()),
    out,
    outIsDir,
    format: d.format,
    split: d.split,
    rcvbuf: d.rcvbuf,
    raiseRmemMax: d.raiseRmemMax,
    maxLine: d.maxLine,
    rotateBytes: d.rotateBytes,
    rotateMs: d.rotateMs,
    gzip: d.gzip,
    statsFile: d.statsFile,
    statsIntervalMs: d.statsIntervalMs,
    live: d.live,
    batchBytes: d.batchBytes,
    backlogBytes: DEFAULTS.backlogBytes,
    quiet: d.quiet,
    workers: d.workers,
    readers: d.readers ?? (d.workers === 1 && !senderNeeded ? 1 : 0),
    pidFile: d.pidFile,
    detect: Object.freeze({
      rulesFile: d.rulesFile,
      windowSeconds: d.windowSeconds,
      exclude: Object.freeze(d.exclude.slice()),
      by: d.by,
      captures: d.captures ? Object.freeze(d.captures.slice()) : null,
    }),
  });
  return { config, help: false, problems: [] };
}
