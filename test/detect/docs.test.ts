/** docs/detection.md documents exactly what exists: every rule, every rules-file field, every error code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RULES } from '../../halog/detect/default-rules.js';
import { DETECT_ERROR_CODES } from '../../halog/detect/errors.js';
import { RULE_IDS } from '../../halog/detect/rules.js';
import { USAGE } from '../../halog/detect/cli.js';
import { REPO_ROOT } from '../helpers/paths.js';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'detection.md'), 'utf8');

test('docs: every rule id has its section or table row, and no other rule id is mentioned', () => {
  for (const id of RULE_IDS) assert.ok(doc.includes(`### \`${id}\``) || doc.includes(`| \`${id}\` |`), id);
  const mentioned = new Set<string>();
  for (const family of ['scan', 'crawl', 'probe', 'bruteforce', 'flood', 'slow', 'proto', 'ua', 'proxy']) {
    let i = doc.indexOf(`\`${family}.`);
    while (i >= 0) {
      const end = doc.indexOf('`', i + 1);
      const word = doc.slice(i + 1, end);
      const id = word.split('.').slice(0, 2).join('.');
      if (!word.includes('*') && !word.includes('<')) mentioned.add(id);
      i = doc.indexOf(`\`${family}.`, end + 1);
    }
  }
  for (const id of mentioned) assert.ok((RULE_IDS as string[]).includes(id), `docs mention unknown rule '${id}'`);
});

test('docs: every threshold of every rule is documented with its default', () => {
  for (const id of RULE_IDS) {
    const rule = DEFAULT_RULES.rules[id] as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(rule)) {
      if (['enabled', 'score', 'patterns', 'target', 'minDistinct'].includes(key) && id.startsWith('probe.')) continue;
      if (key === 'patterns' || key === 'enabled') continue;
      assert.ok(doc.includes(`\`${key}\``) || doc.includes(`.${key}`), `${id}.${key} not documented`);
      if (typeof value === 'number' && key !== 'score') assert.ok(doc.includes(`**${value}**`) || doc.includes(`| ${value} |`), `${id}.${key} default ${value} not documented`);
    }
    assert.ok(doc.includes(`(score ${rule.score})`) || doc.includes(`| \`${id}\` | ${rule.score} |`), `${id} score ${rule.score} not documented`);
  }
  for (const key of Object.keys(DEFAULT_RULES)) if (key !== 'rules') assert.ok(doc.includes(`\`${key}`), key);
});

test('docs: error codes and options', () => {
  for (const code of DETECT_ERROR_CODES) assert.ok(doc.includes(code), code);
  let i = USAGE.indexOf('--');
  while (i >= 0) {
    let e = i + 2;
    while (e < USAGE.length && /[a-z-]/.test(USAGE[e]!)) e++;
    const opt = USAGE.slice(i, e);
    if (opt.length > 2) assert.ok(doc.includes(`\`${opt}`), `option ${opt} not in docs`);
    i = USAGE.indexOf('--', e);
  }
});
