/** Date shapes used in logs, all in local time like HAProxy (tools.c date2str_log, log.c). */

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => (n < 10 ? '0' : '') + n;
const p3 = (n: number): string => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

let cachedSecond = -1;
let cachedPrefix = '';

/** `06/Feb/2009:12:14:14.655` (the `[%tr]` field); the part up to the second is cached. */
export function logDate(ms: number): string {
  return logDatePrefix(ms) + p3(ms - Math.floor(ms / 1000) * 1000);
}

/** `06/Feb/2009:12:14:14.` of logDate(ms): the cached part, without the milliseconds. */
export function logDatePrefix(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== cachedSecond) {
    const d = new Date(sec * 1000);
    cachedPrefix = `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.`;
    cachedSecond = sec;
  }
  return cachedPrefix;
}

/** `Feb  6 12:14:14 ` (legacy syslog timestamp, day space-padded, trailing space). */
export function syslogDate(ms: number): string {
  const d = new Date(ms);
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ' ' : ''}${day} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} `;
}

/** `2022-05-31T14:03:07.123456+02:00` (microseconds, numeric offset). */
export function isoDate(ms: number, us: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  const micro = String(d.getMilliseconds() * 1000 + us).padStart(6, '0');
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${micro}${sign}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
}
