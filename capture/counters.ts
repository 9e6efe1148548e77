/**
 * What happened to every datagram. While running, received = written + unwritten + pending;
 * after a clean stop pending is 0. kernelDropped is read from /proc (kernel-drops.ts): those
 * datagrams never reached us, so they are not in `received`.
 */
export interface Counters {
  received: number;
  receivedBytes: number;
  /** Lines whose write() completed. */
  written: number;
  writtenBytes: number;
  /** Messages cut to --max-line (also counted in written or unwritten). */
  truncated: number;
  /** Envelope not recognised (bad `<PRI>`, empty datagram); written as received anyway. */
  malformed: number;
  /** Lines that could not be written: file not openable, write error, backlog limit. */
  unwritten: number;
  /** Embedded newlines replaced by `#0A` so that one datagram stays one line. */
  newlinesEscaped: number;
  /** Files rotated (renamed to their rotated name). */
  rotated: number;
  /** Sum of the per-socket kernel drop counters (refreshed when stats are taken). */
  kernelDropped: number;
  /** Datagrams by envelope kind. */
  kinds: Record<string, number>;
}

export function newCounters(): Counters {
  return {
    received: 0,
    receivedBytes: 0,
    written: 0,
    writtenBytes: 0,
    truncated: 0,
    malformed: 0,
    unwritten: 0,
    newlinesEscaped: 0,
    rotated: 0,
    kernelDropped: 0,
    kinds: {},
  };
}
