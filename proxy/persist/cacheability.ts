/**
 * Whether a response may be stored by a shared cache, as HAProxy 2.6.12 decides it for
 * `cookie ... nocache` (src/http_ana.c, http_check_response_for_cacheability, with the 2.6.10
 * fix that makes a response without freshness information nor validator uncacheable): when a
 * persistence cookie is inserted into such a response, `cache-control: private` is added so
 * that a cache does not hand one client's server cookie to everybody.
 */
import type { Header } from '../http/parser.js';
import { listValueEnd } from './cookie-text.js';

/** Methods a cache may answer (RFC 7231 4.2.1); HAProxy starts with these as cacheable. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** Statuses cacheable by default (RFC 7231 6.1); any other makes the response uncacheable. */
const CACHEABLE_STATUSES = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);

export function responseCacheable(method: string, status: number, headers: readonly Header[]): boolean {
  let cacheable = SAFE_METHODS.has(method) && CACHEABLE_STATUSES.has(status);
  // HAProxy looks at the first Pragma header only, and at its whole value
  const pragma = headers.find((h) => h.name === 'pragma');
  if (pragma && pragma.value.toLowerCase() === 'no-cache') return false;
  let fresh = false;
  for (const h of headers) {
    if (h.name !== 'cache-control') continue;
    for (const v of listElements(h.value)) {
      const l = v.toLowerCase();
      // `public` makes even a POST response cacheable, and a later directive can undo it
      if (l === 'public') cacheable = true;
      else if (l === 'private' || l === 'no-cache' || l === 'no-store' || l === 'max-age=0' || l === 's-maxage=0') cacheable = false;
      else if (l.startsWith('no-cache="set-cookie')) continue;
      else if (l.startsWith('s-maxage') || l.startsWith('max-age')) fresh = true;
    }
  }
  fresh ||= headers.some((h) => h.name === 'expires');
  if (!fresh && !headers.some((h) => h.name === 'etag' || h.name === 'last-modified')) cacheable = false;
  return cacheable;
}

/** The comma-separated elements of a header value, blanks around each removed. */
function listElements(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= value.length; ) {
    const end = listValueEnd(value, i, value.length);
    out.push(value.slice(i, end).replace(/^[ \t]+|[ \t]+$/g, ''));
    i = end + 1;
    if (end === value.length) break;
  }
  return out;
}
