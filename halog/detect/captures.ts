/**
 * Infers which request capture field holds which header, from the values themselves: HAProxy
 * logs `{v1|v2|...}` without the names, and the order is whatever `capture request header`
 * lines the configuration has. A User-Agent looks like `Name/1.2 (...)`, a Referer is a URL, a
 * Host has no spaces or slashes, an X-Forwarded-For is a list of addresses.
 */
import { releaseScanBuffer, takeScanBuffer } from '../parse/bytes.js';
import { LogRecord, parseRecord, RecordKind } from '../parse/record.js';
import { CHUNK_SIZE } from '../read/chunks.js';
import { unescapeHaproxy } from './decode.js';
import { parseIp } from './cidr.js';

type Kind = 'User-Agent' | 'Referer' | 'Host' | 'X-Forwarded-For';

function classify(v: string): Kind | null {
  if (v === '' || v === '-') return null;
  const lower = v.toLowerCase();
  if (lower.startsWith('http://') || lower.startsWith('https://')) return 'Referer';
  if (mayBeAddressList(v) && v.split(',').every((p) => parseIp(p.trim()) !== null)) return 'X-Forwarded-For';
  if (lower.indexOf('mozilla/') >= 0 || v.indexOf(' ') >= 0 || v.indexOf('(') >= 0) return 'User-Agent';
  const slash = v.indexOf('/');
  if (slash > 0 && slash + 1 < v.length && v.charCodeAt(slash + 1) >= 0x30 && v.charCodeAt(slash + 1) <= 0x39) return 'User-Agent';
  if (slash < 0) return 'Host';
  return null;
}

/**
 * Whether `v` only holds characters of IPv4/IPv6 address lists (hex digits, `.`, `:`, `,`,
 * spaces, brackets, `%` zone ids). Most captured values (User-Agents) fail on their first
 * letters, so the address parser, which allocates, runs only on plausible lists: it made
 * inferring the layout from 2000 lines cost a third of a second at every start.
 */
function mayBeAddressList(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) | 0x20; // letters to lower case, [ ] to { }: a prefilter, parseIp decides
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
    if (!hex && c !== 0x2e && c !== 0x3a && c !== 0x2c && c !== 0x20 && c !== 0x7b && c !== 0x7d && c !== 0x25) return false;
  }
  return true;
}

const MAX_FIELDS = 16;

/**
 * Names for the request capture fields seen in `sample` (whole lines), or null when no line
 * has a capture block. Unrecognised fields are named `capture<N>`. 500 lines with captures are
 * plenty for the votes, and few enough that TurboFan does not compile the inference (2000
 * lines: ~0.1 CPU-s of compiling at every start).
 */
export function inferCaptures(sample: Buffer, end = sample.length, maxLines = 500): string[] | null {
  // Parsed where the reader's lines are parsed (the SIMD scan buffer), so that the JavaScript
  // walk for other buffers is not run hot at every start: TurboFan compiled it (~0.15 CPU-s)
  // and parseRecord, seeing both ways, was deoptimized and compiled again.
  const scan = end <= CHUNK_SIZE ? takeScanBuffer(CHUNK_SIZE) : null;
  try {
    if (scan === null) return inferFrom(sample, end, maxLines);
    sample.copy(scan, 0, 0, end);
    return inferFrom(scan, end, maxLines);
  } finally {
    releaseScanBuffer(scan);
  }
}

function inferFrom(buf: Buffer, end: number, maxLines: number): string[] | null {
  const rec = new LogRecord();
  const votes: Map<Kind, number>[] = [];
  const filled: number[] = [];
  let fields = 0;
  let lines = 0;
  for (let p = 0; p < end && lines < maxLines;) {
    let nl = buf.indexOf(0x0a, p);
    if (nl < 0 || nl > end) nl = end;
    if (parseRecord(buf, p, nl, rec) && rec.kind === RecordKind.http && rec.captureBlocks > 0) {
      lines++;
      const block = rec.text(rec.requestCaptures);
      const values = block.split('|');
      fields = Math.max(fields, Math.min(values.length, MAX_FIELDS));
      for (let i = 0; i < values.length && i < MAX_FIELDS; i++) {
        const k = classify(unescapeHaproxy(values[i]!));
        if (!votes[i]) votes[i] = new Map();
        if (k === null) continue;
        filled[i] = (filled[i] ?? 0) + 1;
        votes[i]!.set(k, (votes[i]!.get(k) ?? 0) + 1);
      }
    }
    p = nl + 1;
  }
  if (lines === 0) return null;
  // Each kind goes to the field where it has the most votes, if they are a majority there.
  const names: string[] = Array.from({ length: fields }, (_, i) => `capture${i + 1}`);
  for (const kind of ['User-Agent', 'Referer', 'X-Forwarded-For', 'Host'] as Kind[]) {
    let best = -1;
    let bestVotes = 0;
    for (let i = 0; i < fields; i++) {
      const n = votes[i]?.get(kind) ?? 0;
      if (n > bestVotes && n * 2 >= (filled[i] ?? 0) && names[i]!.startsWith('capture')) {
        best = i;
        bestVotes = n;
      }
    }
    if (best >= 0) names[best] = kind;
  }
  return names;
}
