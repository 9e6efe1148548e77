/**
 * Every error the proxy can report, each with a stable code. All codes live in this one file
 * (docs/errors.md lists exactly these; test/proxy/errors-doc.test.ts keeps the two in step).
 * Expected traffic outcomes (bad request, no server, timeouts) are NOT errors: they become
 * HTTP statuses and log lines. These classes are for bad configuration, bad command lines and
 * failures to start.
 */

export const ProxyErrorCode = {
  /** The configuration file cannot be read. */
  E_CONFIG_FILE: 'E_CONFIG_FILE',
  /** A quote or an escape sequence is not terminated on its line. */
  E_CONFIG_SYNTAX: 'E_CONFIG_SYNTAX',
  /** A section name HAProxy does not have, or one haloscope does not support. */
  E_CONFIG_UNKNOWN_SECTION: 'E_CONFIG_UNKNOWN_SECTION',
  /** A keyword that does not exist in this section. */
  E_CONFIG_UNKNOWN_KEYWORD: 'E_CONFIG_UNKNOWN_KEYWORD',
  /** A real HAProxy keyword that haloscope does not implement. */
  E_CONFIG_UNSUPPORTED: 'E_CONFIG_UNSUPPORTED',
  /** A keyword that exists but is not allowed in this kind of section. */
  E_CONFIG_WRONG_SECTION: 'E_CONFIG_WRONG_SECTION',
  /** A required argument is missing. */
  E_CONFIG_MISSING_ARG: 'E_CONFIG_MISSING_ARG',
  /** An argument has a bad value (number, time, address, ...). */
  E_CONFIG_BAD_VALUE: 'E_CONFIG_BAD_VALUE',
  /** Two proxies, servers or ACL-less duplicates with the same name. */
  E_CONFIG_DUPLICATE: 'E_CONFIG_DUPLICATE',
  /** `use_backend`/`default_backend` names a backend that does not exist. */
  E_CONFIG_UNKNOWN_BACKEND: 'E_CONFIG_UNKNOWN_BACKEND',
  /** A condition uses an ACL that is not declared. */
  E_CONFIG_UNKNOWN_ACL: 'E_CONFIG_UNKNOWN_ACL',
  /** An ACL criterion, flag or pattern haloscope cannot evaluate. */
  E_CONFIG_BAD_ACL: 'E_CONFIG_BAD_ACL',
  /** A frontend without any `bind`, or a configuration without any frontend. */
  E_CONFIG_NO_LISTENER: 'E_CONFIG_NO_LISTENER',
  /** A command-line option is unknown or lacks its argument. */
  E_CLI_USAGE: 'E_CLI_USAGE',
  /** A listening socket cannot be bound (address in use, permission). */
  E_LISTEN: 'E_LISTEN',
} as const;
export type ProxyErrorCode = (typeof ProxyErrorCode)[keyof typeof ProxyErrorCode];

export class HaloscopeError extends Error {
  readonly code: ProxyErrorCode;
  constructor(code: ProxyErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Where in the configuration a problem was found. */
export interface ConfigLocation {
  readonly file: string;
  readonly line: number;
}

/**
 * A configuration problem. Its message has HAProxy's shape:
 * `parsing [haproxy.cfg:12] : unknown keyword 'balanse' in 'backend' section; did you mean 'balance'?`
 */
export class ConfigError extends HaloscopeError {
  readonly file: string;
  readonly line: number;
  readonly detail: string;
  constructor(code: ProxyErrorCode, where: ConfigLocation, detail: string) {
    super(code, where.line > 0 ? `parsing [${where.file}:${where.line}] : ${detail}` : `${where.file} : ${detail}`);
    this.file = where.file;
    this.line = where.line;
    this.detail = detail;
  }
}

export class UsageError extends HaloscopeError {
  constructor(message: string) {
    super(ProxyErrorCode.E_CLI_USAGE, message);
  }
}

export class ListenError extends HaloscopeError {
  constructor(message: string) {
    super(ProxyErrorCode.E_LISTEN, message);
  }
}
