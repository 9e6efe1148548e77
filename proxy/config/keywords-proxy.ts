/**
 * Keywords of `defaults`, `frontend`, `backend` and `listen`. Each entry says where it is
 * allowed (HAProxy's own rules, configuration.txt 4.1) and parses its arguments into the draft.
 */
import { ProxyErrorCode as E } from '../errors.js';
import { parseAclTest, parseCondition } from './acl.js';
import type { ProxyKind } from './draft.js';
import type { Keyword, KeywordContext, UnsupportedKeyword } from './keyword.js';
import { parseLogDirective } from './log-directive.js';
import { parseHttpRequest } from './http-request.js';
import { parseServer } from './server-line.js';
import { parseBindOptions } from './bind-options.js';
import type { Condition } from './types.js';
import { parseHostPort, parseSeconds, parseTime, parseUint } from './units.js';
import { suggest } from './suggest.js';

const ALL: readonly ProxyKind[] = ['defaults', 'frontend', 'backend', 'listen'];
const FE: readonly ProxyKind[] = ['defaults', 'frontend', 'listen'];
const FE_ONLY: readonly ProxyKind[] = ['frontend', 'listen'];
const BE: readonly ProxyKind[] = ['defaults', 'backend', 'listen'];
const BE_ONLY: readonly ProxyKind[] = ['backend', 'listen'];
const NO_DEFAULTS: readonly ProxyKind[] = ['frontend', 'backend', 'listen'];

