/**
 * The HAProxy 2.6 traffic-log contract: the order of the space-separated fields of
 * `option httplog` and `option tcplog` lines, counted from the client address (the first
 * field after the syslog header). The proxy's emitter writes fields in this order and
 * halog's parser reaches them by these indices, so both sides change together or not at all.
 *
 * This module holds types and tables only and imports nothing.
 */

/** Index of each httplog field, 0 = `client_ip:port`. */
export const HttpField = {
  client: 0,
  acceptDate: 1,
  frontend: 2,
  backendServer: 3,
  /** `TR/Tw/Tc/Tr/Ta` */
  timers: 4,
  status: 5,
  bytesRead: 6,
  requestCookie: 7,
  responseCookie: 8,
  /** 4 characters: termination cause, session state, cookie in, cookie out. */
  terminationState: 9,
  /** `actconn/feconn/beconn/srv_conn/retries` */
  connections: 10,
  /** `srv_queue/backend_queue` */
  queues: 11,
  /**
   * First optional `{request captures}` block, then `{response captures}`, then the quoted
   * request line. Capture blocks are absent when none is configured, so fields from here on
   * are found by their first byte (`{` or `"`), not by index.
   */
  capturesOrRequest: 12,
} as const;

/** Index of each tcplog field, 0 = `client_ip:port`. */
export const TcpField = {
  client: 0,
  acceptDate: 1,
  frontend: 2,
  backendServer: 3,
  /** `Tw/Tc/Tt` */
  timers: 4,
  bytesRead: 5,
  /** 2 characters. */
  terminationState: 6,
  connections: 7,
  queues: 8,
} as const;

/** Number of `/`-separated timers in each layout; halog's `-H` tells HTTP from TCP by this. */
export const HTTP_TIMER_COUNT = 5;
export const TCP_TIMER_COUNT = 3;

/** Timer positions inside the httplog timer field. */
export const HttpTimer = { TR: 0, Tw: 1, Tc: 2, Tr: 3, Ta: 4 } as const;

/** Server name HAProxy logs when no server was reached. */
export const NO_SERVER = '<NOSRV>';
/** Request field HAProxy logs when no valid request line was received. */
export const BAD_REQUEST = '<BADREQ>';
