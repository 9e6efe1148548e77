import { captureValue, RecordKind, type LogRecord, type Span } from '../parse/record.js';
import { viewOf } from '../parse/bytes.js';
import { Ipv4Index, ipv4At } from '../parse/ipv4-index.js';
import { HASH_SEED, hashByte, hashEnd, hashWord, type GroupTable } from './group-table.js';

/**
 * Report kinds: what a row is keyed by. Each kind is one small row locator chosen once,
 * before the loop; it hashes only the bytes it needs (see rowLocator).
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

/** Why `s` is not a report kind, for a usage error. */
export function badKindMessage(s: string): string {
  if (s.startsWith('header:')) {
    return `report kind '${s}': a header report is header:<block>:<field>, block 1 for the request captures or 2 for the response captures, field from 1 (header:1:2 = the second captured request header)`;
  }
  const kinds = KIND_NAMES.filter((k) => k !== 'header' && k !== 'total');
  return `unknown report kind '${s}' (kinds: ${kinds.join(', ')}, header:<block>:<field>)`;
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

/** Finds (or makes) the row of a record in a table; allocates nothing for most kinds. */
export type RowLocator = (rec: LogRecord, table: GroupTable) => number;

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A locator for a key that does not depend on the record. */
function constant(key: string): RowLocator {
  const bytes = latin1(key);
  return (_rec, table) => table.findBytes(bytes);
}

/**
 * Builds the row locator of a kind: each hashes the bytes of its key in the line and finds
 * the row by them, so no string is made per line (URLs and clients are the common large
 * tables). Keys are the line's bytes read as latin1, as `buf.toString('latin1', ...)` gives.
 */
export function rowLocator(k: KindSpec, norm: UrlNormalization, intervalMs: number): RowLocator {
  switch (k.kind) {
    case 'urls': {
      const tcpRow = constant('<TCP>');
      if (norm.collapseIds) return (rec, table) => (rec.kind === RecordKind.tcp ? tcpRow(rec, table) : table.findString(normalizeUrl(rec.text(rec.uri), norm)));
      if (norm.keepQuery) return (rec, table) => (rec.kind === RecordKind.tcp ? tcpRow(rec, table) : table.findBytes(rec.buf, rec.uri.start, rec.uri.end));
      return (rec, table) => {
        if (rec.kind === RecordKind.tcp) return tcpRow(rec, table);
        const { buf, uri } = rec;
        // Cut at the first '?' or ';' and hash in the same pass, as hashBytes does: whole words
        // while a word holds neither byte (SWAR zero-byte tests: exact, no false hit), then bytes.
        const dv = viewOf(buf);
        let h = HASH_SEED;
        let e = uri.start;
        const end = uri.end;
        while (e + 4 <= end) {
          const w = dv.getInt32(e, true);
          const q = w ^ 0x3f3f3f3f;
          const sc = w ^ 0x3b3b3b3b;
          if ((((q - 0x01010101) & ~q) | ((sc - 0x01010101) & ~sc)) & 0x80808080) break;
          h = hashWord(h, w);
          e += 4;
        }
        while (e < end) {
          const c = buf[e]!;
          if (c === 0x3f || c === 0x3b) break;
          h = hashByte(h, c);
          e++;
        }
        return table.find(buf, uri.start, e, hashEnd(h, e - uri.start));
      };
    }
    case 'servers':
      return (rec, table) => table.findBytes(rec.buf, rec.backend.start, rec.server.end);
    case 'backends':
      return (rec, table) => table.findBytes(rec.buf, rec.backend.start, rec.backend.end);
    case 'frontends':
      return (rec, table) => table.findBytes(rec.buf, rec.frontend.start, rec.frontend.end);
    case 'status': {
      const tcpRow = constant('tcp');
      const keys = new Map<number, Buffer>();
      return (rec, table) => {
        if (rec.kind === RecordKind.tcp) return tcpRow(rec, table);
        let key = keys.get(rec.status);
        if (key === undefined) {
          key = latin1(String(rec.status));
          if (keys.size < 4096) keys.set(rec.status, key);
        }
        return table.findBytes(key);
      };
    }
    case 'termination':
      return (rec, table) => table.findBytes(rec.buf, rec.termination.start, rec.termination.start + 2);
    case 'clients': {
      // A canonical dotted quad finds its row by number in a table of 8-byte cells (50 000
      // clients fit in a core's cache), not by hashing its bytes and comparing them with the key
      // in the table's arena, a cache miss a line (a seventh of `report clients` on 1 GB). Row
      // ids are cached while the table recycled none (its epoch) and is not a sketch.
      const byAddress = new Ipv4Index();
      let epoch = -1;
      return (rec, table) => {
        const { buf, clientIp } = rec;
        const a = ipv4At(buf, clientIp.start, clientIp.end);
        // A sketch recycles a row for every new key: no id stays valid long enough to cache.
        if (a < 0 || table.sketch) return table.findBytes(buf, clientIp.start, clientIp.end);
        if (table.epoch !== epoch) {
          byAddress.clear();
          epoch = table.epoch;
        }
        let id = byAddress.get(a);
        if (id < 0) {
          id = table.findBytes(buf, clientIp.start, clientIp.end);
          // Finding it may have recycled rows (a sketch): then the cache starts over next line.
          if (table.epoch === epoch) byAddress.set(a, id);
        }
        return id;
      };
    }
    case 'timeline': {
      // Accept dates repeat within an interval: cache the last bucket's key and row (while
      // the table recycled no row: its epoch).
      let lastBucket = Number.NaN;
      let lastKey: Buffer = Buffer.alloc(0);
      let lastId = -1;
      let lastEpoch = -1;
      return (rec, table) => {
        const b = Math.floor(rec.acceptMs / intervalMs);
        if (b !== lastBucket) {
          lastBucket = b;
          lastKey = latin1(new Date(b * intervalMs).toISOString());
          lastId = -1;
        }
        if (lastId < 0 || table.epoch !== lastEpoch) {
          lastId = table.findBytes(lastKey);
          lastEpoch = table.epoch;
        }
        return lastId;
      };
    }
    case 'header': {
      const n = k.field! - 1;
      const none = constant('');
      const blocks = k.block!;
      const value: Span = { start: 0, end: 0 };
      return (rec, table) => {
        if (rec.captureBlocks < blocks) return none(rec, table);
        const block = blocks === 1 ? rec.requestCaptures : rec.responseCaptures;
        if (!captureValue(rec.buf, block, n, value)) return none(rec, table);
        return table.findBytes(rec.buf, value.start, value.end);
      };
    }
    case 'total':
      return constant('all');
  }
}
