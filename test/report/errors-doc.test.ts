import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportErrorCode } from '../../halog/analyze/errors.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { haloscope } from './run-report.js';

test('docs/reports.md lists exactly the error codes of halog/analyze/errors.ts, and --help the kinds and formats', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'reports.md'), 'utf8');
  const start = doc.indexOf('## Errors');
  assert.ok(start >= 0, 'an "## Errors" section exists');
  const next = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, next < 0 ? undefined : next);
  const documented = [...section.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  assert.deepEqual(documented, Object.keys(ReportErrorCode).sort());
  const help = haloscope(['report', '--help']).out;
  for (const w of ['urls', 'servers', 'backends', 'frontends', 'status', 'termination', 'clients', 'timeline', 'header:<block>:<field>', '--csv', '--tsv', '--json', '--ndjson', '--html', '--summary', '--max-memory']) {
    assert.ok(help.includes(w), `--help mentions ${w}`);
    assert.ok(doc.includes(w.replace(':<block>:<field>', '')), `docs mention ${w}`);
  }
});
