/**
 * HAProxy's configuration line splitter (cfgparse.c `parse_line()` rules, re-implemented):
 * - words are separated by spaces or tabs; `#` outside quotes starts a comment;
 * - `\` escapes the next character (`\ `, `\#`, `\\`, `\'`, `\"`), and `\r`, `\n`, `\t`, `\xHH`;
 * - `"..."` groups words, keeps escapes and expands `${VAR}` / `$VAR`;
 * - `'...'` groups words literally (no escape, no expansion);
 * - quoted and unquoted parts glue together: `a"b c"d` is one word `ab cd`;
 * - `${VAR}` is also expanded outside quotes.
 */
import { ConfigError, ProxyErrorCode } from '../errors.js';

export interface ConfigLine {
  readonly file: string;
  readonly line: number;
  readonly args: readonly string[];
}

export interface TokenizeResult {
  readonly lines: ConfigLine[];
  readonly errors: ConfigError[];
}

const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c);

export function tokenize(text: string, file: string, env: NodeJS.ProcessEnv = process.env): TokenizeResult {
  const lines: ConfigLine[] = [];
  const errors: ConfigError[] = [];
  const raw = text.split('\n');
  for (let n = 0; n < raw.length; n++) {
    let src = raw[n]!;
    if (src.endsWith('\r')) src = src.slice(0, -1);
    const where = { file, line: n + 1 };
    const args: string[] = [];
    let word = '';
    let inWord = false;
    let quote: '"' | "'" | null = null;
    let bad: string | null = null;
    let i = 0;
    const expand = (): void => {
      // at src[i] === '$'
      let name: string;
      if (src[i + 1] === '{') {
        const end = src.indexOf('}', i + 2);
        if (end < 0) {
          bad = 'unterminated ${VAR} expression';
          i = src.length;
          return;
        }
        name = src.slice(i + 2, end);
        i = end + 1;
      } else {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i + 1));
        if (!m) {
          word += '$';
          i++;
          return;
        }
        name = m[0];
        i += 1 + name.length;
      }
      word += env[name] ?? '';
      inWord = true;
    };
    while (i < src.length) {
      const c = src[i]!;
      if (quote === "'") {
        if (c === "'") quote = null;
        else word += c;
        i++;
        continue;
      }
      if (c === '\\') {
        const d = src[i + 1];
        if (d === undefined) {
          bad = 'line ends with an escape character';
          break;
        }
        if (d === 'r') word += '\r';
        else if (d === 'n') word += '\n';
        else if (d === 't') word += '\t';
        else if (d === 'x' && isHex(src[i + 2] ?? '') && isHex(src[i + 3] ?? '')) {
          word += String.fromCharCode(parseInt(src.slice(i + 2, i + 4), 16));
          i += 2;
        } else word += d;
        inWord = true;
        i += 2;
        continue;
      }
      if (quote === '"') {
        if (c === '"') quote = null;
        else if (c === '$') {
          expand();
          continue;
        } else word += c;
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        inWord = true;
        i++;
        continue;
      }
      if (c === '#') break;
      if (c === ' ' || c === '\t') {
        if (inWord) args.push(word);
        word = '';
        inWord = false;
        i++;
        continue;
      }
      if (c === '$' && src[i + 1] === '{') {
        expand();
        continue;
      }
      word += c;
      inWord = true;
      i++;
    }
    if (quote !== null) bad = `unmatched quote (${quote})`;
    if (bad !== null) {
      errors.push(new ConfigError(ProxyErrorCode.E_CONFIG_SYNTAX, where, bad));
      continue;
    }
    if (inWord) args.push(word);
    if (args.length > 0) lines.push({ file, line: n + 1, args });
  }
  return { lines, errors };
}
