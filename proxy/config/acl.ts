/**
 * Parsing of `acl` lines and of `if|unless` conditions into the data evaluated by
 * frontend/acl.ts. Supported: path, path_beg, path_end, path_sub, path_dir, url, url_beg,
 * url_sub, hdr(<name>), hdr_beg/hdr_end/hdr_sub/hdr_dom(<name>), method, src; flags `-i`,
 * `-m str|beg|end|sub|dir|dom`, `--`; predefined TRUE, FALSE, METH_*, HTTP_1.0, HTTP_1.1.
 */
import type { AclCriterion, AclTerm, AclTest, Condition } from './types.js';
import { suggest } from './suggest.js';

const FETCHES = ['path', 'url', 'hdr', 'method', 'src'] as const;
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  path: ['', '_beg', '_end', '_sub', '_dir'],
  url: ['', '_beg', '_sub'],
  hdr: ['', '_beg', '_end', '_sub', '_dom'],
  method: [''],
  src: [''],
};
const ALL_CRITERIA = FETCHES.flatMap((f) => SUFFIXES[f]!.map((s) => f + s));

/** `-m` match methods and the criterion suffix they are equivalent to. */
const MATCH_METHODS: Readonly<Record<string, string>> = { str: '', beg: '_beg', end: '_end', sub: '_sub', dir: '_dir', dom: '_dom' };

export const PREDEFINED_ACLS: ReadonlyMap<string, readonly AclTest[]> = new Map<string, AclTest[]>([
  ['TRUE', [{ criterion: 'always_true', header: null, ignoreCase: false, values: [] }]],
  ['FALSE', [{ criterion: 'always_false', header: null, ignoreCase: false, values: [] }]],
  ...['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'].map(
    (m): [string, AclTest[]] => [
      `METH_${m}`,
      [{ criterion: 'method', header: null, ignoreCase: false, values: m === 'GET' ? ['GET', 'HEAD'] : [m] }],
    ],
  ),
]);

export type AclParse = { ok: true; test: AclTest } | { ok: false; error: string };

/** Parses `<criterion> [flags] <value>...` (the words after `acl <name>` or inside `{ }`). */
export function parseAclTest(words: readonly string[]): AclParse {
  const first = words[0];
  if (first === undefined) return { ok: false, error: 'missing ACL criterion' };
  const m = /^([a-z_.0-9]+)(?:\(([^)]*)\))?$/.exec(first);
  if (!m) return { ok: false, error: `invalid ACL criterion '${first}'` };
  let name = m[1]!;
  const param = m[2];
  let ignoreCase = false;
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (w === '-i') ignoreCase = true;
    else if (w === '-m') {
      const how = words[++i];
      const suffix = how === undefined ? undefined : MATCH_METHODS[how];
      if (suffix === undefined) return { ok: false, error: `unsupported match method '-m ${how ?? ''}' (use str, beg, end, sub, dir or dom)` };
      name = name.replace(/_(beg|end|sub|dir|dom)$/, '') + suffix;
    } else if (w.startsWith('-') && !/^-\d/.test(w)) {
      return { ok: false, error: `unsupported ACL flag '${w}' (supported: -i, -m, --)` };
    } else break;
  }
  if (!ALL_CRITERIA.includes(name)) {
    const hint = suggest(name, ALL_CRITERIA);
    return { ok: false, error: `unknown or unsupported ACL criterion '${name}'${hint ? `; did you mean '${hint}'?` : ''}` };
  }
  let header: string | null = null;
  if (name.startsWith('hdr')) {
    if (!param) return { ok: false, error: `'${name}' needs a header name: ${name}(host)` };
    header = param.toLowerCase();
  } else if (param !== undefined && param !== '') {
    return { ok: false, error: `'${name}' takes no argument` };
  }
  const values = words.slice(i);
  if (values.length === 0) return { ok: false, error: `ACL '${first}' has no value to match` };
  if (name === 'src') {
    for (const v of values) if (!/^[0-9a-fA-F:.]+(\/\d+)?$/.test(v)) return { ok: false, error: `invalid address '${v}' for src` };
  }
  return { ok: true, test: { criterion: name as AclCriterion, header, ignoreCase, values } };
}

export type ConditionParse = { ok: true; cond: Condition } | { ok: false; error: string };

/**
 * Parses `if|unless <terms>`: terms are `[!]name` or `[!]{ <anonymous acl> }`; juxtaposed
 * terms are ANDed, `||` / `or` separate alternatives.
 */
export function parseCondition(words: readonly string[], acls: ReadonlyMap<string, readonly AclTest[]>): ConditionParse {
  const kw = words[0];
  if (kw !== 'if' && kw !== 'unless') return { ok: false, error: `expected 'if' or 'unless', got '${kw ?? ''}'` };
  const anyOf: AclTerm[][] = [];
  let current: AclTerm[] = [];
  let i = 1;
  while (i < words.length) {
    let w = words[i]!;
    if (w === '||' || w === 'or') {
      if (current.length === 0) return { ok: false, error: `'${w}' without a condition before it` };
      anyOf.push(current);
      current = [];
      i++;
      continue;
    }
    let negate = false;
    if (w === '!') {
      negate = true;
      w = words[++i] ?? '';
    } else if (w.startsWith('!')) {
      negate = true;
      w = w.slice(1);
    }
    if (w === '{') {
      const end = words.indexOf('}', i + 1);
      if (end < 0) return { ok: false, error: "missing '}' after anonymous ACL" };
      const parsed = parseAclTest(words.slice(i + 1, end));
      if (!parsed.ok) return parsed;
      current.push({ negate, name: `{ ${words.slice(i + 1, end).join(' ')} }`, tests: [parsed.test] });
      i = end + 1;
      continue;
    }
    if (w === '') return { ok: false, error: "'!' must be followed by an ACL" };
    const tests = acls.get(w) ?? PREDEFINED_ACLS.get(w);
    if (!tests) {
      const hint = suggest(w, [...acls.keys(), ...PREDEFINED_ACLS.keys()]);
      return { ok: false, error: `no such ACL : '${w}'${hint ? `; did you mean '${hint}'?` : ''}` };
    }
    current.push({ negate, name: w, tests });
    i++;
  }
  if (current.length === 0) return { ok: false, error: `missing condition after '${kw}'` };
  anyOf.push(current);
  return { ok: true, cond: { unless: kw === 'unless', anyOf } };
}
