/**
 * The CLI's command list and its answer to an unknown command, computed like HAProxy 2.6's
 * cli_gen_usage_msg (cli.c): the words of the line that match a command's keywords exactly
 * select a group; a following word that matches nothing is compared with the remaining
 * keywords of that group by a letter-pair fingerprint distance (tools.c,
 * update_word_fingerprint), and the closest commands are proposed; without such a word the
 * whole group is listed. Lines are sorted, then help/prompt/quit always close the list.
 * HAProxy lists the same commands at every level (user, operator, admin): so does this.
 */

export interface CliKeyword {
  /** Up to 5 words that select the command (`show servers state`). */
  readonly words: readonly string[];
  /** HAProxy's usage line, byte for byte; null = not listed. */
  readonly usage: string | null;
}

const PREFIX_WORDS = 5; // CLI_PREFIX_KW_NB
const MAX_MATCHES = 5; // CLI_MAX_MATCHES

const TRAILER =
  '  help [<command>]                        : list matching or all commands\n' +
  '  prompt                                  : toggle interactive mode with prompt\n' +
  '  quit                                    : disconnect\n';

/** Adds a word to a 32x32 letter-pair fingerprint (a-z, digit, other; begin/end = other). */
function addWord(fp: Uint8Array, word: string): void {
  let from = 28;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) | (word.charCodeAt(i) >= 65 && word.charCodeAt(i) <= 90 ? 0x20 : 0);
    const to = c >= 97 && c <= 122 ? c - 96 : c >= 48 && c <= 57 ? 27 : 28;
    fp[to] = 1;
    fp[32 * from + to]!++;
    from = to;
  }
  fp[32 * from + 28]!++;
}

function distance(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < 1024; i++) d += Math.abs(a[i]! - b[i]!);
  return d;
}

/** How many leading words of `args` equal the keyword's (stopping at the first difference). */
function matched(kw: CliKeyword, args: readonly string[], limit: number): number {
  let idx = 0;
  for (; idx < limit; idx++) {
    if (idx >= kw.words.length || !args[idx] || kw.words[idx] !== args[idx]) break;
  }
  return idx;
}

/** The answer to `help [<words>]` or to an unknown command (`args` as split by the CLI). */
export function usageMessage(keywords: readonly CliKeyword[], line: readonly string[]): string {
  let args = line;
  const isHelp = args[0] === 'help';
  if (isHelp) args = args.slice(1);
  const at = (i: number): string => args[i] ?? '';
  let length = 0;
  for (const kw of keywords) length = Math.max(length, matched(kw, args, PREFIX_WORDS));
  let out = isHelp
    ? 'The following commands are valid at this level:\n'
    : !length && !at(0)
      ? 'Unknown command. Please enter one of the following commands only:\n'
      : 'Unknown command, but maybe one of the following ones is a better match:\n';

  const matches: { kw: CliKeyword; dist: number }[] = [];
  if (at(length)) {
    for (const kw of keywords) {
      const idx = matched(kw, args, length);
      if (!kw.usage || idx !== length || !at(idx)) continue;
      const wordSig = new Uint8Array(1024);
      const listSig = new Uint8Array(1024);
      let totlen = 0;
      for (let i = idx; i < PREFIX_WORDS && at(i); i++) {
        addWord(wordSig, at(i));
        totlen += at(i).length;
      }
      for (let i = idx; i < PREFIX_WORDS && i < kw.words.length; i++) {
        addWord(listSig, kw.words[i]!);
        totlen += kw.words[i]!.length;
      }
      const dist = distance(wordSig, listSig);
      // C integer division, as in HAProxy
      const worst = matches.length < MAX_MATCHES ? Infinity : matches[MAX_MATCHES - 1]!.dist;
      if (dist < Math.trunc((5 * totlen) / 2) && dist < worst) {
        if (matches.length === MAX_MATCHES) matches.pop();
        let pos = matches.length;
        while (pos > 0 && matches[pos - 1]!.dist > dist) pos--;
        matches.splice(pos, 0, { kw, dist });
      }
    }
  }
  const entries: string[] = [];
  if (matches.length) {
    for (const m of matches) {
      // stop at candidates much farther than the best one
      if (m.dist > Math.trunc((5 * matches[0]!.dist) / 2)) break;
      entries.push(m.kw.usage!);
    }
  } else {
    for (const kw of keywords) if (kw.usage && matched(kw, args, length) === length) entries.push(kw.usage);
  }
  entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const e of entries) out += `  ${e}\n`;
  return out + TRAILER;
}
