/** Reading the stats page's `;csv` export in tests (HAProxy sends it chunked). */

/** Rows of a `;csv` response: header names and one record per row. */
export function parseCsv(response: string): { header: string; rows: Record<string, string>[]; widths: number[] } {
  let body = response.slice(response.indexOf('\r\n\r\n') + 4);
  if (/transfer-encoding: chunked/i.test(response.slice(0, response.indexOf('\r\n\r\n')))) {
    let out = '';
    for (;;) {
      const eol = body.indexOf('\r\n');
      const n = parseInt(body.slice(0, eol), 16);
      if (!n) break;
      out += body.slice(eol + 2, eol + 2 + n);
      body = body.slice(eol + 2 + n + 2);
    }
    body = out;
  }
  const lines = body.split('\n').filter(Boolean);
  const header = lines[0]!;
  const names = header.slice(2).split(',');
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
  return { header, rows, widths: lines.slice(1).map((l) => l.split(',').length) };
}
