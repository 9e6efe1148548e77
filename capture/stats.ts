/**
 * Counter snapshots: one line for stderr (SIGUSR1, exit) and a JSON document for --stats.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Counters } from './counters.js';

export interface ListenerStats {
  readonly listen: string;
  readonly type: 'udp4' | 'udp6';
  readonly port: number;
  readonly rcvbuf: number;
  /** null when /proc/net/udp* could not be read. */
  readonly kernelDropped: number | null;
  readonly rxQueueBytes: number | null;
}

export interface StatsSnapshot {
  readonly time: string;
  readonly uptimeSeconds: number;
  readonly received: number;
  readonly receivedBytes: number;
  readonly written: number;
  readonly writtenBytes: number;
  /** Received, not yet written nor counted as unwritten (in a batch or a write in flight). */
  readonly pending: number;
  readonly unwritten: number;
  readonly truncated: number;
  readonly malformed: number;
  readonly newlinesEscaped: number;
  readonly kernelDropped: number;
  readonly rotated: number;
  readonly compressed: number;
  readonly kinds: Readonly<Record<string, number>>;
  readonly listeners: readonly ListenerStats[];
  readonly files: readonly string[];
}

export function snapshot(counters: Counters, startedAt: number, listeners: readonly ListenerStats[], files: readonly string[], compressed: number): StatsSnapshot {
  return {
    time: new Date().toISOString(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
    received: counters.received,
    receivedBytes: counters.receivedBytes,
    written: counters.written,
    writtenBytes: counters.writtenBytes,
    pending: counters.received - counters.written - counters.unwritten,
    unwritten: counters.unwritten,
    truncated: counters.truncated,
    malformed: counters.malformed,
    newlinesEscaped: counters.newlinesEscaped,
    kernelDropped: counters.kernelDropped,
    rotated: counters.rotated,
    compressed,
    kinds: { ...counters.kinds },
    listeners,
    files,
  };
}

export function formatStatsLine(s: StatsSnapshot): string {
  const socks = s.listeners
    .map((l) => `${l.type} ${l.listen} port=${l.port} drops=${l.kernelDropped ?? 'n/a'} queued=${l.rxQueueBytes ?? 'n/a'}B`)
    .join('; ');
  return (
    `capture: received=${s.received} written=${s.written} pending=${s.pending} unwritten=${s.unwritten} ` +
    `truncated=${s.truncated} malformed=${s.malformed} kernel-dropped=${s.kernelDropped} rotated=${s.rotated} ` +
    `compressed=${s.compressed} (${socks})\n`
  );
}

/**
 * Written to FILE.tmp then renamed, so a reader never sees half a document; its directory is
 * made if missing, as --out's is.
 */
export async function writeStatsFile(path: string, s: StatsSnapshot): Promise<void> {
  const tmp = `${path}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(tmp, `${JSON.stringify(s, null, 2)}\n`);
  await rename(tmp, path);
}
