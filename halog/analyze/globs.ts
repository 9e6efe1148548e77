import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Expands shell-style globs in file arguments (`*`, `?`, `[...]` within a path segment, `**`
 * for any depth), for shells that did not (quoted arguments, Windows, cron). A pattern that
 * matches nothing is kept as is, so the open fails with the usual "no such file" message.
 * Matches are sorted, so `access.log.*` reads parts in name order.
 */
const MAGIC = /[*?[]/;

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = seg.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = seg.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function walk(base: string, segs: string[], out: string[]): void {
  if (!segs.length) {
    out.push(base);
    return;
  }
  const [seg, ...rest] = segs as [string, ...string[]];
  const dir = base === '' ? '.' : base;
  if (seg === '**') {
    walk(base, rest, out);
    for (const e of safeList(dir)) if (e.dir && !e.name.startsWith('.')) walk(join(base, e.name), segs, out);
    return;
  }
  if (!MAGIC.test(seg)) {
    const p = base === '' ? seg : join(base, seg);
    if (rest.length === 0) {
      try {
        statSync(p);
        out.push(p);
      } catch {
        /* no match */
      }
    } else walk(p, rest, out);
    return;
  }
  const re = segmentRegex(seg);
  for (const e of safeList(dir)) {
    if (e.name.startsWith('.') && !seg.startsWith('.')) continue;
    if (!re.test(e.name)) continue;
    if (rest.length && !e.dir) continue;
    walk(base === '' ? e.name : join(base, e.name), rest, out);
  }
}

function safeList(dir: string): { name: string; dir: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() }));
  } catch {
    return [];
  }
}

export function expandGlobs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!MAGIC.test(a)) {
      out.push(a);
      continue;
    }
    const abs = a.startsWith('/');
    const segs = a.split('/').filter((s) => s !== '');
    const found: string[] = [];
    walk(abs ? '/' : '', segs, found);
    if (found.length) out.push(...[...new Set(found)].sort());
    else out.push(a);
  }
  return out;
}
