/**
 * Small inline-SVG chart builders for the HTML report: no script, no fonts, no network. Each
 * returns an `<svg>` string with a `<title>` per mark, so browsers show values on hover.
 */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const W = 860;
const PAD = { l: 56, r: 16, t: 12, b: 36 };

export interface LineSeries {
  name: string;
  color: string;
  values: (number | null)[];
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v >= 1e9) return `${+(v / 1e9).toFixed(1)}G`;
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(2));
}

function yAxis(max: number, h: number, unit: string): string {
  let s = '';
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = PAD.t + (h - PAD.t - PAD.b) * (1 - i / 4);
    s += `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`;
    s += `<text x="${PAD.l - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#555">${fmt(v)}${unit}</text>`;
  }
  return s;
}

function legend(series: { name: string; color: string }[]): string {
  return series.map((s, i) => `<rect x="${PAD.l + i * 110}" y="0" width="10" height="10" fill="${s.color}"/><text x="${PAD.l + 14 + i * 110}" y="9" font-size="11" fill="#333">${esc(s.name)}</text>`).join('');
}

/** Lines over a category x axis (time buckets); null = no value (gap). */
export function lineChart(id: string, labels: string[], series: LineSeries[], unit = '', h = 240): string {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const n = labels.length;
  const x = (i: number): number => PAD.l + (n <= 1 ? (W - PAD.l - PAD.r) / 2 : ((W - PAD.l - PAD.r) * i) / (n - 1));
  const y = (v: number): number => PAD.t + 14 + (h - PAD.t - 14 - PAD.b) * (1 - v / max);
  let body = yAxis(max, h, unit);
  const ticks = Math.min(n, 8);
  for (let k = 0; k < ticks; k++) {
    const i = ticks <= 1 ? 0 : Math.round((k * (n - 1)) / (ticks - 1));
    body += `<text x="${x(i)}" y="${h - PAD.b + 16}" text-anchor="middle" font-size="10" fill="#555">${esc(labels[i]!.slice(11, 19) || labels[i]!)}</text>`;
  }
  for (const s of series) {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    body += `<path class="series" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`;
    if (n <= 120) {
      s.values.forEach((v, i) => {
        if (v !== null) body += `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2" fill="${s.color}"><title>${esc(`${labels[i]} ${s.name}: ${v}${unit}`)}</title></circle>`;
      });
    }
  }
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${h}" width="100%" role="img" xmlns="http://www.w3.org/2000/svg">${legend(series)}${body}</svg>`;
}

export interface Bar {
  label: string;
  value: number;
  color?: string;
  note?: string;
}

/** Horizontal bars, one per row, labels on the left (long labels are cut, full text in the tooltip). */
export function barChart(id: string, bars: Bar[], unit = ''): string {
  const rowH = 20;
  const labelW = 300;
  const h = PAD.t + bars.length * rowH + 8;
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const span = W - labelW - PAD.r - 60;
  let body = '';
  bars.forEach((b, i) => {
    const y = PAD.t + i * rowH;
    const w = Math.max(1, (span * b.value) / max);
    const label = b.label.length > 44 ? `${b.label.slice(0, 43)}…` : b.label;
    body += `<g class="bar"><title>${esc(`${b.label}: ${b.value}${unit}${b.note ? ` (${b.note})` : ''}`)}</title>`;
    body += `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end" font-size="11" fill="#333">${esc(label)}</text>`;
    body += `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${b.color ?? '#4c78a8'}"/>`;
    body += `<text x="${labelW + w + 4}" y="${y + 14}" font-size="11" fill="#555">${fmt(b.value)}${unit}</text></g>`;
  });
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${h}" width="100%" role="img" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

/** Vertical bars over labelled bins (a distribution). */
export function columnChart(id: string, bins: Bar[], unit = '', h = 220): string {
  const max = niceMax(Math.max(0, ...bins.map((b) => b.value)));
  const n = Math.max(1, bins.length);
  const cw = (W - PAD.l - PAD.r) / n;
  let body = yAxis(max, h, unit);
  bins.forEach((b, i) => {
    const bh = ((h - PAD.t - PAD.b) * b.value) / max;
    const x = PAD.l + i * cw;
    body += `<g class="bar"><title>${esc(`${b.label}: ${b.value}${unit}`)}</title><rect x="${(x + 2).toFixed(1)}" y="${(h - PAD.b - bh).toFixed(1)}" width="${Math.max(1, cw - 4).toFixed(1)}" height="${bh.toFixed(1)}" fill="${b.color ?? '#72b7b2'}"/></g>`;
    body += `<text x="${(x + cw / 2).toFixed(1)}" y="${h - PAD.b + 14}" text-anchor="middle" font-size="10" fill="#555">${esc(b.label)}</text>`;
  });
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${h}" width="100%" role="img" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}
