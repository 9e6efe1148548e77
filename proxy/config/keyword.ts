/** The shape of one entry of the keyword table, and the context its parser gets. */
import type { ConfigError, ConfigLocation, ProxyErrorCode } from '../errors.js';
import type { DraftGlobal, DraftProxy, ProxyKind } from './draft.js';

export interface KeywordContext {
  readonly where: ConfigLocation;
  /** The line's words, keyword first. */
  readonly args: readonly string[];
  readonly global: DraftGlobal;
  /** The section being filled (null in `global`). */
  readonly proxy: DraftProxy | null;
  /** Records a problem; parsing goes on so that every problem is reported at once. */
  error(code: ProxyErrorCode, detail: string): void;
  warn(detail: string): void;
}

export interface Keyword {
  readonly section: 'global' | 'proxy';
  readonly keyword: string;
  /** For proxy keywords: section kinds where it is allowed. */
  readonly kinds?: readonly ProxyKind[];
  readonly parse: (ctx: KeywordContext) => void;
}

/** A keyword real HAProxy has and haloscope does not implement: recognised, then refused. */
export interface UnsupportedKeyword {
  readonly section: 'global' | 'proxy';
  readonly keyword: string;
  readonly hint: string;
}

export type Diagnostic = { readonly level: 'alert'; readonly error: ConfigError } | { readonly level: 'warning'; readonly where: ConfigLocation; readonly message: string };
