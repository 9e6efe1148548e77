import { Col, NCOLS, type GroupTable } from '../analyze/group-table.js';
import { kindLabel, type KindSpec } from '../analyze/kinds.js';
import { NTIMERS, TIMER_INDEX, type SeriesStats } from '../analyze/latency.js';
import type { Analyzer } from '../analyze/report-job.js';
import { buildTable, rowCells, type ReportTable } from '../analyze/result.js';
import { barChart, columnChart, esc, lineChart, type Bar } from './svg.js';

/**
 * `--html <file>`: one self-contained page (inline CSS and SVG, no script, no fetch) with
 * requests and errors over time, latency percentiles over time, the latency distribution,
 * top URLs, top clients, status and termination mixes, and the asked report as a table.
 * The run records these kinds besides the asked one (HTML_KINDS), and summaries carry them
 * too, so `haloscope merge --html` draws the same page for a fleet.
 */
export const HTML_KINDS: readonly KindSpec[] = [{ kind: 'timeline' }, { kind: 'urls' }, { kind: 'clients' }, { kind: 'status' }, { kind: 'termination' }, { kind: 'servers' }, { kind: 'total' }];

export interface HtmlContext {
  input: { lines: number; records: number; invalid: number; kept: number; filtered: number };
  sources: string[];
  top: number;
  sort: string | undefined;
}

function tableOf(a: Analyzer, kind: string): GroupTable | null {
  const i = a.options.kinds.findIndex((k) => kindLabel(k) === kind);
  return i < 0 ? null : a.tables[i]!;
}

const req = (t: GroupTable, id: number): number => t.counts[id * NCOLS + Col.req]!;
const topRows = (t: GroupTable, n: number): number[] => t.ids().sort((x, y) => req(t, y) - req(t, x) || (t.key(x) < t.key(y) ? -1 : 1)).slice(0, n);
/** Number of values of a row's series. */
const samples = (t: GroupTable, id: number, timer: number): number => t.lat.count(id * NTIMERS + timer);
const statsOf = (t: GroupTable, id: number, timer: number): SeriesStats => t.lat.stats(id * NTIMERS + timer);

/** Ta for HTTP traffic, Tt when the log only has TCP sessions. */
function mainTimer(t: GroupTable | null): 'Ta' | 'Tt' {
  const all = t?.ids()[0];
  if (t === null || all === undefined) return 'Ta';
  return samples(t, all, TIMER_INDEX.Ta) > 0 || !samples(t, all, TIMER_INDEX.Tt) ? 'Ta' : 'Tt';
}

const BIN_EDGES = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
const binLabel = (i: number): string => {
  const lo = BIN_EDGES[i]!;
  const hi = BIN_EDGES[i + 1];
  const f = (v: number): string => (v >= 1000 ? `${v / 1000}s` : `${v}`);
  if (hi === undefined) return `≥${f(lo)}`;
  return hi - lo === 1 ? `${f(lo)}` : `${f(lo)}–${hi >= 1000 ? f(hi) : hi - 1}`;
};

const statusColor = (k: string): string => (k.startsWith('5') ? '#e45756' : k.startsWith('4') ? '#f58518' : k.startsWith('3') ? '#54a24b' : k.startsWith('2') ? '#4c78a8' : '#9d755d');

