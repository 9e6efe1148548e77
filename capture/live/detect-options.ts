/**
 * `capture --live`'s detection flags turned into the options `haloscope detect` uses: the same
 * rules file format, allow-list, client key and capture layout, checked the same way.
 */
import type { DetectOptions } from '../../halog/detect/detector.js';
import { DetectUsageError } from '../../halog/detect/errors.js';
import { BUILTIN_RULES, loadRulesFile, resolveRules, type DetectRules } from '../../halog/detect/rules.js';
import type { LiveDetectConfig } from '../options.js';

/** The detector options, or the message of what is wrong with the flags (exit status 2). */
export function liveDetectOptions(c: LiveDetectConfig): DetectOptions | string {
  let rules: Readonly<DetectRules>;
  try {
    rules = c.rulesFile ? loadRulesFile(c.rulesFile) : BUILTIN_RULES;
    if (c.captures) rules = resolveRules({ ...structuredClone(rules), captures: [...c.captures] }, '--captures');
  } catch (e) {
    if (e instanceof DetectUsageError) return `${e.message} [${e.code}]`;
    throw e;
  }
  if (c.by === 'xff' && !rules.captures.some((name) => name.toLowerCase() === 'x-forwarded-for')) {
    return `--by xff: no X-Forwarded-For among the request captures (${rules.captures.join(',')}); name it with --captures, e.g. --captures 'Host,User-Agent,Referer,X-Forwarded-For' [E_DETECT_USAGE]`;
  }
  return { rules, by: c.by, exclude: [...c.exclude] };
}
