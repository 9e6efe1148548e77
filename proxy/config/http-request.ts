/** `http-request allow|deny|set-header|add-header|del-header|redirect|use-service ... [if|unless <cond>]`. */
import { ProxyErrorCode as E } from '../errors.js';
import type { Condition, HttpRequestRule } from './types.js';
import { parseUint } from './units.js';
import { suggest } from './suggest.js';

const ACTIONS = ['allow', 'deny', 'set-header', 'add-header', 'del-header', 'redirect', 'use-service'];
const UNSUPPORTED = ['tarpit', 'reject', 'return', 'auth', 'capture', 'set-log-level', 'set-var', 'track-sc0', 'track-sc1', 'track-sc2', 'replace-header', 'replace-value', 'set-path', 'set-query', 'set-uri', 'replace-path', 'replace-uri', 'set-method', 'silent-drop', 'set-src', 'normalize-uri', 'cache-use', 'wait-for-body', 'lua', 'early-hint', 'sc-inc-gpc0', 'sc-inc-gpc1', 'set-nice', 'set-tos', 'set-mark'];
const REDIRECT_CODES = [301, 302, 303, 307, 308];

/** An error with its own code (the plain-string errors get theirs from the caller). */
export interface HttpRequestError {
  readonly code: E;
  readonly message: string;
}

/**
 * Returns the rule, an error message, or undefined when `cond` already reported an error.
 * `cond` parses the `if|unless ...` tail.
 */
export function parseHttpRequest(
  words: readonly string[],
  cond: (words: readonly string[]) => Condition | null | undefined,
): HttpRequestRule | string | HttpRequestError | undefined {
  const action = words[0] ?? '';
  const condStart = words.findIndex((w) => w === 'if' || w === 'unless');
  const body = condStart < 0 ? words.slice(1) : words.slice(1, condStart);
  const tail = condStart < 0 ? [] : words.slice(condStart);
  if (UNSUPPORTED.includes(action)) return `'http-request ${action}' is not supported by haloscope; remove it`;
  if (!ACTIONS.includes(action)) {
    const hint = suggest(action, ACTIONS);
    return `unknown 'http-request' action '${action}'${hint ? `; did you mean '${hint}'?` : ''} (supported: ${ACTIONS.join(', ')})`;
  }
  const hasFormat = (v: string): boolean => /%[[{A-Za-z]/.test(v);
  let rule: Record<string, unknown>;
  switch (action) {
    case 'allow':
      if (body.length) return `'http-request allow' takes no argument (got '${body[0]}')`;
      rule = { action };
      break;
    case 'deny': {
      let status = 403;
      for (let i = 0; i < body.length; i++) {
        if (body[i] === 'deny_status') {
          const v = parseUint(body[++i] ?? '', 599);
          if (v === null || v < 200) return `'http-request deny deny_status' expects an HTTP status code`;
          status = v;
        } else return `'http-request deny' option '${body[i]}' is not supported (only deny_status)`;
      }
      rule = { action, status };
      break;
    }
    case 'set-header':
    case 'add-header': {
      if (body.length !== 2) return `'http-request ${action}' expects exactly 2 arguments: <name> <value>`;
      if (hasFormat(body[1]!)) return `'http-request ${action}': log-format expressions in values are not supported; use a literal value`;
      rule = { action, name: body[0]!, value: body[1]! };
      break;
    }
    case 'use-service': {
      // HAProxy 2.6's messages (action_http_use_service / http_req_keywords)
      const name = body[0];
      if (!name) return { code: E.E_CONFIG_MISSING_ARG, message: `error detected while parsing 'http-request use-service' rule : 'use-service' expects a service name.` };
      if (name.startsWith('lua.'))
        return { code: E.E_CONFIG_UNSUPPORTED, message: `'http-request use-service ${name}' : Lua services are not supported by haloscope; the service it has is 'prometheus-exporter'` };
      if (name !== 'prometheus-exporter') return { code: E.E_CONFIG_BAD_VALUE, message: `error detected while parsing 'http-request use-service' rule : '${name}' unknown service name; haloscope has 'prometheus-exporter'` };
      if (body.length > 1) return { code: E.E_CONFIG_BAD_VALUE, message: `'http-request use-service' expects either 'if' or 'unless' followed by a condition but found '${body[1]}'.` };
      rule = { action, service: name };
      break;
    }
    case 'del-header':
      if (body.length !== 1) return `'http-request del-header' expects exactly 1 argument: <name>`;
      rule = { action, name: body[0]!.toLowerCase() };
      break;
    default: {
      const kind = body[0];
      if (kind !== 'location' && kind !== 'scheme' && kind !== 'prefix') return `'http-request redirect' expects 'location', 'prefix' or 'scheme'`;
      const target = body[1];
      if (!target) return `'http-request redirect ${kind}' expects an argument`;
      if (hasFormat(target)) return `'http-request redirect': log-format expressions are not supported; use a literal target`;
      let code = 302;
      for (let i = 2; i < body.length; i++) {
        if (body[i] === 'code') {
          const v = parseUint(body[++i] ?? '');
          if (v === null || !REDIRECT_CODES.includes(v)) return `'http-request redirect' code must be one of ${REDIRECT_CODES.join(', ')}`;
          code = v;
        } else return `'http-request redirect' option '${body[i]}' is not supported (only 'code')`;
      }
      rule = { action: 'redirect', kind, target, code };
    }
  }
  const c = cond(tail);
  if (c === undefined) return undefined;
  return { ...rule, cond: c } as unknown as HttpRequestRule;
}
