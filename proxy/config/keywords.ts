/** The keyword table: every keyword the parser knows, looked up by section and name. */
import type { Keyword, UnsupportedKeyword } from './keyword.js';
import { GLOBAL_KEYWORDS, GLOBAL_UNSUPPORTED } from './keywords-global.js';
import { PROXY_KEYWORDS, PROXY_UNSUPPORTED } from './keywords-proxy.js';

export const KEYWORDS: readonly Keyword[] = [...GLOBAL_KEYWORDS, ...PROXY_KEYWORDS];
export const UNSUPPORTED_KEYWORDS: readonly UnsupportedKeyword[] = [...GLOBAL_UNSUPPORTED, ...PROXY_UNSUPPORTED];

function index<T extends { section: string; keyword: string }>(list: readonly T[]): ReadonlyMap<string, ReadonlyMap<string, T>> {
  const out = new Map<string, Map<string, T>>();
  for (const k of list) {
    let m = out.get(k.section);
    if (!m) out.set(k.section, (m = new Map()));
    m.set(k.keyword, k);
  }
  return out;
}

export const KEYWORD_INDEX = index(KEYWORDS);
export const UNSUPPORTED_INDEX = index(UNSUPPORTED_KEYWORDS);
