import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ALL_CODES } from '../../capture/errors.js';
import { REPO_ROOT } from './helpers.js';

test('docs/capture.md lists exactly the error codes capture has', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'capture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Error codes'), doc.indexOf('\n## ', doc.indexOf('## Error codes') + 5));
  const documented = [...section.matchAll(/^\| `(E_CAPTURE_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), [...ALL_CODES].sort());
  assert.equal(new Set(ALL_CODES).size, ALL_CODES.length, 'codes are unique');
});
