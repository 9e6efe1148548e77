/**
 * HAProxy's termination-state alphabets (configuration manual section 8.5). The emitter
 * picks letters from these tables by event; parsers and reports use them to name codes.
 */

/** First character: the event that ended the session. */
export const TerminationCause = {
  none: '-',
  local: 'L',
  clientTimeout: 'c',
  clientAbort: 'C',
  serverTimeout: 's',
  serverAbort: 'S',
  proxy: 'P',
  resource: 'R',
  internal: 'I',
  serverDown: 'D',
  serverUp: 'U',
  killed: 'K',
} as const;
export type TerminationCause = (typeof TerminationCause)[keyof typeof TerminationCause];

/** Second character: the session state when it ended. */
export const SessionState = {
  none: '-',
  request: 'R',
  queue: 'Q',
  connect: 'C',
  headers: 'H',
  data: 'D',
  lastData: 'L',
  tarpit: 'T',
} as const;
export type SessionState = (typeof SessionState)[keyof typeof SessionState];

/** Third character: the persistence cookie the client sent. */
export const ClientCookieState = {
  notConfigured: '-',
  none: 'N',
  invalid: 'I',
  down: 'D',
  valid: 'V',
  expired: 'E',
  old: 'O',
  unused: 'U',
} as const;
export type ClientCookieState = (typeof ClientCookieState)[keyof typeof ClientCookieState];

/** Fourth character: what the proxy did with the server's cookie. */
export const ServerCookieState = {
  notConfigured: '-',
  none: 'N',
  inserted: 'I',
  updated: 'U',
  provided: 'P',
  rewritten: 'R',
  deleted: 'D',
} as const;
export type ServerCookieState = (typeof ServerCookieState)[keyof typeof ServerCookieState];

/** Human names of the first two characters, for reports (`-tc` keys, detection evidence). */
export const CAUSE_NAMES: Readonly<Record<string, string>> = {
  '-': 'normal completion',
  L: 'handled locally by the proxy',
  c: 'client-side timeout',
  C: 'client aborted',
  s: 'server-side timeout',
  S: 'server aborted or refused',
  P: 'proxy blocked or aborted',
  R: 'proxy resource exhausted',
  I: 'proxy internal error',
  D: 'server detected down',
  U: 'killed for a returning active server',
  K: 'killed by an administrator',
};

export const STATE_NAMES: Readonly<Record<string, string>> = {
  '-': 'after end of data',
  R: 'waiting for the request',
  Q: 'waiting in queue',
  C: 'waiting for the server connection',
  H: 'waiting for response headers',
  D: 'data phase',
  L: 'sending last data',
  T: 'tarpitted',
};
