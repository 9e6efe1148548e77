/** Value parsers shared by the keyword table: times, sizes, integers, addresses. */

const TIME_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** HAProxy time: a number with an optional unit (`us ms s m h d`), milliseconds by default. */
export function parseTime(text: string): number | null {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text);
  if (!m) return null;
  return Math.ceil(Number(m[1]) * TIME_UNITS[m[2] ?? 'ms']!);
}

/**
 * HAProxy time counted in seconds (`cookie ... maxidle/maxlife`), as parse_time_err() reads it:
 * seconds without a unit, rounded up (`1500ms` is 2). `bad` is the first unexpected character;
 * `trailing` holds what follows the unit (HAProxy only warns about them).
 */
export function parseSeconds(text: string): { value: number; trailing: string } | { bad: string } | 'overflow' {
  const m = /^(\d+)(us|ms|s|m|h|d)?/.exec(text);
  if (!m) return { bad: text[0] ?? '' };
  const rest = text.slice(m[0].length);
  if (!m[2] && rest) return { bad: rest[0]! };
  const [mul, div] = ({ us: [1, 1_000_000], ms: [1, 1000], s: [1, 1], m: [60, 1], h: [3600, 1], d: [86_400, 1] } as Record<string, [number, number]>)[m[2] ?? 's']!;
  const value = Math.floor((Number(m[1]) * mul + div - 1) / div);
  if (value >= 2 ** 31) return 'overflow';
  return { value, trailing: rest };
}

export function parseUint(text: string, max = 2 ** 31 - 1): number | null {
  if (!/^\d+$/.test(text)) return null;
  const v = Number(text);
  return v <= max ? v : null;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/**
 * `ipv4:port`, `[ipv6]:port`, `ipv6:port` (the last colon separates the port, as in HAProxy),
 * `*:port`, `:port`. Port may be missing when `defaultPort` is given.
 */
export function parseHostPort(text: string, defaultPort?: number): HostPort | null {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return null;
    host = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) {
      host = text;
    } else {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  if (portText === '' || portText === undefined) {
    if (defaultPort === undefined) return null;
    portText = String(defaultPort);
  }
  const port = parseUint(portText, 65535);
  if (port === null) return null;
  if (host === '' || host === '*' || host === '0.0.0.0') return { host: '0.0.0.0', port, family: 4 };
  if (host === '::' || host === 'ipv6@::') return { host: '::', port, family: 6 };
  if (host.startsWith('ipv4@')) host = host.slice(5);
  if (host.startsWith('ipv6@')) host = host.slice(5);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return { host, port, family: 4 };
  if (host.includes(':') && /^[0-9a-fA-F:.]+$/.test(host)) return { host, port, family: 6 };
  if (host === 'localhost') return { host: '127.0.0.1', port, family: 4 };
  return null;
}
