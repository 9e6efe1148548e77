/** Evaluation of ACL conditions against a parsed request. */
import type { AclTest, Condition } from '../config/types.js';
import type { Header } from '../http/parser.js';

export interface AclSubject {
  readonly method: string;
  /** Path without query. */
  readonly path: string;
  /** Full URI as received. */
  readonly uri: string;
  readonly src: string;
  readonly headers: readonly Header[];
}

const DOM_DELIMS = '/?.:';

function matchDelimited(value: string, pattern: string, delims: string): boolean {
  if (pattern === '') return false;
  let from = 0;
  for (;;) {
    const i = value.indexOf(pattern, from);
    if (i < 0) return false;
    const before = i === 0 || delims.includes(value[i - 1]!);
    const end = i + pattern.length;
    const after = end === value.length || delims.includes(value[end]!);
    if (before && after) return true;
    from = i + 1;
  }
}

function ipv4ToInt(ip: string): number | null {
  const p = ip.split('.');
  if (p.length !== 4) return null;
  let v = 0;
  for (const x of p) {
    const n = Number(x);
    if (!/^\d+$/.test(x) || n > 255) return null;
    v = v * 256 + n;
  }
  return v;
}

function ipv6ToBig(ip: string): bigint | null {
  let s = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = ipv4ToInt(v4[1]!);
    if (n === null) return null;
    s = s.slice(0, -v4[1]!.length) + ((n >>> 16) & 0xffff).toString(16) + ':' + (n & 0xffff).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

export function ipMatches(src: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/') as [string, string | undefined];
  const addr = src.startsWith('::ffff:') && src.includes('.') ? src.slice(7) : src;
  const a4 = ipv4ToInt(addr);
  const n4 = ipv4ToInt(net);
  if (a4 !== null && n4 !== null) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (bits === 0) return true;
    const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    return ((a4 & mask) >>> 0) === ((n4 & mask) >>> 0);
  }
  const a6 = ipv6ToBig(src);
  const n6 = ipv6ToBig(net);
  if (a6 === null || n6 === null) return false;
  const bits = BigInt(bitsText === undefined ? 128 : Number(bitsText));
  const shift = 128n - bits;
  return a6 >> shift === n6 >> shift;
}

function fetchValues(t: AclTest, s: AclSubject): string[] {
  switch (t.criterion) {
    case 'path':
    case 'path_beg':
    case 'path_end':
    case 'path_sub':
    case 'path_dir':
      return [s.path];
    case 'url':
    case 'url_beg':
    case 'url_sub':
      return [s.uri];
    case 'method':
      return [s.method];
    case 'src':
      return [s.src];
    default: {
      const out: string[] = [];
      for (const h of s.headers) {
        if (h.name !== t.header) continue;
        // hdr() splits on commas like HAProxy's multi-value fetch
        for (const v of h.value.split(',')) out.push(v.trim());
      }
      return out;
    }
  }
}

function testMatches(t: AclTest, s: AclSubject): boolean {
  if (t.criterion === 'always_true') return true;
  if (t.criterion === 'always_false') return false;
  const values = fetchValues(t, s);
  if (t.criterion === 'src') return values.some((v) => t.values.some((p) => ipMatches(v, p)));
  const suffix = t.criterion.includes('_') ? t.criterion.slice(t.criterion.indexOf('_') + 1) : 'str';
  for (const raw of values) {
    const v = t.ignoreCase ? raw.toLowerCase() : raw;
    for (const rawP of t.values) {
      const p = t.ignoreCase ? rawP.toLowerCase() : rawP;
      let ok: boolean;
      switch (suffix) {
        case 'beg':
          ok = v.startsWith(p);
          break;
        case 'end':
          ok = v.endsWith(p);
          break;
        case 'sub':
          ok = v.includes(p);
          break;
        case 'dir':
          ok = matchDelimited(v, p, '/');
          break;
        case 'dom':
          ok = matchDelimited(v, p, DOM_DELIMS);
          break;
        default:
          ok = v === p;
      }
      if (ok) return true;
    }
  }
  return false;
}

export function evalCondition(cond: Condition | null, s: AclSubject): boolean {
  if (cond === null) return true;
  let result = false;
  for (const all of cond.anyOf) {
    let ok = true;
    for (const term of all) {
      const m = term.tests.some((t) => testMatches(t, s));
      if (m === term.negate) {
        ok = false;
        break;
      }
    }
    if (ok) {
      result = true;
      break;
    }
  }
  return cond.unless ? !result : result;
}
