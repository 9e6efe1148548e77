/**
 * Per-frontend traffic logger: formats a finished request as an httplog line and hands it to
 * the UDP sink. Built once per frontend; a frontend without loggers gets a no-op.
 */
import type { RequestRecord } from '../session/record.js';
import { formatHttplog, httplogInto } from './httplog.js';
import type { LogSink } from './udp-sender.js';

/** Traffic logs are sent at level info (6), as HAProxy does without log-separate-errors. */
const LEVEL_INFO = 6;

export type Emit = (rec: RequestRecord) => void;

/**
 * Where lines are written before the sink copies them into their datagrams: one per process
 * (JavaScript runs one line at a time). A line that might not fit goes the string way.
 */
const LINE = Buffer.allocUnsafe(16 * 1024);

function emitLine(sink: LogSink, rec: RequestRecord): void {
  const n = httplogInto(rec, LINE, 0);
  if (n < 0) sink.send(LEVEL_INFO, formatHttplog(rec));
  else sink.sendBytes(LEVEL_INFO, LINE, n);
}

export function buildEmitter(sink: LogSink | null, dontlognull: boolean): Emit {
  if (sink === null) return () => {};
  if (dontlognull)
    return (rec) => {
      if (rec.bytesIn === 0) return;
      emitLine(sink, rec);
    };
  return (rec) => emitLine(sink, rec);
}