export const BALANCE_ALGORITHMS = ['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'uri', 'url_param', 'hdr'] as const;

const TIMEOUTS: Readonly<Record<string, { key: 'client' | 'server' | 'connect' | 'httpRequest' | 'httpKeepAlive' | 'queue' | 'tunnel'; kinds: readonly ProxyKind[] }>> = {
  client: { key: 'client', kinds: FE },
  server: { key: 'server', kinds: BE },
  connect: { key: 'connect', kinds: BE },
  'http-request': { key: 'httpRequest', kinds: ALL },
  'http-keep-alive': { key: 'httpKeepAlive', kinds: ALL },
  queue: { key: 'queue', kinds: BE },
  tunnel: { key: 'tunnel', kinds: BE },
};
const UNSUPPORTED_TIMEOUTS = ['check', 'tarpit', 'client-fin', 'server-fin'];

type OptionDef = { kinds: readonly ProxyKind[]; parse: (ctx: KeywordContext, words: readonly string[], negated: boolean) => void };
const OPTIONS: Readonly<Record<string, OptionDef>> = {
  httplog: {
    kinds: FE,
    parse(ctx, words, negated) {
      if (words.length > 0) return ctx.error(E.E_CONFIG_UNSUPPORTED, `'option httplog ${words.join(' ')}' is not supported; only the default httplog format is`);
      ctx.proxy!.httplog = !negated;
      ctx.proxy!.httpslog = false;
      if (!negated) ctx.proxy!.tcplog = false; // the last log format option wins
    },
  },
  httpslog: {
    kinds: FE,
    parse(ctx, words, negated) {
      if (words.length > 0) return ctx.error(E.E_CONFIG_BAD_VALUE, `'option httpslog' takes no argument`);
      ctx.proxy!.httpslog = !negated;
      ctx.proxy!.httplog = !negated;
      if (!negated) ctx.proxy!.tcplog = false;
    },
  },
  tcplog: {
    kinds: ALL,
    parse(ctx, words, negated) {
      if (words.length > 0) return ctx.error(E.E_CONFIG_BAD_VALUE, `'option tcplog' takes no argument`);
      ctx.proxy!.tcplog = !negated;
      if (!negated) ctx.proxy!.httplog = ctx.proxy!.httpslog = false;
    },
  },
  dontlognull: { kinds: FE, parse: (ctx, _w, negated) => void (ctx.proxy!.dontlognull = !negated) },
  'idle-close-on-response': { kinds: FE, parse: (ctx, _w, negated) => void (ctx.proxy!.idleCloseOnResponse = !negated) },
  redispatch: {
    kinds: BE,
    parse(ctx, words, negated) {
      if (words.length > 0 && words[0] !== '-1') return ctx.error(E.E_CONFIG_UNSUPPORTED, `'option redispatch <interval>' is not supported; use 'option redispatch'`);
      ctx.proxy!.redispatch = !negated;
    },
  },
  httpchk: {
    kinds: BE,
    parse(ctx, words, negated) {
      if (negated) return void (ctx.proxy!.httpCheck = null);
      // HAProxy: `option httpchk <uri>` alone is a URI; default OPTIONS / HTTP/1.0
      const [a, b, c, ...extra] = words;
      if (extra.length) return ctx.error(E.E_CONFIG_BAD_VALUE, `'option httpchk' expects [<method>] [<uri>] [<version>]`);
      if (words.length === 1) ctx.proxy!.httpCheck = { method: 'OPTIONS', uri: a!, version: 'HTTP/1.0' };
      else ctx.proxy!.httpCheck = { method: a ?? 'OPTIONS', uri: b ?? '/', version: c ?? 'HTTP/1.0' };
    },
  },
  'http-keep-alive': { kinds: ALL, parse: (ctx) => void (ctx.proxy!.connMode = 'keep-alive') },
  'http-server-close': { kinds: ALL, parse: (ctx, _w, negated) => void (ctx.proxy!.connMode = negated ? 'keep-alive' : 'server-close') },
  httpclose: { kinds: ALL, parse: (ctx, _w, negated) => void (ctx.proxy!.connMode = negated ? 'keep-alive' : 'close') },
  forwardfor: {
    kinds: ALL,
    parse(ctx, words, negated) {
      if (negated) return void (ctx.proxy!.forwardfor = null);
      let header = 'x-forwarded-for';
      let ifNone = false;
      for (let i = 0; i < words.length; i++) {
        const w = words[i]!;
        if (w === 'header' && words[i + 1]) header = words[++i]!.toLowerCase();
        else if (w === 'if-none') ifNone = true;
        else if (w === 'except') return ctx.error(E.E_CONFIG_UNSUPPORTED, `'option forwardfor except' is not supported; remove the 'except <network>' part`);
        else return ctx.error(E.E_CONFIG_BAD_VALUE, `'option forwardfor' only supports 'header <name>' and 'if-none', got '${w}'`);
      }
      ctx.proxy!.forwardfor = { header, ifNone };
    },
  },
};
const UNSUPPORTED_OPTIONS = [
  'logasap', 'dontlog-normal', 'log-separate-errors', 'http-ignore-probes', 'abortonclose',
  'allbackups', 'originalto', 'tcpka', 'clitcpka', 'srvtcpka', 'splice-auto', 'http-buffer-request', 'persist', 'log-health-checks',
  'accept-invalid-http-request', 'accept-invalid-http-response', 'http-pretend-keepalive', 'http-no-delay', 'http-use-proxy-header', 'tcp-check', 'ssl-hello-chk',
];

function condAt(ctx: KeywordContext, words: readonly string[]): Condition | null | undefined {
  if (words.length === 0) return null;
  const r = parseCondition(words, ctx.proxy!.acls);
  if (!r.ok) {
    ctx.error(r.error.startsWith('no such ACL') ? E.E_CONFIG_UNKNOWN_ACL : E.E_CONFIG_BAD_ACL, `'${ctx.args[0]}': ${r.error}`);
    return undefined;
  }
  return r.cond;
}

/**
 * `cookie <name> [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve] [httponly]
 * [secure] [domain <d>]* [maxidle <t>] [maxlife <t>] [attr <a>]*`, with HAProxy 2.6's checks
 * and messages (cfgparse-listen.c). Each `cookie` line starts over, except `attr` values, which
 * HAProxy keeps adding to those of earlier lines and of `defaults`.
 */
function cookie(ctx: KeywordContext): void {
  const [, name, ...opts] = ctx.args;
  if (!name) return ctx.error(E.E_CONFIG_MISSING_ARG, `'cookie' expects <cookie_name> as argument.`);
  const modes = new Set<'insert' | 'rewrite' | 'prefix'>();
  const flags = new Set<string>();
  const domains: string[] = [];
  const attrs = [...(ctx.proxy!.cookie?.attrs ?? [])];
  let maxidle = 0;
  let maxlife = 0;
  for (let i = 0; i < opts.length; i++) {
    const w = opts[i]!;
    const arg = opts[i + 1];
    if (w === 'insert' || w === 'rewrite' || w === 'prefix') modes.add(w);
    else if (['indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure'].includes(w)) flags.add(w);
    else if (w === 'domain') {
      if (!arg) return ctx.error(E.E_CONFIG_MISSING_ARG, `'domain' expects <domain> as argument.`);
      if (!arg.includes('.')) ctx.warn(`domain '${arg}' contains no embedded dot, this configuration may not work properly (see RFC6265#5.2.3).`);
      const bad = /[^A-Za-z0-9._-]/.exec(arg);
      if (bad) return ctx.error(E.E_CONFIG_BAD_VALUE, `character '${bad[0]}' is not permitted in domain name '${arg}'.`);
      domains.push(arg);
      i++;
    } else if (w === 'maxidle' || w === 'maxlife') {
      if (!arg) return ctx.error(E.E_CONFIG_MISSING_ARG, `'${w}' expects <${w === 'maxidle' ? 'idletime' : 'lifetime'}> in seconds as argument.`);
      const t = parseSeconds(arg);
      if (t === 'overflow') return ctx.error(E.E_CONFIG_BAD_VALUE, `timer overflow in argument <${arg}> to <${w}>, maximum value is 2147483647 s (~68 years).`);
      if ('bad' in t) return ctx.error(E.E_CONFIG_BAD_VALUE, `unexpected character '${t.bad}' in argument to <${w}>.`);
      if (t.trailing) ctx.warn(`unexpected character '${t.trailing[0]}' after the timer value '${arg}', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions.`);
      if (w === 'maxidle') maxidle = t.value;
      else maxlife = t.value;
      i++;
    } else if (w === 'attr') {
      if (!arg) return ctx.error(E.E_CONFIG_MISSING_ARG, `'attr' expects <value> as argument.`);
      const bad = /[\x00-\x1f\x7f;]/.exec(arg);
      if (bad) return ctx.error(E.E_CONFIG_BAD_VALUE, `character '%x${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}' is not permitted in attribute value.`);
      attrs.push(arg);
      i++;
    } else if (w === 'dynamic') return ctx.error(E.E_CONFIG_UNSUPPORTED, `'cookie ${name} ... dynamic' is not supported by haloscope (no 'dynamic-cookie-key'); give each server its 'cookie <value>'`);
    else return ctx.error(E.E_CONFIG_BAD_VALUE, `'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options.`);
  }
  let ok = true;
  if (modes.has('rewrite') && flags.has('indirect')) {
    ctx.error(E.E_CONFIG_BAD_VALUE, `cookie 'rewrite' and 'indirect' modes are incompatible.`);
    ok = false;
  }
  if (modes.size > 1) {
    ctx.error(E.E_CONFIG_BAD_VALUE, `cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.`);
    ok = false;
  }
  if (flags.has('preserve') && !modes.has('insert') && !flags.has('indirect')) {
    ctx.error(E.E_CONFIG_BAD_VALUE, `cookie 'preserve' requires at least 'insert' or 'indirect'.`);
    ok = false;
  }
  if (!ok) return;
  ctx.proxy!.cookie = {
    name,
    mode: [...modes][0] ?? 'passive',
    indirect: flags.has('indirect'),
    nocache: flags.has('nocache'),
    postonly: flags.has('postonly'),
    preserve: flags.has('preserve'),
    httponly: flags.has('httponly'),
    secure: flags.has('secure'),
    domains,
    attrs,
    maxidle,
    maxlife,
  };
}

function capture(ctx: KeywordContext): void {
  const [, what, sub, name, lenKw, lenVal] = ctx.args;
  const p = ctx.proxy!;
  const dir = what === 'cookie' ? 'cookie' : what === 'request' || what === 'response' ? what : null;
  if (dir === null) return ctx.error(E.E_CONFIG_BAD_VALUE, `'capture' expects 'cookie', 'request header' or 'response header'`);
  const [cname, cLenKw, cLen] = dir === 'cookie' ? [sub, name, lenKw] : [name, lenKw, lenVal];
  if (dir !== 'cookie' && sub !== 'header') return ctx.error(E.E_CONFIG_BAD_VALUE, `'capture ${dir}' expects 'header'`);
  const len = parseUint(cLen ?? '');
  if (!cname || cLenKw !== 'len' || len === null || len === 0)
    return ctx.error(E.E_CONFIG_MISSING_ARG, `'capture ${dir}${dir === 'cookie' ? '' : ' header'}' expects <name> 'len' <length>`);
  if (dir === 'cookie') {
    if (p.cookieCapture) return ctx.error(E.E_CONFIG_DUPLICATE, `'capture cookie' : only one cookie capture is allowed per proxy`);
    p.cookieCapture = { name: cname, len: Math.min(len, 63) };
  } else (dir === 'request' ? p.requestCaptures : p.responseCaptures).push({ name: cname.toLowerCase(), len });
}

export const PROXY_KEYWORDS: readonly Keyword[] = [
  {
    section: 'proxy',
    keyword: 'bind',
    kinds: FE_ONLY,
    parse(ctx) {
      const spec = ctx.args[1];
      if (!spec) return ctx.error(E.E_CONFIG_MISSING_ARG, `'bind' expects [addr1]:port1[-end1]{,[addr]:port[-end]}... as arguments.`);
      const tls = parseBindOptions(ctx.args.slice(2), ctx.where.file);
      if (typeof tls === 'string') return ctx.error(tls.includes('not supported') ? E.E_CONFIG_UNSUPPORTED : E.E_CONFIG_BAD_VALUE, tls);
      for (const part of spec.split(',')) {
        const a = parseHostPort(part);
        if (!a) return ctx.error(E.E_CONFIG_BAD_VALUE, `'bind' : invalid address '${part}' (expected ipv4:port, [ipv6]:port or :port)`);
        ctx.proxy!.binds.push({ address: a, file: ctx.where.file, line: ctx.where.line, tls });
      }
    },
  },
  {
    section: 'proxy',
    keyword: 'mode',
    kinds: ALL,
    parse(ctx) {
      const m = ctx.args[1];
      if (m === 'http') ctx.proxy!.mode = 'http';
      else if (m === 'tcp') ctx.proxy!.mode = 'tcp';
      else ctx.error(E.E_CONFIG_BAD_VALUE, `'mode' expects 'http' or 'tcp', got '${m ?? ''}'`);
    },
  },
  {
    section: 'proxy',
    keyword: 'maxconn',
    kinds: FE,
    parse(ctx) {
      const v = parseUint(ctx.args[1] ?? '');
      if (v === null) return ctx.error(E.E_CONFIG_BAD_VALUE, `'maxconn' expects an integer argument.`);
      ctx.proxy!.maxconn = v;
    },
  },
  {
    section: 'proxy',
    keyword: 'log',
    kinds: ALL,
    parse(ctx) {
      if (ctx.args[1] === 'global') return void ctx.proxy!.logs.push('global');
      const r = parseLogDirective(ctx.args.slice(1));
      if (!r.ok) return ctx.error(E.E_CONFIG_BAD_VALUE, r.error);
      ctx.proxy!.logs.push(r.target);
    },
  },
  {
    section: 'proxy',
    keyword: 'log-tag',
    kinds: ALL,
    parse(ctx) {
      if (!ctx.args[1]) return ctx.error(E.E_CONFIG_MISSING_ARG, `'log-tag' expects a tag for use in syslog.`);
      ctx.proxy!.logTag = ctx.args[1];
    },
  },
  {
    section: 'proxy',
    keyword: 'option',
    kinds: ALL,
    parse(ctx) {
      optionKeyword(ctx, ctx.args.slice(1), false);
    },
  },
  {
    section: 'proxy',
    keyword: 'timeout',
    kinds: ALL,
    parse(ctx) {
      const which = ctx.args[1] ?? '';
      const def = TIMEOUTS[which];
      if (!def) {
        if (UNSUPPORTED_TIMEOUTS.includes(which)) return ctx.error(E.E_CONFIG_UNSUPPORTED, `'timeout ${which}' is not supported by haloscope; remove it`);
        const hint = suggest(which, Object.keys(TIMEOUTS));
        return ctx.error(E.E_CONFIG_UNKNOWN_KEYWORD, `'timeout' supports 'client', 'server', 'connect', 'http-request', 'http-keep-alive', 'queue' and 'tunnel' (got '${which}')${hint ? `; did you mean '${hint}'?` : ''}`);
      }
      if (!def.kinds.includes(ctx.proxy!.kind)) return ctx.error(E.E_CONFIG_WRONG_SECTION, `'timeout ${which}' is not allowed in '${ctx.proxy!.kind}' section`);
      const t = parseTime(ctx.args[2] ?? '');
      if (t === null) return ctx.error(E.E_CONFIG_BAD_VALUE, `'timeout ${which}' expects a time such as 5s or 300ms, got '${ctx.args[2] ?? ''}'`);
      ctx.proxy!.timeouts[def.key] = t;
    },
  },
  {
    section: 'proxy',
    keyword: 'retries',
    kinds: BE,
    parse(ctx) {
      const v = parseUint(ctx.args[1] ?? '', 100);
      if (v === null) return ctx.error(E.E_CONFIG_BAD_VALUE, `'retries' expects an integer argument.`);
      ctx.proxy!.retries = v;
    },
  },
  {
    section: 'proxy',
    keyword: 'default_backend',
    kinds: FE,
    parse(ctx) {
      if (!ctx.args[1]) return ctx.error(E.E_CONFIG_MISSING_ARG, `'default_backend' expects a backend name.`);
      ctx.proxy!.defaultBackend = { name: ctx.args[1], where: ctx.where };
    },
  },
  {
    section: 'proxy',
    keyword: 'use_backend',
    kinds: FE_ONLY,
    parse(ctx) {
      const name = ctx.args[1];
      if (!name) return ctx.error(E.E_CONFIG_MISSING_ARG, `'use_backend' expects a backend name.`);
      if (name.includes('%')) return ctx.error(E.E_CONFIG_UNSUPPORTED, `dynamic backend names ('${name}') are not supported`);
      const cond = condAt(ctx, ctx.args.slice(2));
      if (cond === undefined) return;
      ctx.proxy!.useBackends.push({ backend: name, cond, where: ctx.where });
    },
  },
  {
    section: 'proxy',
    keyword: 'acl',
    kinds: NO_DEFAULTS,
    parse(ctx) {
      const name = ctx.args[1];
      if (!name || !/^[A-Za-z0-9_.:-]+$/.test(name)) return ctx.error(E.E_CONFIG_BAD_ACL, `'acl' expects an ACL name made of letters, digits, '-', '_', '.' and ':'`);
      const r = parseAclTest(ctx.args.slice(2));
      if (!r.ok) return ctx.error(E.E_CONFIG_BAD_ACL, `error detected while parsing ACL '${name}' : ${r.error}`);
      const list = ctx.proxy!.acls.get(name) ?? [];
      list.push(r.test);
      ctx.proxy!.acls.set(name, list);
    },
  },
  {
    section: 'proxy',
    keyword: 'http-request',
    kinds: NO_DEFAULTS,
    parse(ctx) {
      const r = parseHttpRequest(ctx.args.slice(1), (words) => condAt(ctx, words));
      if (r === undefined) return;
      if (typeof r === 'string') return ctx.error(r.startsWith('unknown') ? E.E_CONFIG_UNKNOWN_KEYWORD : E.E_CONFIG_BAD_VALUE, r);
      if ('message' in r) return ctx.error(r.code, r.message);
      ctx.proxy!.httpRequestRules.push(r);
    },
  },
  { section: 'proxy', keyword: 'capture', kinds: FE_ONLY, parse: capture },
  { section: 'proxy', keyword: 'cookie', kinds: BE, parse: cookie },
  {
    section: 'proxy',
    keyword: 'stick-table',
    kinds: NO_DEFAULTS,
    parse(ctx) {
      const w = ctx.args.slice(1);
      let size: number | null = null;
      let expire = 0;
      if (w[0] !== 'type' || w[1] !== 'ip') return ctx.error(E.E_CONFIG_UNSUPPORTED, `'stick-table' : only 'type ip' is supported by haloscope (got 'type ${w[1] ?? ''}')`);
      for (let i = 2; i < w.length; i++) {
        if (w[i] === 'size') {
          const m = /^(\d+)([kmg]?)$/i.exec(w[++i] ?? '');
          if (!m) return ctx.error(E.E_CONFIG_BAD_VALUE, `'stick-table' : 'size' expects a number with an optional k, m or g suffix`);
          size = Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2]!.toLowerCase()]!;
        } else if (w[i] === 'expire') {
          const t = parseTime(w[++i] ?? '');
          if (t === null) return ctx.error(E.E_CONFIG_BAD_VALUE, `'stick-table' : 'expire' expects a time such as 30m`);
          expire = t;
        } else return ctx.error(E.E_CONFIG_UNSUPPORTED, `'stick-table' : '${w[i]}' is not supported by haloscope (only 'type ip', 'size' and 'expire')`);
      }
      if (!size) return ctx.error(E.E_CONFIG_MISSING_ARG, `'stick-table' : missing size.`);
      ctx.proxy!.stickTable = { size, expire, where: ctx.where };
    },
  },
  {
    section: 'proxy',
    keyword: 'stick',
    kinds: BE_ONLY,
    parse(ctx) {
      const [, what, pattern, ...rest] = ctx.args;
      if (what !== 'on' || pattern !== 'src' || rest.length > 0)
        return ctx.error(E.E_CONFIG_UNSUPPORTED, `'stick ${ctx.args.slice(1).join(' ')}' is not supported by haloscope; only 'stick on src' (on the backend's own table) is`);
      ctx.proxy!.stickOn = ctx.where;
    },
  },
  {
    section: 'proxy',
    keyword: 'stats',
    kinds: ALL,
    parse(ctx) {
      const [, sub, arg, ...more] = ctx.args;
      const st = (ctx.proxy!.stats ??= { enabled: true, uri: null, auth: [], realm: null, refresh: 0 });
      if (sub === 'enable' && arg === undefined) return;
      if ((sub === 'uri' || sub === 'auth' || sub === 'realm' || sub === 'refresh') && (arg === undefined || more.length > 0))
        return ctx.error(E.E_CONFIG_MISSING_ARG, `'stats ${sub}' expects exactly one argument`);
      if (sub === 'uri') st.uri = arg!;
      else if (sub === 'realm') st.realm = arg!;
      else if (sub === 'auth') {
        if (!arg!.includes(':')) return ctx.error(E.E_CONFIG_BAD_VALUE, `'stats auth' expects <user>:<password>`);
        st.auth.push(arg!);
      } else if (sub === 'refresh') {
        const t = parseTime(arg!);
        if (t === null) return ctx.error(E.E_CONFIG_BAD_VALUE, `'stats refresh' expects a time such as 5s`);
        st.refresh = t;
      } else ctx.error(E.E_CONFIG_UNSUPPORTED, `'stats ${sub ?? ''}' is not supported by haloscope; use 'stats enable', 'uri', 'auth', 'realm' or 'refresh'`);
    },
  },
  {
    section: 'proxy',
    keyword: 'http-check',
    kinds: BE,
    parse(ctx) {
      const [, sub, ...rest] = ctx.args;
      if (sub !== 'expect') return ctx.error(E.E_CONFIG_UNSUPPORTED, `'http-check ${sub ?? ''}' is not supported by haloscope; only 'http-check expect status|rstatus|string' is`);
      const negate = rest[0] === '!';
      const [kind, value, ...more] = negate ? rest.slice(1) : rest;
      if (kind !== 'status' && kind !== 'rstatus' && kind !== 'string')
        return ctx.error(E.E_CONFIG_UNSUPPORTED, `'http-check expect ${kind ?? ''}' is not supported; use 'status <codes>', 'rstatus <regex>' or 'string <text>'`);
      if (!value || more.length) return ctx.error(E.E_CONFIG_MISSING_ARG, `'http-check expect ${kind}' expects exactly one pattern`);
      if (kind === 'status' && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(value))
        return ctx.error(E.E_CONFIG_BAD_VALUE, `'http-check expect status' expects a status code, a range (200-399) or a list of them, got '${value}'`);
      if (kind === 'rstatus') {
        try {
          new RegExp(value);
        } catch {
          return ctx.error(E.E_CONFIG_BAD_VALUE, `'http-check expect rstatus' : invalid regex '${value}'`);
        }
      }
      if (ctx.proxy!.httpCheckExpect) return ctx.error(E.E_CONFIG_UNSUPPORTED, `only one 'http-check expect' rule per backend is supported by haloscope`);
      ctx.proxy!.httpCheckExpect = { kind, negate, value };
    },
  },
  {
    section: 'proxy',
    keyword: 'balance',
    kinds: BE,
    parse(ctx) {
      const spec = ctx.args[1] ?? '';
      const m = /^(hdr)\(([^)]+)\)$/.exec(spec);
      if (m) {
        if (ctx.args.length > 2) return ctx.error(E.E_CONFIG_UNSUPPORTED, `'balance hdr' option '${ctx.args[2]}' is not supported`);
        ctx.proxy!.balance = { algorithm: 'hdr', arg: m[2]!.toLowerCase() };
        return;
      }
      if (!(BALANCE_ALGORITHMS as readonly string[]).includes(spec) || spec === 'hdr') {
        const hint = suggest(spec, BALANCE_ALGORITHMS);
        return ctx.error(E.E_CONFIG_BAD_VALUE, `'balance' only supports 'roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'uri', 'url_param' and 'hdr(name)' (got '${spec}')${hint ? `; did you mean '${hint}'?` : ''}`);
      }
      if (spec === 'url_param') {
        if (!ctx.args[2]) return ctx.error(E.E_CONFIG_MISSING_ARG, `'balance url_param' requires a URL parameter name.`);
        if (ctx.args.length > 3) return ctx.error(E.E_CONFIG_UNSUPPORTED, `'balance url_param' option '${ctx.args[3]}' is not supported`);
        ctx.proxy!.balance = { algorithm: spec, arg: ctx.args[2] };
        return;
      }
      if (ctx.args.length > 2) return ctx.error(E.E_CONFIG_UNSUPPORTED, `'balance ${spec}' option '${ctx.args[2]}' is not supported`);
      ctx.proxy!.balance = { algorithm: spec, arg: null };
    },
  },
  {
    section: 'proxy',
    keyword: 'server',
    kinds: BE_ONLY,
    parse(ctx) {
      const p = ctx.proxy!;
      const r = parseServer(ctx.args.slice(1), p.servers.length + 1, ctx.where.file);
      if (typeof r === 'string') return ctx.error(r.includes('not supported') ? E.E_CONFIG_UNSUPPORTED : E.E_CONFIG_BAD_VALUE, r);
      if (r.tls?.verify && !r.tls.ca)
        return ctx.error(
          E.E_CONFIG_BAD_VALUE,
          `'server ${p.name}/${r.name}' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.`,
        );
      if (p.servers.some((s) => s.name === r.name)) return ctx.error(E.E_CONFIG_DUPLICATE, `'server' : backend '${p.name}' has already a server named '${r.name}'`);
      p.servers.push(r);
    },
  },
  {
    section: 'proxy',
    keyword: 'no',
    kinds: ALL,
    parse(ctx) {
      if (ctx.args[1] === 'option') return optionKeyword(ctx, ctx.args.slice(2), true);
      if (ctx.args[1] === 'log' && ctx.args.length === 2) return void (ctx.proxy!.logs = []);
      ctx.error(E.E_CONFIG_UNSUPPORTED, `'no ${ctx.args[1] ?? ''}' is not supported; only 'no option <name>' and 'no log' are`);
    },
  },
];

