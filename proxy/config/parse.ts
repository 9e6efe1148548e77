/**
 * Walks tokenized lines, opens sections and hands each line to its keyword's parser from the
 * keyword table. Never stops at the first problem: every problem becomes a diagnostic.
 */
import { ConfigError, ProxyErrorCode as E, type ConfigLocation } from '../errors.js';
import { newDraftProxy, type DraftGlobal, type DraftProxy, type ProxyKind } from './draft.js';
import type { Diagnostic, KeywordContext } from './keyword.js';
import { KEYWORD_INDEX, UNSUPPORTED_INDEX } from './keywords.js';
import type { ConfigLine } from './tokenize.js';
import { suggest } from './suggest.js';

const SECTIONS = ['global', 'defaults', 'frontend', 'backend', 'listen'] as const;
const UNSUPPORTED_SECTIONS = ['peers', 'resolvers', 'userlist', 'cache', 'program', 'http-errors', 'mailers', 'ring', 'fcgi-app', 'dynamic-update', 'namespace_list', 'log-forward', 'crt-store'];

export interface ParsedDraft {
  readonly global: DraftGlobal;
  readonly proxies: DraftProxy[];
  readonly diagnostics: Diagnostic[];
}

export function parseLines(lines: readonly ConfigLine[]): ParsedDraft {
  const global: DraftGlobal = { maxconn: 0, nbthread: 1, logs: [], logTag: 'haproxy', logSendHostname: null, statsSockets: [], masterWorker: false, hardStopAfter: 0 };
  const proxies: DraftProxy[] = [];
  const diagnostics: Diagnostic[] = [];
  let section: 'global' | ProxyKind | null = null;
  let proxy: DraftProxy | null = null;
  let defaults: DraftProxy | null = null;
  const alert = (code: E, where: ConfigLocation, detail: string): void => {
    diagnostics.push({ level: 'alert', error: new ConfigError(code, where, detail) });
  };

  for (const line of lines) {
    const where = { file: line.file, line: line.line };
    const head = line.args[0]!;
    if ((SECTIONS as readonly string[]).includes(head)) {
      section = head as (typeof SECTIONS)[number];
      if (section === 'global') {
        proxy = null;
        if (line.args.length > 1) alert(E.E_CONFIG_BAD_VALUE, where, `'global' takes no argument`);
        continue;
      }
      const name = line.args[1];
      if (section !== 'defaults' && !name) {
        alert(E.E_CONFIG_MISSING_ARG, where, `'${section}' expects a <name> argument`);
        proxy = newDraftProxy('?', section, where, defaults);
        continue;
      }
      if (line.args.length > 2) alert(E.E_CONFIG_UNSUPPORTED, where, `'${section} ${name ?? ''}' : extra argument '${line.args[2]}' is not supported (no 'from' or named defaults)`);
      if (name !== undefined && !/^[A-Za-z0-9_.:-]+$/.test(name)) alert(E.E_CONFIG_BAD_VALUE, where, `character not permitted in ${section} name '${name}'`);
      proxy = newDraftProxy(name ?? '', section, where, defaults);
      if (section === 'defaults') defaults = proxy;
      else proxies.push(proxy);
      continue;
    }
    if (UNSUPPORTED_SECTIONS.includes(head)) {
      alert(E.E_CONFIG_UNSUPPORTED, where, `section '${head}' is not supported by haloscope; remove it`);
      section = null;
      proxy = null;
      continue;
    }
    if (section === null) {
      const hint = suggest(head, SECTIONS);
      alert(E.E_CONFIG_UNKNOWN_SECTION, where, `unknown keyword '${head}' out of section${hint ? `; did you mean '${hint}'?` : ''}`);
      continue;
    }
    const table = section === 'global' ? 'global' : 'proxy';
    const kw = KEYWORD_INDEX.get(table)?.get(head);
    if (!kw) {
      const unsupported = UNSUPPORTED_INDEX.get(table)?.get(head);
      if (unsupported) {
        alert(E.E_CONFIG_UNSUPPORTED, where, `keyword '${head}' in '${section}' section is not supported by haloscope; ${unsupported.hint}`);
        continue;
      }
      const candidates = [...(KEYWORD_INDEX.get(table)?.values() ?? [])]
        .filter((k) => section === 'global' || !k.kinds || k.kinds.includes(section as ProxyKind))
        .map((k) => k.keyword);
      const hint = suggest(head, candidates);
      alert(E.E_CONFIG_UNKNOWN_KEYWORD, where, `unknown keyword '${head}' in '${section}' section${hint ? `; did you mean '${hint}'?` : ''}`);
      continue;
    }
    if (proxy && kw.kinds && !kw.kinds.includes(proxy.kind)) {
      alert(E.E_CONFIG_WRONG_SECTION, where, `'${head}' is not allowed in '${proxy.kind}' section`);
      continue;
    }
    const ctx: KeywordContext = {
      where,
      args: line.args,
      global,
      proxy,
      error: (code, detail) => alert(code, where, detail),
      warn: (message) => diagnostics.push({ level: 'warning', where, message }),
    };
    kw.parse(ctx);
  }
  return { global, proxies, diagnostics };
}
