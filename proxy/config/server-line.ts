/**
 * `server <name> <addr>:<port> [weight N] [maxconn N] [backup] [disabled] [id N]
 *  [check] [inter T] [fastinter T] [downinter T] [rise N] [fall N] [port P]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServerCheckConfig, ServerConfig } from './types.js';
import { parseHostPort, parseTime, parseUint } from './units.js';

const UNSUPPORTED = ['check-ssl', 'check-sni', 'verifyhost', 'crl-file', 'crt', 'ciphers', 'ssl-min-ver', 'ssl-max-ver', 'alpn', 'send-proxy', 'send-proxy-v2', 'track', 'agent-check', 'observe', 'slowstart', 'maxqueue', 'minconn', 'addr', 'resolvers', 'on-marked-down', 'on-marked-up', 'on-error', 'error-limit', 'init-addr', 'proto', 'source', 'redir'];

export function parseServer(words: readonly string[], position: number, cfgFile = '.'): ServerConfig | string {
  const [name, addr] = words;
  if (!name || !addr) return `'server' expects <name> and <addr>[:<port>] as arguments.`;
  const address = parseHostPort(addr);
  if (!address || address.port === 0) return `'server ${name}' : invalid address '${addr}' (expected ipv4:port or [ipv6]:port)`;
  if (address.host === '0.0.0.0' || address.host === '::') return `'server ${name}' : a real address is required, not '${addr}'`;
  let weight = 1;
  let maxconn = 0;
  let backup = false;
  let disabled = false;
  let id = position;
  let check = false;
  let cookie: string | null = null;
  let ssl = false;
  let verify: boolean | null = null;
  let caFile: string | null = null;
  let ca: string | null = null;
  let sni: string | null = null;
  // HAProxy's defaults (configuration.txt 5.2): inter 2s, rise 2, fall 3; fastinter and
  // downinter default to inter
  const chk: { -readonly [K in keyof ServerCheckConfig]: ServerCheckConfig[K] } = { inter: 2000, fastinter: 0, downinter: 0, rise: 2, fall: 3, port: 0 };
  for (let i = 2; i < words.length; i++) {
    const w = words[i]!;
    const num = (max: number): number | null => parseUint(words[++i] ?? '', max);
    if (w === 'weight') {
      const v = num(256);
      if (v === null) return `'server ${name}' : 'weight' expects an integer between 0 and 256`;
      weight = v;
    } else if (w === 'maxconn') {
      const v = num(2 ** 31 - 1);
      if (v === null) return `'server ${name}' : 'maxconn' expects an integer`;
      maxconn = v;
    } else if (w === 'id') {
      const v = num(2 ** 31 - 1);
      if (v === null || v === 0) return `'server ${name}' : 'id' expects a positive integer`;
      id = v;
    } else if (w === 'ssl') ssl = true;
    else if (w === 'no-ssl') ssl = false;
    else if (w === 'verify') {
      const v = words[++i];
      if (v !== 'none' && v !== 'required') return `'server ${name}' : 'verify' expects 'none' or 'required'`;
      verify = v === 'required';
    } else if (w === 'ca-file') {
      caFile = words[++i] ?? null;
      if (!caFile) return `'server ${name}' : 'ca-file' expects a file path`;
      try {
        ca = readFileSync(path.isAbsolute(caFile) ? caFile : path.resolve(path.dirname(cfgFile), caFile), 'utf8');
      } catch {
        return `'server ${name}' : unable to load CA file '${caFile}'`;
      }
    } else if (w === 'sni') {
      const m = /^str\((.+)\)$/.exec(words[++i] ?? '');
      if (!m) return `'server ${name}' : 'sni ${words[i] ?? ''}' is not supported by haloscope; only 'sni str(<name>)' is`;
      sni = m[1]!;
    } else if (w === 'cookie') {
      cookie = words[++i] ?? null;
      if (!cookie) return `'server ${name}' : 'cookie' expects <value> as argument.`;
    } else if (w === 'check') check = true;
    else if (w === 'inter' || w === 'fastinter' || w === 'downinter') {
      const v = parseTime(words[++i] ?? '');
      if (v === null || v === 0) return `'server ${name}' : '${w}' expects a positive time such as 2s or 500ms`;
      chk[w] = v;
    } else if (w === 'rise' || w === 'fall') {
      const v = num(2 ** 31 - 1);
      if (v === null || v === 0) return `'server ${name}' : '${w}' expects a positive integer`;
      chk[w] = v;
    } else if (w === 'port') {
      const v = num(65535);
      if (v === null || v === 0) return `'server ${name}' : 'port' expects a port between 1 and 65535`;
      chk.port = v;
    } else if (w === 'backup') backup = true;
    else if (w === 'disabled') disabled = true;
    else if (w === 'enabled') disabled = false;
    else if (UNSUPPORTED.includes(w)) return `'server ${name}' : '${w}' is not supported by haloscope ; remove it`;
    else return `'server ${name}' : unknown keyword '${w}'. Supported: weight, maxconn, backup, disabled, id, check, inter, fastinter, downinter, rise, fall, port`;
  }
  if (!chk.fastinter) chk.fastinter = chk.inter;
  if (!chk.downinter) chk.downinter = chk.inter;
  return { name, address, weight, maxconn, backup, disabled, id, check: check ? chk : null, cookie, tls: ssl ? { verify: verify ?? true, ca, caFile, sni } : null };
}