function optionKeyword(ctx: KeywordContext, words: readonly string[], negated: boolean): void {
  const name = words[0] ?? '';
  const def = OPTIONS[name];
  if (!def) {
    if (UNSUPPORTED_OPTIONS.includes(name)) return ctx.error(E.E_CONFIG_UNSUPPORTED, `'option ${name}' is not supported by haloscope in '${ctx.proxy!.kind}' section; remove it`);
    const hint = suggest(name, Object.keys(OPTIONS));
    return ctx.error(E.E_CONFIG_UNKNOWN_KEYWORD, `unknown option '${name}' in '${ctx.proxy!.kind}' section${hint ? `; did you mean 'option ${hint}'?` : ''}`);
  }
  if (!def.kinds.includes(ctx.proxy!.kind)) return ctx.error(E.E_CONFIG_WRONG_SECTION, `'option ${name}' is not allowed in '${ctx.proxy!.kind}' section`);
  def.parse(ctx, words.slice(1), negated);
}

export const PROXY_UNSUPPORTED: readonly UnsupportedKeyword[] = [
  ...['http-response', 'http-after-response', 'tcp-request', 'tcp-response', 'errorfile', 'errorloc', 'errorloc302', 'errorloc303', 'default-server', 'server-template', 'hash-type', 'log-format', 'log-format-sd', 'error-log-format', 'unique-id-format', 'unique-id-header', 'monitor-uri', 'tcp-check', 'declare', 'compression', 'filter', 'redirect', 'reqadd', 'rspadd', 'description', 'id', 'disabled', 'enabled', 'fullconn', 'http-reuse', 'source', 'dispatch', 'email-alert', 'external-check', 'persist', 'rate-limit', 'use-server', 'force-persist', 'ignore-persist', 'load-server-state-from-file', 'errorfiles', 'http-error', 'max-keep-alive-queue'].map((k) => ({
    section: 'proxy' as const,
    keyword: k,
    hint: 'remove it (see docs/configuration.md for what is supported)',
  })),
];
