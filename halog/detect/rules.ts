/**
 * The rules file: types, loading and validation. A `--rules` file is JSON with the shape of
 * DEFAULT_RULES; every key is optional and overrides the built-in value; `extraPatterns`
 * appends to a rule's `patterns` instead of replacing them. All problems are collected and
 * reported at once, then the result is frozen.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_RULES } from './default-rules.js';
import { DetectUsageError } from './errors.js';
import { suggest } from '../../proxy/config/suggest.js';

export type ContentTarget = 'path' | 'full';

interface Base {
  enabled: boolean;
  score: number;
}
export interface ContentRule extends Base {
  /** `path`: the decoded path only; `full`: decoded path and query string. */
  target: ContentTarget;
  minDistinct: number;
  /** Count only requests that failed (status >= 400) or that HAProxy denied or tarpitted. */
  onlyErrors: boolean;
  patterns: string[];
}
export interface DetectRules {
  verdicts: { suspicious: number; malicious: number };
  evidencePerRule: number;
  staticExtensions: string[];
  /** Names of the request capture fields, in order (`capture request header` lines). */
  captures: string[];
  /** A client idle this long (accept dates) is judged; if clean, its state is dropped (0 = never). */
  evictIdleSeconds: number;
  rules: {
    'scan.paths': Base & { minDistinct: number; minErrorRatio: number; statuses: number[] };
    'crawl.aggressive': Base & { windowSeconds: number; minDistinct: number; maxStaticRatio: number };
    'probe.sensitive-files': ContentRule;
    'probe.path-traversal': ContentRule;
    'probe.sqli': ContentRule;
    'probe.xss': ContentRule;
    'probe.cmd-injection': ContentRule;
    'probe.backdoor': ContentRule;
    'probe.admin': ContentRule;
    'probe.cve': ContentRule & { headerPatterns: string[] };
    'bruteforce.auth': Base & { windowSeconds: number; minFailures: number; minFailureRatio: number; statuses: number[]; serverForbiddenCounts: boolean; authPaths: string[]; minLoginPosts: number; slowWindowSeconds: number; slowMinLoginPosts: number; slowMinShare: number };
    'flood.requests': Base & { windowSeconds: number; minNewConnections: number; minRequests: number; connectionReuseSeconds: number; minQueuedRatio: number; queuedFactor: number };
    'slow.client': Base & { minCount: number; minRatio: number; slowMs: number; slowHeadersMs: number };
    'proto.bad-requests': Base & { minCount: number; minRatio: number; monitorMinSpanSeconds: number };
    'proto.open-proxy': Base & { minCount: number };
    'ua.scanner': Base & { patterns: string[] };
    'proxy.denied': Base & { minCount: number; minRatio: number };
  };
}

export type RuleId = keyof DetectRules['rules'];
export const RULE_IDS = Object.keys(DEFAULT_RULES.rules) as RuleId[];
export const CONTENT_RULE_IDS = RULE_IDS.filter((id) => id.startsWith('probe.')) as Extract<RuleId, `probe.${string}`>[];

function kind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

/** Overlays `user` on `base` (same shape), collecting problems with their JSON path. */
function overlay(base: unknown, user: unknown, path: string, problems: string[]): unknown {
  const bk = kind(base);
  const uk = kind(user);
  if (bk === 'object') {
    if (uk !== 'object') {
      problems.push(`${path}: expected an object, got ${uk}`);
      return base;
    }
    const b = base as Record<string, unknown>;
    const u = user as Record<string, unknown>;
    const out: Record<string, unknown> = { ...b };
    for (const [k, v] of Object.entries(u)) {
      const here = path ? `${path}.${k}` : k;
      if (k === 'extraPatterns' && Array.isArray(b.patterns)) {
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) problems.push(`${here}: expected an array of strings`);
        else out.patterns = [...(out.patterns as string[]), ...(v as string[])];
        continue;
      }
      if (k === 'description' || k === '$comment') continue;
      if (!(k in b)) {
        const near = suggest(k, Object.keys(b));
        problems.push(`${here}: unknown key${near ? `; did you mean '${near}'?` : ''}`);
        continue;
      }
      out[k] = overlay(b[k], v, here, problems);
    }
    return out;
  }
  if (bk === 'array') {
    const elem = (base as unknown[]).length > 0 ? kind((base as unknown[])[0]) : 'string';
    if (uk !== 'array' || (user as unknown[]).some((x) => kind(x) !== elem)) {
      problems.push(`${path}: expected an array of ${elem}s`);
      return base;
    }
    return [...(user as unknown[])];
  }
  if (bk !== uk) {
    problems.push(`${path}: expected a ${bk}, got ${uk}`);
    return base;
  }
  if (bk === 'number' && !(Number.isFinite(user as number) && (user as number) >= 0)) {
    problems.push(`${path}: expected a number >= 0, got ${String(user)}`);
    return base;
  }
  if (path.endsWith('.target') && user !== 'path' && user !== 'full') {
    problems.push(`${path}: expected 'path' or 'full', got '${String(user)}'`);
    return base;
  }
  return user;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** Validates a parsed rules document against the built-in shape; throws with every problem. */
export function resolveRules(doc: unknown, source = 'rules'): Readonly<DetectRules> {
  const problems: string[] = [];
  const out = overlay(DEFAULT_RULES, doc, '', problems) as DetectRules;
  if (out.verdicts.malicious < out.verdicts.suspicious) problems.push('verdicts.malicious must be >= verdicts.suspicious');
  if (problems.length > 0) {
    throw new DetectUsageError('E_DETECT_RULES', `${source}: ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n  ${problems.join('\n  ')}`);
  }
  return deepFreeze(structuredClone(out));
}

export function loadRulesFile(file: string): Readonly<DetectRules> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DetectUsageError('E_DETECT_RULES', `cannot read rules file '${file}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DetectUsageError('E_DETECT_RULES', `rules file '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  return resolveRules(doc, `rules file '${file}'`);
}

export const BUILTIN_RULES: Readonly<DetectRules> = resolveRules({}, 'built-in rules');
