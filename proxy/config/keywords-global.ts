/** Keywords of the `global` section. */
import { ProxyErrorCode as E } from '../errors.js';
import type { Keyword, UnsupportedKeyword } from './keyword.js';
import { parseLogDirective } from './log-directive.js';
import { parseTime, parseUint } from './units.js';

export const GLOBAL_KEYWORDS: readonly Keyword[] = [
  {
    section: 'global',
    keyword: 'master-worker',
    parse(ctx) {
      // HAProxy's `no-exit-on-failure` would keep a master whose current worker died: not done here
      if (ctx.args.length > 1) return ctx.error(E.E_CONFIG_UNSUPPORTED, `'master-worker ${ctx.args.slice(1).join(' ')}' is not supported by haloscope; use 'master-worker' alone`);
      ctx.global.masterWorker = true;
    },
  },
  {
    section: 'global',
    keyword: 'hard-stop-after',
    parse(ctx) {
      const t = parseTime(ctx.args[1] ?? '');
      if (t === null) return ctx.error(ctx.args[1] ? E.E_CONFIG_BAD_VALUE : E.E_CONFIG_MISSING_ARG, `'hard-stop-after' expects <time> as argument.`);
      ctx.global.hardStopAfter = t;
    },
  },
  {
    section: 'global',
    keyword: 'maxconn',
    parse(ctx) {
      const v = parseUint(ctx.args[1] ?? '');
      if (v === null || v === 0) return ctx.error(E.E_CONFIG_BAD_VALUE, `'maxconn' expects a positive integer argument.`);
      ctx.global.maxconn = v;
    },
  },
  {
    section: 'global',
    keyword: 'nbthread',
    parse(ctx) {
      const v = parseUint(ctx.args[1] ?? '', 64);
      if (v === null || v === 0) return ctx.error(E.E_CONFIG_BAD_VALUE, `'nbthread' expects an integer between 1 and 64.`);
      ctx.global.nbthread = v;
    },
  },
  {
    section: 'global',
    keyword: 'log',
    parse(ctx) {
      const r = parseLogDirective(ctx.args.slice(1));
      if (!r.ok) return ctx.error(E.E_CONFIG_BAD_VALUE, r.error);
      ctx.global.logs.push(r.target);
    },
  },
  {
    section: 'global',
    keyword: 'log-tag',
    parse(ctx) {
      const tag = ctx.args[1];
      if (!tag) return ctx.error(E.E_CONFIG_MISSING_ARG, `'log-tag' expects a tag for use in syslog.`);
      ctx.global.logTag = tag;
    },
  },
  {
    section: 'global',
    keyword: 'log-send-hostname',
    parse(ctx) {
      ctx.global.logSendHostname = ctx.args[1] ?? (process.env.HOSTNAME || 'localhost');
    },
  },
  {
    section: 'global',
    keyword: 'stats',
    parse(ctx) {
      // `stats socket <path> [mode <octal>] [level user|operator|admin]` (proxy/stats/cli.ts)
      const [, sub, path, ...opts] = ctx.args;
      if (sub !== 'socket') return ctx.error(E.E_CONFIG_UNSUPPORTED, `'stats ${sub ?? ''}' in 'global' is not supported by haloscope; only 'stats socket <path> [mode <octal>] [level user|operator|admin]' is`);
      if (!path || path.includes(':') || path.startsWith('ipv4@') || path.startsWith('ipv6@'))
        return ctx.error(path ? E.E_CONFIG_UNSUPPORTED : E.E_CONFIG_MISSING_ARG, `'stats socket' expects the path of a UNIX socket (TCP addresses are not supported by haloscope)`);
      let mode = 0o600;
      let level: 'user' | 'operator' | 'admin' = 'operator';
      for (let i = 0; i < opts.length; i++) {
        const o = opts[i]!;
        const v = opts[++i];
        if (o === 'mode' && v && /^[0-7]{3,4}$/.test(v)) mode = parseInt(v, 8);
        else if (o === 'level' && (v === 'user' || v === 'operator' || v === 'admin')) level = v;
        else return ctx.error(E.E_CONFIG_UNSUPPORTED, `'stats socket' option '${o}${v ? ' ' + v : ''}' is not supported by haloscope (only 'mode <octal>' and 'level user|operator|admin')`);
      }
      ctx.global.statsSockets.push({ path, mode, level, where: ctx.where });
    },
  },
];

export const GLOBAL_UNSUPPORTED: readonly UnsupportedKeyword[] = [
  ...['daemon'].map((k) => ({ section: 'global' as const, keyword: k, hint: 'haloscope always runs in the foreground; remove it' })),
  ...['user', 'group', 'uid', 'gid', 'chroot', 'pidfile', 'ulimit-n', 'node', 'description'].map((k) => ({
    section: 'global' as const,
    keyword: k,
    hint: 'remove it (use your service manager for process settings)',
  })),
  ...['cpu-map', 'nbproc', 'ca-base', 'crt-base', 'ssl-default-bind-ciphers', 'ssl-default-bind-options', 'tune.bufsize', 'tune.ssl.default-dh-param', 'spread-checks', 'maxsslconn', 'lua-load'].map((k) => ({
    section: 'global' as const,
    keyword: k,
    hint: 'remove it (see docs/configuration.md for what is supported)',
  })),
];
