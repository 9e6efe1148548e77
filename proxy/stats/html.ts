/** The HTML stats page: one table per proxy, one line per frontend, server and backend. */
import type { StatsRow } from './snapshot.js';

const esc = (v: string | number | undefined): string =>
  String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** [header, column] pairs shown; the full set is in the CSV export. */
const COLUMNS: readonly (readonly [string, string])[] = [
  ['Queue cur', 'qcur'],
  ['Sessions cur', 'scur'],
  ['Sessions max', 'smax'],
  ['Sessions limit', 'slim'],
  ['Sessions total', 'stot'],
  ['Bytes in', 'bin'],
  ['Bytes out', 'bout'],
  ['Denied req', 'dreq'],
  ['Errors req', 'ereq'],
  ['Errors conn', 'econ'],
  ['Errors resp', 'eresp'],
  ['Warnings retr', 'wretr'],
  ['Warnings redis', 'wredis'],
  ['Status', 'status'],
  ['LastChk', 'check_status'],
  ['Check code', 'check_code'],
  ['Check duration (ms)', 'check_duration'],
  ['Last change (s)', 'lastchg'],
  ['Wght', 'weight'],
  ['Act', 'act'],
  ['Bck', 'bck'],
  ['Chk fail', 'chkfail'],
  ['Chk down', 'chkdown'],
];

function rowClass(r: StatsRow): string {
  if (r.svname === 'FRONTEND') return 'frontend';
  if (r.svname === 'BACKEND') return 'backend';
  const s = String(r.status);
  return s === 'UP' ? 'active_up' : s === 'DOWN' ? 'active_down' : s === 'MAINT' ? 'maintain' : 'active_no_check';
}

export function statsHtml(rows: readonly StatsRow[], title: string, uri: string, refreshMs: number): string {
  let h =
    `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"\n"http://www.w3.org/TR/html4/loose.dtd">\n<html><head><title>Statistics Report for ${esc(title)}</title>\n` +
    `<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">\n<style type="text/css"><!--\n` +
    `body { font-family: arial, helvetica, sans-serif; font-size: 12px; }\ntable { border-collapse: collapse; margin-bottom: 1em; }\nth,td { font-size: 10px; border: 1px solid gray; padding: 1px 4px; }\n` +
    `.pxname { background: #b00040; color: #ffff40; font-weight: bold; }\n.frontend, .backend { background: #e8e8d0; }\n.active_up { background: #c0ffc0; }\n.active_down { background: #ff9090; }\n.maintain { background: #c07820; }\n.active_no_check { background: #e0e0e0; }\n` +
    `--></style></head>\n<body><h1>${esc(title)} statistics</h1>\n<p>${refreshMs > 0 ? `Refreshed every ${Math.round(refreshMs / 1000)} s. ` : ''}<a href="${esc(uri)};csv">CSV export</a></p>\n`;
  let current = '';
  for (const r of rows) {
    if (r.pxname !== current) {
      if (current) h += '</table>\n';
      current = String(r.pxname);
      h += `<table><tr><th class="pxname" colspan="${COLUMNS.length + 1}">${esc(current)}</th></tr>\n<tr><th>Name</th>${COLUMNS.map(([t]) => `<th>${t}</th>`).join('')}</tr>\n`;
    }
    h += `<tr class="${rowClass(r)}"><td>${esc(r.svname)}</td>${COLUMNS.map(([, c]) => `<td>${esc(r[c])}</td>`).join('')}</tr>\n`;
  }
  if (current) h += '</table>\n';
  return h + '</body></html>\n';
}
