/** The four output formats of `haloscope detect`: text (default), JSON, CSV, NDJSON. */
import type { DetectStats } from './detector.js';
import type { Suspect } from './verdict.js';

export type OutputFormat = 'text' | 'json' | 'csv' | 'ndjson';

export interface ReportStats extends DetectStats {
  /** Names given to the request capture fields (--captures, rules, or inferred). */
  captures: string[];
  clients: number;
  flagged: number;
  suspicious: number;
  malicious: number;
}

export function formatJson(suspects: readonly Suspect[], stats: ReportStats): string {
  return `${JSON.stringify({ suspects, stats }, null, 2)}\n`;
}

/** One suspect per line, then one `{"stats": ...}` line. */
export function formatNdjson(suspects: readonly Suspect[], stats: ReportStats): string {
  return suspects.map((s) => `${JSON.stringify(s)}\n`).join('') + `${JSON.stringify({ stats })}\n`;
}

function csvField(v: string | number): string {
  const s = String(v);
  if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
  return `"${s.split('"').join('""')}"`;
}

export const CSV_COLUMNS = ['client', 'verdict', 'score', 'rules', 'first', 'last', 'total', '4xx', '5xx', 'denied'] as const;

/** One row per suspect; rule ids `;`-separated; no evidence (use --json for it). */
export function formatCsv(suspects: readonly Suspect[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const s of suspects) {
    rows.push(
      [s.client, s.verdict, s.score, s.rules.map((r) => r.id).join(';'), s.first, s.last, s.counts.total, s.counts['4xx'], s.counts['5xx'], s.counts.denied]
        .map(csvField)
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

/**
 * `scoreOf(id)`: what each rule adds (shown next to it; the JSON keeps the shape).
 * `keyedBy`: how clients were keyed; keyed by source address while the captures hold an
 * X-Forwarded-For, a flagged client may be a proxy or CDN carrying many users, and the text
 * says how to key on the header instead.
 */
export function formatText(suspects: readonly Suspect[], stats: ReportStats, scoreOf: (id: string) => number, keyedBy: 'src' | 'xff' = 'src'): string {
  const out: string[] = [];
  const w = Math.max(15, ...suspects.map((s) => s.client.length));
  out.push(`${'client'.padEnd(w)}  ${'verdict'.padEnd(10)} ${'score'.padStart(5)} ${'total'.padStart(7)} ${'4xx'.padStart(6)} ${'5xx'.padStart(6)} ${'denied'.padStart(6)}  ${'first'.padEnd(24)} ${'last'.padEnd(24)} rules`);
  for (const s of suspects) {
    out.push(
      `${s.client.padEnd(w)}  ${s.verdict.padEnd(10)} ${String(s.score).padStart(5)} ${String(s.counts.total).padStart(7)} ${String(s.counts['4xx']).padStart(6)} ${String(s.counts['5xx']).padStart(6)} ${String(s.counts.denied).padStart(6)}  ${s.first.padEnd(24)} ${s.last.padEnd(24)} ${s.rules.map((r) => r.id).join(',')}`,
    );
    for (const r of s.rules) {
      out.push(`    ${r.id} (${r.count}, +${scoreOf(r.id)})`);
      for (const e of r.evidence) out.push(`      ${e}`);
    }
  }
  out.push(
    `# ${stats.flagged} flagged (${stats.malicious} malicious, ${stats.suspicious} suspicious) of ${stats.clients} clients; ${stats.lines} lines: ${stats.http} http, ${stats.tcp} tcp, ${stats.invalid} skipped as not traffic, ${stats.excluded} excluded, ${stats.outOfRange} out of the time range; captures {${stats.captures.join('|')}}`,
  );
  if (keyedBy === 'src' && stats.flagged > 0 && stats.captures.some((c) => c.toLowerCase() === 'x-forwarded-for')) {
    out.push('# the request captures hold X-Forwarded-For: if HAProxy sits behind a proxy, load balancer or CDN, a flagged address may be that proxy; --by xff keys clients on the header');
  }
  return `${out.join('\n')}\n`;
}
