/**
 * The syslog header HAProxy 2.6 puts before each message, per `format` (log.c
 * build_log_header()). Second-resolution formats are rebuilt only when the second changes;
 * rfc5424/timed/iso carry microseconds and are built per message.
 */
import type { LogTarget } from '../config/types.js';
import { isoDate, syslogDate } from './dates.js';

export interface HeaderBuilder {
  /** Header bytes for a message of severity `level` sent at `nowMs` (+`us` microseconds). */
  build(level: number, nowMs: number, us: number): Buffer;
  /** Whether the header prints `us` (else it may be passed as 0). */
  readonly microseconds: boolean;
}

export function headerBuilder(target: LogTarget, tag: string, pid: number, hostname: string | null): HeaderBuilder {
  const pri = (level: number): number => target.facility * 8 + Math.max(level, target.minLevel);
  let cacheSecond = -1;
  let cacheLevel = -1;
  let cache = Buffer.alloc(0);
  const perSecond = (make: (level: number, ms: number) => string) => (level: number, ms: number): Buffer => {
    const sec = Math.floor(ms / 1000);
    if (sec !== cacheSecond || level !== cacheLevel) {
      cache = Buffer.from(make(level, ms), 'latin1');
      cacheSecond = sec;
      cacheLevel = level;
    }
    return cache;
  };
  switch (target.format) {
    case 'local': {
      const b = perSecond((l, ms) => `<${pri(l)}>${syslogDate(ms)}${tag}[${pid}]: `);
      return { build: (l, ms) => b(l, ms), microseconds: false };
    }
    case 'rfc3164': {
      const b = perSecond((l, ms) => `<${pri(l)}>${syslogDate(ms)}${hostname ?? 'localhost'} ${tag}[${pid}]: `);
      return { build: (l, ms) => b(l, ms), microseconds: false };
    }
    case 'rfc5424':
      return { build: (l, ms, us) => Buffer.from(`<${pri(l)}>1 ${isoDate(ms, us)} ${hostname ?? '-'} ${tag} ${pid} - - `, 'latin1'), microseconds: true };
    case 'priority':
      return { build: (l) => Buffer.from(`<${pri(l)}>`, 'latin1'), microseconds: false };
    case 'short':
      return { build: (l) => Buffer.from(`<${Math.max(l, target.minLevel)}>`, 'latin1'), microseconds: false };
    case 'timed':
      return { build: (l, ms, us) => Buffer.from(`<${Math.max(l, target.minLevel)}>${isoDate(ms, us)} `, 'latin1'), microseconds: true };
    case 'iso':
      return { build: (_l, ms, us) => Buffer.from(`${isoDate(ms, us)} `, 'latin1'), microseconds: true };
    case 'raw':
      return { build: () => Buffer.alloc(0), microseconds: false };
  }
}
