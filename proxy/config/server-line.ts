/**
 * `server <name> <addr>:<port> [weight N] [maxconn N] [backup] [disabled] [id N]
 *  [check] [inter T] [fastinter T] [downinter T] [rise N] [fall N] [port P]`.
 */
import type { ServerCheckConfig, ServerConfig } from './types.js';
import { parseHostPort, parseTime, parseUint } from './units.js';

const UNSUPPORTED = [ 'ssl', 'verify', 'sni', 'send-proxy', 'send-proxy-v2', 'track', 'agent-check', 'observe', 'slowstart', 'maxqueue', 'minconn', 'addr', 'resolvers', 'on-marked-down', 'on-marked-up', 'on-error', 'error-limit', 'init-addr', 'proto', 'alpn', 'ca-file', 'crt', 'source', 'redir'];

export function parseServer(words: readonly string[], position: number): ServerConfig | string {
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
    else if (UNSUPPORTED.includes(w)) return `'server ${name}' : '${w}' is not supported by haloscope (no TLS to servers yet); remove it`;
    else return `'server ${name}' : unknown keyword '${w}'. Supported: weight, maxconn, backup, disabled, id, check, inter, fastinter, downinter, rise, fall, port`;
  }
  if (!chk.fastinter) chk.fastinter = chk.inter;
  if (!chk.downinter) chk.downinter = chk.inter;
  return { name, address, weight, maxconn, backup, disabled, id, check: check ? chk : null, cookie };
}
