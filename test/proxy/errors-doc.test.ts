/** docs/errors.md lists exactly the proxy's error codes, and docs/configuration.md every keyword. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProxyErrorCode } from '../../proxy/errors.js';
import { KEYWORDS } from '../../proxy/config/keywords.js';
import { ALGORITHMS } from '../../proxy/lb/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (f: string): string => fs.readFileSync(path.join(root, f), 'utf8');

test('docs/errors.md proxy section lists exactly the codes of proxy/errors.ts', () => {
  const doc = read('docs/errors.md');
  const start = doc.indexOf('## proxy');
  assert.ok(start >= 0, 'a "## proxy" section exists');
  const next = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, next < 0 ? undefined : next);
  const documented = [...section.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, Object.keys(ProxyErrorCode).sort());
});

test('docs/configuration.md documents every keyword and algorithm of the keyword table', () => {
  const doc = read('docs/configuration.md');
  for (const k of KEYWORDS) assert.ok(doc.includes('`' + k.keyword), `keyword '${k.keyword}' is documented`);
  for (const a of ALGORITHMS.keys()) assert.ok(doc.includes('`' + a), `algorithm '${a}' is documented`);
});
