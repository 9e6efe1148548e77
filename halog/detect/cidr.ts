/**
 * IPv4 and IPv6 CIDR allow-lists (`--exclude`), parsed by hand: addresses become 16 bytes
 * (IPv4 as the IPv4-mapped IPv6 address `::ffff:a.b.c.d`, so an IPv4 block also matches a
 * client HAProxy logged as `::ffff:192.0.2.1`), a block is 16 bytes and a prefix length.
 */

/** 4 bytes from dotted decimal, or null. */
function parseV4(s: string, out: Uint8Array, at: number): boolean {
  let part = 0;
  let digits = 0;
  let n = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || n > 3) return false;
      out[at + n++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      part = part * 10 + c - 0x30;
      if (++digits > 3 || part > 255) return false;
    } else return false;
  }
  return n === 4;
}

function hex4(s: string): number {
  if (s.length === 0 || s.length > 4) return -1;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) d = (c | 0x20) - 0x61 + 10;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Parses an IPv4 or IPv6 address (zone ids and brackets are dropped) into 16 bytes, or null. */
export function parseIp(text: string): Uint8Array | null {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const out = new Uint8Array(16);
  if (s.indexOf(':') < 0) {
    out[10] = 0xff;
    out[11] = 0xff;
    return parseV4(s, out, 12) ? out : null;
  }
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const headText = dbl >= 0 ? s.slice(0, dbl) : s;
  const tailText = dbl >= 0 ? s.slice(dbl + 2) : '';
  const head = headText === '' ? [] : headText.split(':');
  const tail = tailText === '' ? [] : tailText.split(':');
  const groups: number[] = [];
  const all = dbl >= 0 ? tail : head;
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) counts as two groups.
  const last = all.length > 0 ? all[all.length - 1]! : '';
  let v4: Uint8Array | null = null;
  if (last.indexOf('.') >= 0) {
    v4 = new Uint8Array(4);
    if (!parseV4(last, v4, 0)) return null;
    all.pop();
  }
  const headGroups = dbl >= 0 ? head : all;
  const tailGroups = dbl >= 0 ? all : [];
  const fixed = headGroups.length + tailGroups.length + (v4 ? 2 : 0);
  if (dbl < 0 && fixed !== 8) return null;
  if (dbl >= 0 && fixed > 7) return null;
  for (const g of headGroups) groups.push(hex4(g));
  for (let i = fixed; dbl >= 0 && i < 8; i++) groups.push(0);
  for (const g of tailGroups) groups.push(hex4(g));
  if (v4) {
    groups.push((v4[0]! << 8) | v4[1]!);
    groups.push((v4[2]! << 8) | v4[3]!);
  }
  if (groups.length !== 8 || groups.some((g) => g < 0)) return null;
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  return out;
}

export interface Cidr {
  readonly text: string;
  readonly bytes: Uint8Array;
  /** Prefix length over the 128-bit form (an IPv4 /24 is /120 here). */
  readonly bits: number;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a /32 or /128). Null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIp(addr);
  if (!bytes) return null;
  const v4 = addr.indexOf(':') < 0;
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (p.length === 0 || p.length > 3) return null;
    bits = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return null;
      bits = bits * 10 + c - 0x30;
    }
    if (bits > max) return null;
  }
  return { text, bytes, bits: v4 ? bits + 96 : bits };
}

export function cidrContains(c: Cidr, ip: Uint8Array): boolean {
  let bits = c.bits;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((c.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
  }
  return true;
}

/** A set of blocks with a cache per client key (a log repeats the same few addresses). */
export class CidrSet {
  readonly #blocks: readonly Cidr[];
  readonly #cache = new Map<string, boolean>();

  constructor(blocks: readonly Cidr[]) {
    this.#blocks = blocks;
  }

  get empty(): boolean {
    return this.#blocks.length === 0;
  }

  has(ipText: string): boolean {
    let v = this.#cache.get(ipText);
    if (v === undefined) {
      const ip = parseIp(ipText);
      v = ip !== null && this.#blocks.some((b) => cidrContains(b, ip));
      if (this.#cache.size > 100_000) this.#cache.clear();
      this.#cache.set(ipText, v);
    }
    return v;
  }
}
