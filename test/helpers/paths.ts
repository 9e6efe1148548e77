import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** The compiled tree this file runs from (dist/test/helpers/ -> dist/). */
export const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Repository root: the parent of the compiled tree. */
export const REPO_ROOT = resolve(DIST, '..');
/** The shared corpus of real HAProxy 2.6 logs, laid beside the repository. */
export const CORPUS = resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const OUR_HALOG = join(DIST, 'halog', 'main.js');

export function corpusPresent(): boolean {
  return existsSync(join(CORPUS, 'access.log'));
}
