import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { CORPUS } from '../helpers/paths.js';
import { loadPage, requireChromium } from './chromium.js';
import { haloscope } from './run-report.js';

const CHARTS = ['chart-requests', 'chart-latency', 'chart-distribution', 'chart-urls', 'chart-clients', 'chart-status', 'chart-termination'];

/** Counts distinct RGB colours in an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes). */
function pngColours(png: Buffer): { width: number; height: number; colours: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let p = 8;
  let width = 0;
  let height = 0;
  let bpp = 0;
  const idat: Buffer[] = [];
  while (p < png.length) {
    const len = png.readUInt32BE(p);
    const type = png.toString('latin1', p + 4, p + 8);
    const data = png.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth 8');
      bpp = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      assert.ok(bpp > 0, 'RGB or RGBA');
    } else if (type === 'IDAT') idat.push(data);
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const prev = Buffer.alloc(stride);
  const cur = Buffer.alloc(stride);
  const colours = new Set<number>();
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? cur[x - bpp]! : 0;
      const b = prev[x]!;
      const c = x >= bpp ? prev[x - bpp]! : 0;
      let v = line[x]!;
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[x] = v & 0xff;
    }
    for (let x = 0; x < stride; x += bpp) colours.add((cur[x]! << 16) | (cur[x + 1]! << 8) | cur[x + 2]!);
    cur.copy(prev);
  }
  return { width, height, colours: colours.size };
}

test('report --html: one self-contained file that headless Chromium renders with every chart drawn, no console error, no fetch', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-html-'));
  try {
    const file = join(dir, 'report.html');
    const r = haloscope(['report', 'urls', '--html', file, '--interval', '10s', '-q', join(CORPUS, 'access.log')]);
    assert.equal(r.status, 0, r.err);
    assert.equal(r.out, '', '--html alone prints nothing on stdout');
    const html = readFileSync(file, 'utf8');
    assert.ok(!/<script|<link|<img|@import|url\(/i.test(html), 'no script, stylesheet, image or CSS url: nothing to fetch');
    assert.ok(!/(src|href)\s*=\s*["']?https?:/i.test(html), 'no external reference');
    for (const id of CHARTS) assert.ok(html.includes(`id="${id}"`), `${id} present`);
    assert.ok(html.includes('127.2.7.70'), 'the top client is named');
    const chromium = requireChromium(t);
    if (!chromium) return;
    const page = await loadPage(chromium, pathToFileURL(file).href, `(() => {
      const charts = [...document.querySelectorAll('svg.chart')];
      return charts.map((svg) => {
        const marks = [...svg.querySelectorAll('rect, path.series, circle')];
        const drawn = marks.filter((m) => { const b = m.getBBox(); return b.width > 0 || b.height > 0; }).length;
        const box = svg.getBoundingClientRect();
        return { id: svg.id, marks: marks.length, drawn, width: box.width, height: box.height };
      });
    })()`);
    assert.deepEqual(page.consoleErrors, [], 'no console error or exception');
    assert.deepEqual(page.requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')), [], 'no network request');
    const charts = page.value as { id: string; marks: number; drawn: number; width: number; height: number }[];
    assert.deepEqual(charts.map((c) => c.id).sort(), [...CHARTS].sort());
    for (const c of charts) {
      assert.ok(c.width > 300 && c.height > 50, `${c.id} laid out (${c.width}x${c.height})`);
      assert.ok(c.drawn > 0 && c.drawn >= c.marks / 2, `${c.id}: ${c.drawn} of ${c.marks} marks drawn`);
    }
    writeFileSync(join(dir, 'report.png'), page.screenshot);
    const png = pngColours(page.screenshot);
    assert.ok(png.height > 1500, `full-page screenshot (${png.width}x${png.height})`);
    assert.ok(png.colours > 20, `screenshot shows charts, not a blank page (${png.colours} colours)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('merge --html: the fleet page from summaries holds the same charts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-html-merge-'));
  try {
    const s = join(dir, 'a.json');
    assert.equal(haloscope(['report', 'clients', '--summary', s, join(CORPUS, 'access.log')]).status, 0);
    const file = join(dir, 'fleet.html');
    const m = haloscope(['merge', '--html', file, '-q', s, s]);
    assert.equal(m.status, 0, m.err);
    const html = readFileSync(file, 'utf8');
    for (const id of CHARTS) assert.ok(html.includes(`id="${id}"`), `${id} present`);
    assert.ok(html.includes('Report: clients'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
