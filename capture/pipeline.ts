/**
 * The per-datagram path: classify the envelope, pick the output (split), shape the line
 * (format), cap it (--max-line), hand it to a sink, and let the live view look at it.
 * Each choice is made once here, when the pipeline is built (STYLE 6).
 */
import { join } from 'node:path';
import type { Counters } from './counters.js';
import { classify, newEnvelope, type Envelope } from './envelope.js';
import type { CaptureConfig } from './options.js';
import type { OnDatagram } from './receiver.js';
import type { LineSink } from './sink.js';

/** Live view hook: the message bytes [start, end) of a datagram (header already skipped). */
export type Observe = (msg: Buffer, start: number, end: number) => void;

export interface SinkSet {
  /** The sink for a key (split value), created on first use. */
  get(key: string): LineSink;
  all(): Iterable<LineSink>;
}

/** More distinct tags or hosts than this share `other.log` (a flood of spoofed sources must not exhaust fds). */
export const MAX_SPLIT_FILES = 1000;

/** File name for a split key: safe characters only, no leading dot. */
export function splitFileName(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_');
  return `${safe === '' ? 'untagged' : safe}.log`;
}

export function outputPathFor(config: CaptureConfig, key: string): string {
  if (config.split !== 'none') return join(config.out, splitFileName(key));
  return config.outIsDir ? join(config.out, 'capture.log') : config.out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Mmm dd HH:MM:SS` in local time, as rsyslog and HAProxy write it; rebuilt once a second. */
function makeLegacyClock(): () => string {
  let second = -1;
  let text = '';
  return () => {
    const now = Date.now();
    const s = Math.floor(now / 1000);
    if (s !== second) {
      second = s;
      const d = new Date(now);
      const p2 = (n: number): string => String(n).padStart(2, '0');
      text = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
    }
    return text;
  };
}

type Emit = (sink: LineSink, msg: Buffer, env: Envelope, start: number, end: number, sender: string) => void;

export interface Pipeline {
  readonly onDatagram: OnDatagram;
  /**
   * Whether lines depend on the sender's address (--split host, --format rsyslog for headers
   * without a host). When not, receivers may read datagrams without it, which is cheaper.
   */
  readonly needsSender: boolean;
}

/** Whether datagrams of this configuration may be handed over without the sender's address. */
export function needsSender(config: Pick<CaptureConfig, 'format' | 'split'>): boolean {
  return config.split === 'host' || config.format === 'rsyslog';
}

export function buildPipeline(config: CaptureConfig, counters: Counters, sinks: SinkSet, observe: Observe | null): Pipeline {
  const env = newEnvelope();
  const maxLine = config.maxLine;
  const kinds = counters.kinds;

  // The body of the line is capped at --max-line bytes.
  const cap = (start: number, end: number): number => {
    if (end - start > maxLine) {
      counters.truncated++;
      return start + maxLine;
    }
    return end;
  };

  const head = Buffer.allocUnsafe(2048);
  const clock = makeLegacyClock();
  let emit: Emit;
  switch (config.format) {
    case 'keep':
      emit = (sink, msg, _env, start, end) => sink.line(null, 0, msg, start, cap(start, end));
      break;
    case 'message':
      emit = (sink, msg, e, _start, end) => sink.line(null, 0, msg, e.msgStart, cap(e.msgStart, end));
      break;
    case 'rsyslog':
      emit = (sink, msg, e, _start, end, sender) => {
        if (e.kind === 'rfc3164-host') {
          sink.line(null, 0, msg, e.timeStart, cap(e.timeStart, end));
          return;
        }
        let n: number;
        let bodyStart: number;
        if (e.kind === 'rfc3164') {
          n = msg.copy(head, 0, e.timeStart, e.timeEnd);
          n += head.write(' ', n, 'latin1');
          n += head.write(sender, n, 'latin1');
          n += head.write(' ', n, 'latin1');
          if (e.tagStart >= 0) bodyStart = e.tagStart;
          else {
            n += head.write('-: ', n, 'latin1');
            bodyStart = e.msgStart;
          }
        } else {
          n = head.write(clock(), 0, 'latin1');
          n += head.write(' ', n, 'latin1');
          if (e.hostStart >= 0) n += msg.copy(head, n, e.hostStart, Math.min(e.hostEnd, e.hostStart + 255));
          else n += head.write(sender, n, 'latin1');
          n += head.write(' ', n, 'latin1');
          if (e.kind === 'rfc5424') {
            n += msg.copy(head, n, e.tagStart, Math.min(e.tagEnd, e.tagStart + 48));
            if (!(e.pidEnd - e.pidStart === 1 && msg[e.pidStart] === 0x2d)) {
              n += head.write('[', n, 'latin1');
              n += msg.copy(head, n, e.pidStart, Math.min(e.pidEnd, e.pidStart + 128));
              n += head.write(']', n, 'latin1');
            }
            n += head.write(': ', n, 'latin1');
          } else {
            n += head.write('-: ', n, 'latin1');
          }
          bodyStart = e.msgStart;
        }
        sink.line(head, n, msg, bodyStart, cap(bodyStart, end));
      };
      break;
  }

  let pick: (msg: Buffer, e: Envelope, sender: string) => LineSink;
  if (config.split === 'none') {
    const only = sinks.get('');
    pick = () => only;
  } else if (config.split === 'host') {
    pick = (_msg, _e, sender) => sinks.get(sender);
  } else {
    // Most datagrams carry the same tag as the previous one: compare bytes before making a string.
    let lastTag = Buffer.alloc(0);
    let lastSink: LineSink | null = null;
    pick = (msg, e) => {
      if (e.tagStart < 0) return sinks.get('untagged');
      const len = e.tagEnd - e.tagStart;
      if (lastSink !== null && len === lastTag.length && msg.compare(lastTag, 0, len, e.tagStart, e.tagEnd) === 0) return lastSink;
      lastTag = Buffer.from(msg.subarray(e.tagStart, e.tagEnd));
      lastSink = sinks.get(lastTag.toString('latin1'));
      return lastSink;
    };
  }

  const see: Observe | null = observe;
  const onDatagram: OnDatagram = (msg, start, end, sender) => {
    counters.received++;
    counters.receivedBytes += end - start;
    if (end > start && msg[end - 1] === 0x0a) end--;
    const e = classify(msg, end, env, start);
    kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
    if (e.kind === 'malformed') counters.malformed++;
    emit(pick(msg, e, sender), msg, e, start, end, sender);
    if (see !== null) see(msg, e.msgStart, end);
  };
  return { onDatagram, needsSender: needsSender(config) };
}