function htmlTable(t: ReportTable): string {
  const head = t.columns.map((c) => `<th>${esc(c.name)}</th>`).join('');
  const rows = Array.from({ length: t.length }, (_, r) => rowCells(t, r))
    .map((r) => `<tr>${r.map((c, i) => (t.columns[i]!.type === 'key' ? `<td class="k">${esc(String(c))}</td>` : `<td>${c === null ? '–' : c}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

export function renderHtml(a: Analyzer, primary: KindSpec, ctx: HtmlContext): string {
  const total = tableOf(a, 'total');
  const timeline = tableOf(a, 'timeline');
  const urls = tableOf(a, 'urls');
  const clients = tableOf(a, 'clients');
  const status = tableOf(a, 'status');
  const term = tableOf(a, 'termination');
  const timer = mainTimer(total);
  const ti = TIMER_INDEX[timer];
  const all = total?.ids()[0];
  const allStats: SeriesStats | null = total && all !== undefined && samples(total, all, ti) > 0 ? statsOf(total, all, ti) : null;
  const sections: string[] = [];
  const approx = a.tables.some((t) => t.sketch);

  const facts: [string, string][] = [
    ['inputs', ctx.sources.join(', ') || 'stdin'],
    ['lines', `${ctx.input.lines} (${ctx.input.records} traffic records, ${ctx.input.invalid} other or malformed)`],
    ['kept by filters', String(ctx.input.kept)],
    ['accept dates', a.kept ? `${new Date(a.firstMs).toISOString()} – ${new Date(a.lastMs).toISOString()} (UTC)` : '–'],
    ['requests / errors', total && all !== undefined ? `${total.count(all, Col.req)} / ${total.count(all, Col.err)}` : '0'],
    ['bytes', total && all !== undefined ? String(total.count(all, Col.bytes)) : '0'],
    [`${timer} p50 / p90 / p99 / max`, allStats ? `${allStats.pct[0]} / ${allStats.pct[2]} / ${allStats.pct[4]} / ${allStats.max} ms` : '–'],
  ];
  sections.push(`<dl>${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`);

  if (timeline) {
    const rows = timeline.ids().sort((x, y) => (timeline.key(x) < timeline.key(y) ? -1 : 1));
    const labels = rows.map((r) => timeline.key(r));
    const col = (c: number): (number | null)[] => rows.map((r) => timeline.count(r, c));
    sections.push(`<h2>Requests and errors over time</h2>` + lineChart('chart-requests', labels, [
      { name: 'requests', color: '#4c78a8', values: col(Col.req) },
      { name: 'errors', color: '#e45756', values: col(Col.err) },
      { name: '4xx', color: '#f58518', values: col(Col.s4xx) },
      { name: '5xx', color: '#b279a2', values: col(Col.s5xx) },
    ]));
    const st = rows.map((r) => (samples(timeline, r, ti) > 0 ? statsOf(timeline, r, ti) : null));
    const p = (i: number): (number | null)[] => st.map((s) => (s && s.count ? s.pct[i]! : null));
    sections.push(`<h2>${timer} latency percentiles over time</h2>` + lineChart('chart-latency', labels, [
      { name: 'p50', color: '#54a24b', values: p(0) },
      { name: 'p90', color: '#f58518', values: p(2) },
      { name: 'p99', color: '#e45756', values: p(4) },
      { name: 'max', color: '#9d755d', values: st.map((s) => (s && s.count ? s.max : null)) },
    ], ' ms'));
  }
  if (total && all !== undefined) {
    const bins = BIN_EDGES.map(() => 0);
    total.lat.forEachValue(all * NTIMERS + ti, (v, c) => {
      let i = BIN_EDGES.length - 1;
      while (i > 0 && v < BIN_EDGES[i]!) i--;
      bins[i] += c;
    });
    sections.push(`<h2>${timer} latency distribution (ms)</h2>` + columnChart('chart-distribution', bins.map((v, i) => ({ label: binLabel(i), value: v }))));
  }
  const bars = (t: GroupTable | null, id: string, title: string, color?: (k: string) => string): void => {
    if (!t) return;
    const b: Bar[] = topRows(t, ctx.top).map((r) => {
      const s = samples(t, r, ti) > 0 ? statsOf(t, r, ti) : null;
      const key = t.key(r);
      const errors = t.count(r, Col.err);
      return { label: key === '' ? '(none)' : key, value: req(t, r), color: color?.(key), note: s && s.count ? `${timer} p50 ${s.pct[0]} ms, p99 ${s.pct[4]} ms, ${errors} errors` : `${errors} errors` };
    });
    sections.push(`<h2>${esc(title)}</h2>` + barChart(id, b));
  };
  bars(urls, 'chart-urls', `Top ${ctx.top} URLs (requests)`);
  bars(clients, 'chart-clients', `Top ${ctx.top} clients (requests)`);
  bars(status, 'chart-status', 'Status mix', statusColor);
  bars(term, 'chart-termination', 'Termination states (first two characters)', (k) => (k.startsWith('-') ? '#4c78a8' : '#e45756'));

  const primaryIdx = a.options.kinds.findIndex((k) => kindLabel(k) === kindLabel(primary));
  if (primaryIdx >= 0 && primary.kind !== 'total') {
    const t = buildTable(primary, a.tables[primaryIdx]!, { timers: [timer], sort: ctx.sort, top: ctx.top });
    sections.push(`<h2>Report: ${esc(kindLabel(primary))} (${t.length} of ${t.meta.totalRows} rows)</h2>` + htmlTable(t));
  }
  const notes = [
    `Percentiles from HdrHistogram with 3 significant digits: exact below 2048 ms, above within 1/1024 of the exact value (never above the max). Errors: HTTP 5xx or status below 100, or a TCP session whose termination state does not start with '-'.`,
  ];
  if (approx) notes.push('Some tables reached the memory cap and are approximate (space-saving sketch): counts may be over-estimated by up to the req_err of each row.');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>haloscope report: ${esc(kindLabel(primary))}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:900px;color:#222;padding:0 12px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:16px;margin:28px 0 6px;border-bottom:1px solid #ddd;padding-bottom:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dt{color:#666}dd{margin:0;word-break:break-all}
svg.chart{display:block;background:#fff}table{border-collapse:collapse;font-size:12px;width:100%}
th,td{border-bottom:1px solid #eee;padding:2px 6px;text-align:right;white-space:nowrap}th{background:#f6f6f6}
td.k,th:first-child{text-align:left;white-space:normal;word-break:break-all}p.note{color:#666;font-size:12px}
</style></head><body>
<h1>haloscope report</h1>
${sections.join('\n')}
${notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
</body></html>
`;
}
