/**
 * The stats applet (`stats enable` / `stats uri` / `stats auth` / `stats refresh`): requests
 * whose URI starts with the stats URI get the HTML page, or `;csv` the `show stat` CSV.
 * `;norefresh` drops the refresh header. With `stats auth`, a request without valid Basic
 * credentials gets HAProxy's 401 page (byte for byte). Logged as `<STATS>`, `LR--`.
 */
import type { StatsConfig } from '../config/types.js';
import { statsCsv } from './csv.js';
import { statsHtml } from './html.js';
import type { StatsRow } from './snapshot.js';

export interface StatsAnswer {
  /** Status written to the log: HAProxy 2.6 logs its stats 401 challenge as 400. */
  readonly logStatus: number;
  /** Whether a response (not only a challenge) was produced: Tr is 0, else -1. */
  readonly served: boolean;
  /** The connection closes after it, keep-alive or not (the exporter's 400). */
  readonly close?: boolean;
  wire(keepAlive: boolean): Buffer;
}

const UNAUTHORIZED_BODY = '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n';

export type StatsHandler = (uri: string, authorization: string | undefined) => StatsAnswer | null;

export function statsHandler(cfg: StatsConfig, rows: () => StatsRow[], title: string): StatsHandler {
  const allowed = new Set(cfg.auth.map((a) => 'Basic ' + Buffer.from(a, 'latin1').toString('base64')));
  return (uri, authorization) => {
    if (!uri.startsWith(cfg.uri)) return null;
    if (allowed.size > 0 && (authorization === undefined || !allowed.has(authorization.trim())))
      return {
        logStatus: 400,
        served: false,
        wire: (keep) =>
          Buffer.from(
            `HTTP/1.1 401 Unauthorized\r\ncontent-length: ${UNAUTHORIZED_BODY.length}\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n` +
              `www-authenticate: Basic realm="${cfg.realm}"\r\n${keep ? '' : 'connection: close\r\n'}\r\n${UNAUTHORIZED_BODY}`,
            'latin1',
          ),
      };
    const opts = uri.slice(cfg.uri.length).split(/[;?]/);
    const csv = opts.includes('csv');
    const refresh = cfg.refresh > 0 && !opts.includes('norefresh') && !csv;
    return {
      logStatus: 200,
      served: true,
      wire: (keep) => {
        const body = Buffer.from(csv ? statsCsv(rows()) : statsHtml(rows(), title, cfg.uri, refresh ? cfg.refresh : 0), 'latin1');
        const head =
          `HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: ${csv ? 'text/plain' : 'text/html'}\r\n` +
          (refresh ? `refresh: ${Math.round(cfg.refresh / 1000)}\r\n` : '') +
          `content-length: ${body.length}\r\n${keep ? '' : 'connection: close\r\n'}\r\n`;
        return Buffer.concat([Buffer.from(head, 'latin1'), body]);
      },
    };
  };
}
