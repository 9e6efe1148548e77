/** `log <address> [len <n>] [format <f>] <facility> [<level> [<minlevel>]]` (HAProxy 2.6). */
import type { LogTarget, SyslogFormat } from './types.js';
import { parseHostPort, parseUint } from './units.js';
import { suggest } from './suggest.js';

export const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp', 'ntp', 'audit',
  'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;
export const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
const FORMATS: readonly SyslogFormat[] = ['local', 'rfc3164', 'rfc5424', 'short', 'raw', 'priority', 'timed', 'iso'];

export type LogParse = { ok: true; target: LogTarget } | { ok: false; error: string };

/** `words` are the arguments after `log`. */
export function parseLogDirective(words: readonly string[]): LogParse {
  const addr = words[0];
  if (addr === undefined) return { ok: false, error: "'log' expects either <address[:port]> and <facility> or 'global' as arguments." };
  if (/^(\/|fd@|stdout|stderr|ring@|tcp@|tcp4@|tcp6@|uxst@|unix@)/.test(addr))
    return { ok: false, error: `log address '${addr}' is not supported; use a UDP address such as 127.0.0.1:514` };
  const address = parseHostPort(addr.replace(/^udp[46]?@/, ''), 514);
  if (!address) return { ok: false, error: `invalid log address '${addr}' (expected ipv4[:port] or [ipv6]:port)` };
  let len = 1024;
  let format: SyslogFormat = 'local';
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'len') {
      const v = parseUint(words[++i] ?? '');
      if (v === null || v < 80 || v > 65535) return { ok: false, error: `'len' expects an integer between 80 and 65535` };
      len = v;
    } else if (w === 'format') {
      const f = words[++i] ?? '';
      if (!FORMATS.includes(f as SyslogFormat)) return { ok: false, error: `unknown log format '${f}' (expected ${FORMATS.join(', ')})` };
      format = f as SyslogFormat;
    } else if (w === 'sample') {
      return { ok: false, error: "log 'sample' is not supported; remove it" };
    } else break;
  }
  const fac = words[i];
  if (fac === undefined) return { ok: false, error: `'log' expects a facility after the address` };
  const facility = FACILITIES.indexOf(fac as (typeof FACILITIES)[number]);
  if (facility < 0) {
    const hint = suggest(fac, FACILITIES);
    return { ok: false, error: `unknown log facility '${fac}'${hint ? `; did you mean '${hint}'?` : ''}` };
  }
  let level = 7;
  let minLevel = 0;
  const lv = words[i + 1];
  if (lv !== undefined) {
    level = LEVELS.indexOf(lv as (typeof LEVELS)[number]);
    if (level < 0) return { ok: false, error: `unknown log level '${lv}' (expected ${LEVELS.join(', ')})` };
    const mlv = words[i + 2];
    if (mlv !== undefined) {
      minLevel = LEVELS.indexOf(mlv as (typeof LEVELS)[number]);
      if (minLevel < 0) return { ok: false, error: `unknown log level '${mlv}'` };
    }
    if (words.length > i + 3) return { ok: false, error: `too many arguments after the log levels: '${words[i + 3]}'` };
  }
  return { ok: true, target: { address, len, format, facility, level, minLevel } };
}
