import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import test from 'node:test';
import { REPO_ROOT } from './helpers.js';

/**
 * capture/ may use Node, its own files, the log contract (proxy/log/format), halog's line
 * primitives (halog/parse), the detect engine for `--live` (halog/detect/detector and verdict:
 * the same detectors as `haloscope detect`, issue 7; rules, errors and cidr: the same rules
 * files and allow-lists), the shared "did you mean" leaf
 * (proxy/config/suggest, which imports nothing) and hdr-histogram-js; nothing else of the
 * proxy or of halog.
 */
const ALLOWED = [/^node:/, /^hdr-histogram-js$/, /^capture\//, /^proxy\/log\/format\//, /^proxy\/config\/suggest\.js$/, /^halog\/parse\//, /^halog\/detect\/(detector|verdict|rules|errors|cidr)\.js$/];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

test('capture/ imports only Node, itself, the log contract, halog/parse, the detect engine, the suggest leaf and hdr-histogram-js', () => {
  const files = tsFiles(join(REPO_ROOT, 'capture'));
  assert.ok(files.length > 10);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)) {
      const spec = (m[1] ?? m[2])!;
      const target = spec.startsWith('.') ? relative(REPO_ROOT, resolve(file, '..', spec)) : spec;
      assert.ok(ALLOWED.some((re) => re.test(target)), `${relative(REPO_ROOT, file)} imports ${spec}`);
    }
  }
});
