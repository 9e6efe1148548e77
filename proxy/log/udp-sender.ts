/**
 * Sends log messages over UDP, one datagram per message per logger, like HAProxy's
 * __do_send_log(): header + message truncated to `len` bytes, then a LF. Never blocks and
 * never retries: a failed send is dropped.
 *
 * No completion callback is passed to dgram: with one, every datagram sent at once (the
 * usual case) costs a process.nextTick() to report its success, i.e. a tick per request;
 * without one, dgram drops a failed send silently, which is what a log sender must do anyway.
 */
import dgram from 'node:dgram';
import type { LogTarget } from '../config/types.js';
import { headerBuilder, type HeaderBuilder } from './syslog-header.js';

export interface LogSink {
  /** `message` is the formatted log line without header or LF, latin1 (one char per byte). */
  send(level: number, message: string): void;
  /** The same with the line as bytes: `line[0..length)`, copied before this returns. */
  sendBytes(level: number, line: Buffer, length: number): void;
  close(): void;
}

interface Logger {
  readonly target: LogTarget;
  readonly header: HeaderBuilder;
  readonly socket: dgram.Socket;
}

/**
 * One connected UDP socket per target address: `send()` without an address skips the
 * per-datagram address lookup that dgram does otherwise. Sockets are shared by frontends
 * logging to the same address.
 */
export function udpSink(targets: readonly LogTarget[], tag: string, pid: number, hostname: string | null, sockets: Map<string, dgram.Socket>): LogSink {
  const socketFor = (t: LogTarget): dgram.Socket => {
    const key = `${t.address.host}|${t.address.port}`;
    let s = sockets.get(key);
    if (!s) {
      const sock = dgram.createSocket(t.address.family === 4 ? 'udp4' : 'udp6');
      sock.on('error', () => {});
      sock.connect(t.address.port, t.address.host);
      sock.unref();
      sockets.set(key, (s = sock));
    }
    return s;
  };
  const loggers: Logger[] = targets.map((t) => ({ target: t, header: headerBuilder(t, tag, pid, hostname), socket: socketFor(t) }));
  // sessions still closing after stop() may log: dropped, as dgram throws on a closed socket
  let closed = false;
  // microseconds only for the formats that print them
  const needUs = loggers.some((l) => l.header.microseconds);
  /** The message is `text`, or `bytes[0..length)` when text is null. */
  const send = (level: number, text: string | null, bytes: Buffer | null, length: number): void => {
    if (loggers.length === 0 || closed) return;
    const now = Date.now();
    const us = needUs ? Math.floor((performance.now() * 1000) % 1000) : 0;
    for (const l of loggers) {
      if (level > l.target.level) continue;
      const head = l.header.build(level, now, us);
      // one buffer per datagram: header, the message cut to `len`, LF
      const hl = Math.min(head.length, l.target.len);
      const ml = Math.max(0, Math.min(length, l.target.len - head.length));
      const out = Buffer.allocUnsafe(hl + ml + 1);
      head.copy(out, 0, 0, hl);
      if (ml > 0) {
        if (text !== null) out.write(text, hl, ml, 'latin1');
        else bytes!.copy(out, hl, 0, ml);
      }
      out[hl + ml] = 10;
      l.socket.send(out);
    }
  };
  return {
    send(level, message) {
      send(level, message, null, message.length);
    },
    sendBytes(level, line, length) {
      send(level, null, line, length);
    },
    close() {
      closed = true;
      for (const s of sockets.values()) s.close();
      sockets.clear();
    },
  };
}
