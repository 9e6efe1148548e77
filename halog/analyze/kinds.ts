import { RecordKind, type LogRecord } from '../parse/record.js';

/**
 * Report kinds: what a row is keyed by. Each kind is one small key function chosen once,
 * before the loop; it turns only the bytes it needs into a string.
 */
export const KIND_NAMES = ['urls', 'servers', 'backends', 'frontends', 'status', 'termination', 'clients', 'timeline', 'header', 'total'] as const;
export type KindName = (typeof KIND_NAMES)[number];

export interface KindSpec {
  kind: KindName;
  /** header:<block>:<field>, 1-based like halog -hdr (block 1 = request captures, 2 = response). */
  block?: number;
  field?: number;
}

export interface UrlNormalization {
  /** Keep `?query` and `;params` (halog -query). Default: cut at the first '?' or ';'. */
  keepQuery: boolean;
  /** `/items/123/x` -> `/items/:n/x`; hex ids of 16+ digits and UUIDs -> `:id`. */
  collapseIds: boolean;
}

/** Parses `urls`, `header:1:2`, ... ; null when unknown. */
export function parseKind(s: string): KindSpec | null {
  if (s.startsWith('header:')) {
    const m = /^header:(\d+):(\d+)$/.exec(s);
    if (!m) return null;
    const block = Number(m[1]);
    const field = Number(m[2]);
    if (block < 1 || block > 2 || field < 1) return null;
    return { kind: 'header', block, field };
  }
  return (KIND_NAMES as readonly string[]).includes(s) && s !== 'header' ? { kind: s as KindName } : null;
}

export function kindLabel(k: KindSpec): string {
  return k.kind === 'header' ? `header:${k.block}:${k.field}` : k.kind;
}

/** Column title of the key. */
export function keyTitle(k: KindSpec): string {
  switch (k.kind) {
    case 'urls': return 'url';
    case 'servers': return 'server';
    case 'backends': return 'backend';
    case 'frontends': return 'frontend';
    case 'status': return 'status';
    case 'termination': return 'termination';
    case 'clients': return 'client';
    case 'timeline': return 'time';
    case 'header': return `header_${k.block}_${k.field}`;
    case 'total': return 'total';
  }
}

const ID_SEGMENT = /\/(?:\d+|[0-9a-fA-F]{16,}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?=\/|$)/g;

export function normalizeUrl(url: string, n: UrlNormalization): string {
  if (!n.keepQuery) {
    const q = url.search(/[?;]/);
    if (q >= 0) url = url.slice(0, q);
  }
  if (n.collapseIds) {
    // Only the path part: a query value keeps its digits.
    const q = url.search(/[?;]/);
    const path = q >= 0 ? url.slice(0, q) : url;
    const collapsed = path.replace(ID_SEGMENT, (seg) => (/^\/\d+$/.test(seg) ? '/:n' : '/:id'));
    url = q >= 0 ? collapsed + url.slice(q) : collapsed;
  }
  return url;
}

export function intervalKey(ms: number, intervalMs: number): string {
  return new Date(Math.floor(ms / intervalMs) * intervalMs).toISOString();
}

/** Builds the key function of a kind. */
export function keyFunction(k: KindSpec, norm: UrlNormalization, intervalMs: number): (rec: LogRecord) => string {
  switch (k.kind) {
    case 'urls':
      if (!norm.keepQuery && !norm.collapseIds) {
        return (rec) => {
          if (rec.kind === RecordKind.tcp) return '<TCP>';
          const { buf, uri } = rec;
          let e = uri.start;
          while (e < uri.end && buf[e] !== 0x3f && buf[e] !== 0x3b) e++;
          return buf.toString('latin1', uri.start, e);
        };
      }
      return (rec) => (rec.kind === RecordKind.tcp ? '<TCP>' : normalizeUrl(rec.text(rec.uri), norm));
    case 'servers':
      return (rec) => rec.buf.toString('latin1', rec.backend.start, rec.server.end);
    case 'backends':
      return (rec) => rec.text(rec.backend);
    case 'frontends':
      return (rec) => rec.text(rec.frontend);
    case 'status':
      return (rec) => (rec.kind === RecordKind.tcp ? 'tcp' : String(rec.status));
    case 'termination':
      return (rec) => rec.buf.toString('latin1', rec.termination.start, rec.termination.start + 2);
    case 'clients':
      return (rec) => rec.text(rec.clientIp);
    case 'timeline': {
      // Accept dates repeat within an interval: cache the last key.
      let lastBucket = Number.NaN;
      let lastKey = '';
      return (rec) => {
        const b = Math.floor(rec.acceptMs / intervalMs);
        if (b !== lastBucket) {
          lastBucket = b;
          lastKey = new Date(b * intervalMs).toISOString();
        }
        return lastKey;
      };
    }
    case 'header': {
      const n = k.field! - 1;
      return k.block === 1
        ? (rec) => (rec.captureBlocks >= 1 ? rec.captureField(rec.requestCaptures, n) : '')
        : (rec) => (rec.captureBlocks >= 2 ? rec.captureField(rec.responseCaptures, n) : '');
    }
    case 'total':
      return () => 'all';
  }
}
