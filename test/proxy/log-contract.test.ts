/**
 * The log contract (proxy/log/format/) imports nothing, and the other tools reach into proxy/
 * only through it: halog's parser and the proxy's emitter change together or not at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function tsFiles(dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(abs, f));
}

const imports = (file: string): string[] => [...fs.readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

test('proxy/log/format imports nothing', () => {
  const files = tsFiles('proxy/log/format');
  assert.ok(files.length >= 2);
  for (const f of files) assert.deepEqual(imports(f), [], f);
});

/**
 * Leaf modules of proxy/ that the other tools may share besides the log contract: they import
 * nothing, so sharing them cannot pull proxy internals into the analyzer or the collector.
 */
const SHARED_LEAVES = ['proxy/config/suggest.ts'];

test('shared leaf modules import nothing', () => {
  for (const f of SHARED_LEAVES) assert.deepEqual(imports(path.join(root, f)), [], f);
});

test('other tools import from proxy/ only the log contract and the shared leaves', () => {
  for (const dir of ['halog', 'capture', 'detect', 'report']) {
    for (const f of tsFiles(dir)) {
      for (const spec of imports(f)) {
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(path.dirname(f), spec);
        const rel = path.relative(root, target);
        if (rel.startsWith('proxy' + path.sep) && !SHARED_LEAVES.includes(rel.replace(/\.js$/, '.ts'))) assert.match(rel, /^proxy\/log\/format\//, `${path.relative(root, f)} imports ${spec}`);
      }
    }
  }
});

test('the emitter uses the contract for its placeholders', () => {
  const src = fs.readFileSync(path.join(root, 'proxy/log/httplog.ts'), 'utf8');
  assert.match(src, /from '\.\/format\/fields\.js'/);
  assert.match(src, /NO_SERVER/);
  assert.match(src, /BAD_REQUEST/);
});
