/**
 * `bind <addr> [ssl] [crt <pem>] [alpn <list>]`: the TLS options haloscope supports. The PEM
 * file is read and checked when the configuration is parsed, so that a missing or unusable
 * file is a located configuration error, as with `haproxy -c`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import type { BindTlsConfig } from './types.js';

export function parseBindOptions(words: readonly string[], cfgFile: string): BindTlsConfig | null | string {
  let ssl = false;
  let crt: string | null = null;
  let alpn: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'ssl') ssl = true;
    else if (w === 'crt') {
      crt = words[++i] ?? null;
      if (!crt) return `'bind' : 'crt' expects <path> as an argument.`;
    } else if (w === 'alpn') {
      const v = words[++i];
      if (!v) return `'bind' : 'alpn' expects a comma-separated list of protocols`;
      alpn = v.split(',');
      if (alpn.some((p) => p !== 'http/1.1' && p !== 'http/1.0')) return `'bind' : 'alpn ${v}' is not supported: haloscope speaks HTTP/1.x only (use 'alpn http/1.1')`;
    } else return `'bind' option '${w}' is not supported by haloscope (only 'ssl', 'crt <pem>' and 'alpn http/1.1'); remove it`;
  }
  if (!ssl) return crt || alpn.length ? `'bind' : 'crt' and 'alpn' need 'ssl' on the same line` : null;
  if (!crt) return `'bind' : 'ssl' requires 'crt <pem>' (a certificate and its private key)`;
  const file = path.isAbsolute(crt) ? crt : path.resolve(path.dirname(cfgFile), crt);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    return `'bind' : unable to load SSL certificate file '${crt}' file does not exist.`;
  }
  try {
    createSecureContext({ cert: pem, key: pem });
  } catch (err) {
    return `'bind' : unable to load SSL certificate and private key from '${crt}' (${(err as Error).message})`;
  }
  return { crt, pem, alpn };
}
