import type { LogRecord } from '../../halog/parse/record.js';
import type { RecordJob } from '../../halog/read/record-reader.js';

/** A minimal record job for the reader tests: counts per status and per client, plus invalid reasons. */
export interface CountSnapshot {
  status: Map<number, number>;
  clients: Map<string, number>;
  invalid: Map<string, number>;
  order: string[];
}

export function create(options: { keepOrder: boolean }): RecordJob<CountSnapshot> {
  const s: CountSnapshot = { status: new Map(), clients: new Map(), invalid: new Map(), order: [] };
  return {
    onRecord(rec: LogRecord) {
      s.status.set(rec.status, (s.status.get(rec.status) ?? 0) + 1);
      const ip = rec.text(rec.clientIp);
      s.clients.set(ip, (s.clients.get(ip) ?? 0) + 1);
      if (options.keepOrder) s.order.push(`${rec.clientPort}`);
    },
    onInvalid(rec: LogRecord) {
      s.invalid.set(rec.invalidReason, (s.invalid.get(rec.invalidReason) ?? 0) + 1);
    },
    snapshot: () => s,
    merge(o: CountSnapshot) {
      for (const [k, v] of o.status) s.status.set(k, (s.status.get(k) ?? 0) + v);
      for (const [k, v] of o.clients) s.clients.set(k, (s.clients.get(k) ?? 0) + v);
      for (const [k, v] of o.invalid) s.invalid.set(k, (s.invalid.get(k) ?? 0) + v);
      s.order.push(...o.order);
    },
  };
}
