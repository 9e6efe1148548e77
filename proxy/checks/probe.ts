/**
 * One health check of one server: a TCP connect, or with `option httpchk` an HTTP request on
 * a fresh connection. The whole check must complete within `timeoutMs` (HAProxy without
 * `timeout check`: `inter`). The result carries HAProxy's wording for the state-change log
 * (check.c get_check_status_description / info), checked against haproxy by
 * test/proxy-checks/oracle-checks.test.ts.
 */
import net from 'node:net';
import type { HttpCheckConfig } from '../config/types.js';

export interface CheckResult {
  readonly ok: boolean;
  /** `Layer4 check passed`, `Layer7 wrong status`, ... */
  readonly reason: string;
  /** HTTP status of a layer 7 check, when one was read. */
  readonly code: number | null;
  /** Quoted detail: `Connection refused`, the reason phrase, `HTTP content check did not match`. */
  readonly info: string | null;
  readonly durationMs: number;
}

/** Bytes of a check response kept; HAProxy reads one buffer (16 kB) too. */
const MAX_RESPONSE = 16384;

export function runCheck(host: string, port: number, timeoutMs: number, http: HttpCheckConfig | null): Promise<CheckResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    let done = false;
    let connected = false;
    let buf = Buffer.alloc(0);
    const sock = net.connect({ host, port });
    const finish = (ok: boolean, reason: string, code: number | null = null, info: string | null = null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok, reason, code, info, durationMs: Date.now() - start });
    };
    // The verdict waits for the next check phase: after a stalled event loop the timer and
    // the socket's events are due together, and timers run first; an answer that was already
    // waiting must win (in test/proxy-checks the loop stalls up to ~300 ms while haproxy starts).
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (!connected) finish(false, 'Layer4 timeout');
          else if (http) judgeHttp(true);
          else finish(false, 'Layer4 timeout');
        }),
      timeoutMs,
    );
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected) finish(false, 'Layer4 connection problem', null, e.code === 'ECONNREFUSED' ? 'Connection refused' : e.message);
      else if (http) judgeHttp(true);
    });
    sock.on('connect', () => {
      connected = true;
      if (!http) return finish(true, 'Layer4 check passed');
      sock.write(`${http.method} ${http.uri} ${http.version}\r\n\r\n`);
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]).subarray(0, MAX_RESPONSE);
      judgeHttp(false);
    });
    sock.on('end', () => judgeHttp(true));
    sock.on('close', () => judgeHttp(true));

    /** Decides as soon as the response allows it; `final`: nothing more will come. */
    function judgeHttp(final: boolean): void {
      if (done || !http) return;
      const text = buf.toString('latin1');
      const eol = text.indexOf('\n');
      if (eol < 0) {
        if (final) finish(false, buf.length ? 'Layer7 invalid response' : 'Layer7 timeout', null, buf.length ? 'Non-HTTP response' : null);
        return;
      }
      const m = /^HTTP\/\d\.\d (\d{3})(?: ([^\r\n]*))?\r?$/.exec(text.slice(0, eol));
      if (!m) return finish(false, 'Layer7 invalid response', null, 'Non-HTTP response');
      const code = Number(m[1]);
      const phrase = m[2] ?? '';
      const expect = http.expect;
      if (expect?.kind === 'string') {
        const body = text.indexOf('\r\n\r\n');
        // the body is complete when the server closes (HTTP/1.0 checks) or the buffer is full
        if (!final && buf.length < MAX_RESPONSE) return;
        const found = body >= 0 && text.slice(body + 4).includes(expect.value);
        // HAProxy names no status code in either case of a content check
        if (found !== expect.negate) return finish(true, 'Layer7 check passed');
        return finish(false, 'Layer7 invalid response', null, 'HTTP content check did not match');
      }
      let pass: boolean;
      if (expect?.kind === 'status') pass = statusIn(code, expect.value) !== expect.negate;
      else if (expect?.kind === 'rstatus') pass = new RegExp(expect.value).test(String(code)) !== expect.negate;
      else pass = code >= 200 && code < 400;
      if (pass) finish(true, 'Layer7 check passed', code);
      else finish(false, 'Layer7 wrong status', code, phrase || null);
    }
  });
}

/** `200`, `200-399`, `200,302` (HAProxy 2.6 accepts ranges and lists). */
function statusIn(code: number, spec: string): boolean {
  return spec.split(',').some((part) => {
    const [lo, hi] = part.split('-').map(Number);
    return hi === undefined ? code === lo : code >= lo! && code <= hi;
  });
}
