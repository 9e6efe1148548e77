/**
 * Text of the live view: a full screen for a terminal, one line per second otherwise.
 */
import type { StatsSnapshot } from '../stats.js';
import type { FlaggedClient } from './live-detector.js';
import type { WindowSummary } from './window.js';

const n = (v: number): string => Math.round(v).toLocaleString('en-US');
const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');
const CLASS_NAMES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'];

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Rows of flagged clients shown on the screen (the rest are counted). */
const FLAGGED_ROWS = 8;

function flaggedText(f: FlaggedClient): string {
  return `${f.client} ${f.verdict} score=${f.score} rules=${f.rules.map((r) => r.id).join(',')} total=${f.counts.total} 4xx=${f.counts['4xx']} denied=${f.counts.denied} since=${new Date(f.since * 1000).toISOString().slice(11, 19)}`;
}

export function renderScreen(s: WindowSummary, c: StatsSnapshot, at: Date, columns: number, flagged: readonly FlaggedClient[] = [], windowSeconds = 0): string {
  const width = Math.max(60, columns);
  const out: string[] = [];
  out.push(cut(`haloscope capture --live   ${at.toISOString().slice(0, 19).replace('T', ' ')} UTC   last ${s.seconds} s`, width));
  out.push(
    cut(
      `datagrams: received ${n(c.received)}  written ${n(c.written)}  unwritten ${n(c.unwritten)}  kernel-dropped ${n(c.kernelDropped)}  malformed ${n(c.malformed)}  truncated ${n(c.truncated)}`,
      width,
    ),
  );
  out.push('');
  out.push(`requests/s   ${n(s.lastSecondRate)} last second, ${s.ratePerSecond.toLocaleString('en-US', { maximumFractionDigits: 1 })} average   (${n(s.lines)} lines, ${n(s.http)} HTTP)`);
  out.push(`error rate   ${s.http > 0 ? ((100 * s.errorRate).toFixed(2) + '%') : '-'}   (${n(s.errors)} with status 5xx or none, as halog -e)`);
  const mix = [1, 2, 3, 4, 5, 0].map((i) => `${CLASS_NAMES[i]} ${n(s.classes[i]!)} (${pct(s.classes[i]!, s.http)})`).join('  ');
  out.push(cut(`status mix   ${mix}`, width));
  out.push(cut(`statuses     ${s.statuses.map(([k, v]) => `${k}:${n(v)}`).join(' ')}`, width));
  const l = s.latency;
  out.push(l.count > 0 ? `latency Ta   p50 ${n(l.p50)} ms  p90 ${n(l.p90)} ms  p99 ${n(l.p99)} ms  p99.9 ${n(l.p999)} ms  max ${n(l.max)} ms   (${n(l.count)} sessions)` : 'latency Ta   -');
  out.push('');
  const half = Math.floor((width - 2) / 2);
  out.push(`${'top URLs'.padEnd(half)}  top clients`);
  const rows = Math.max(s.topUrls.length, s.topClients.length);
  for (let i = 0; i < rows; i++) {
    const u = s.topUrls[i];
    const cl = s.topClients[i];
    const left = u ? cut(`${n(u[1]).padStart(9)}  ${u[0]}`, half) : '';
    const right = cl ? cut(`${n(cl[1]).padStart(9)}  ${cl[0]}`, width - half - 2) : '';
    out.push(`${left.padEnd(half)}  ${right}`);
  }
  out.push('');
  out.push(`flagged clients (haloscope detect rules over the last ${windowSeconds} s): ${flagged.length === 0 ? 'none' : flagged.length}`);
  for (const f of flagged.slice(0, FLAGGED_ROWS)) out.push(cut(`  ${flaggedText(f)}`, width));
  if (flagged.length > FLAGGED_ROWS) out.push(`  ... and ${flagged.length - FLAGGED_ROWS} more`);
  return out.join('\n') + '\n';
}

/**
 * Not a terminal: one `flagged` line per client when it is first flagged or its verdict or
 * rules change (the summary line stays one per second).
 */
export function renderFlaggedLine(f: FlaggedClient, at: Date): string {
  return `flagged ${at.toISOString().slice(11, 19)} ${flaggedText(f)}\n`;
}

export function renderLine(s: WindowSummary, c: StatsSnapshot, at: Date): string {
  const l = s.latency;
  const classes = [2, 3, 4, 5].map((i) => `${CLASS_NAMES[i]}=${s.classes[i]}`).join(' ');
  return (
    `live ${at.toISOString().slice(11, 19)} rate=${s.lastSecondRate}/s avg=${s.ratePerSecond.toFixed(1)}/s ` +
    `errors=${(100 * s.errorRate).toFixed(2)}% ${classes} p50=${l.p50} p90=${l.p90} p99=${l.p99} max=${l.max} ` +
    `top-url=${s.topUrls[0]?.[0] ?? '-'} top-client=${s.topClients[0]?.[0] ?? '-'} received=${c.received} dropped=${c.kernelDropped}\n`
  );
}
