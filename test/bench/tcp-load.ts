/**
 * Load generator and backend for the `mode tcp` part of proxy-vs-haproxy.ts (a benchmark
 * helper, not a test). Each role runs in its own process so that neither competes with the
 * proxies' event loop nor with the bench's log sink.
 *
 *   node tcp-load.js server                    prints {"port":N,"httpPort":M}, serves the protocol below
 *   node tcp-load.js client PORT down|up CONNS SECONDS SIZE_MB
 *                                              prints one JSON result line on stdout
 *
 * Protocol: `GET <n>\n` -> the server streams n bytes and ends (download); `PUT <n>\n` then n
 * bytes then the client's FIN -> the server answers `OK <received>\n` and ends (upload, which
 * also exercises the proxy's half-close: the reply travels after the client's shutdown).
 * On httpPort, any first read gets a 2-byte `Connection: close` HTTP response and a FIN: the
 * backend of the short-session case, driven by wrk.
 *
 * Both sides move bytes in 1 MB writes of one shared buffer and the client reads into one
 * reusable buffer (`onread`), so per byte they do fewer syscalls and no allocation compared
 * with a proxy, which must read and write every byte: the generator stays the cheaper party.
 */
import net from 'node:net';

const CHUNK = 1 << 20;
const DATA = Buffer.alloc(CHUNK, 'x');

/** Writes n bytes of DATA honouring backpressure, then calls done. */
function stream(sock: net.Socket, n: number, done: () => void): void {
  let left = n;
  const go = (): void => {
    while (left > 0) {
      const k = Math.min(left, CHUNK);
      left -= k;
      if (!sock.write(k === CHUNK ? DATA : DATA.subarray(0, k))) return void sock.once('drain', go);
    }
    done();
  };
  go();
}

function server(): void {
  const srv = net.createServer({ allowHalfOpen: true, noDelay: true }, (s) => {
    s.on('error', () => {});
    let head = '';
    let mode: 'head' | 'put' = 'head';
    let received = 0;
    s.on('data', (d: Buffer) => {
      if (mode === 'put') {
        received += d.length;
        return;
      }
      head += d.toString('latin1');
      const nl = head.indexOf('\n');
      if (nl < 0) return;
      const [verb, arg] = head.slice(0, nl).split(' ');
      const n = Number(arg);
      if (verb === 'GET') return stream(s, n, () => s.end());
      mode = 'put';
      received = head.length - nl - 1;
    });
    s.on('end', () => {
      if (mode === 'put') s.end(`OK ${received}\n`);
      else s.end();
    });
  });
  // short sessions (wrk with `Connection: close`): one small HTTP response, then the server's FIN
  const RESP = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
  const short = net.createServer({ noDelay: true }, (s) => {
    s.on('error', () => {});
    s.once('data', () => s.end(RESP));
  });
  let up = 0;
  const ready = (): void => {
    if (++up < 2) return;
    const port = (srv.address() as net.AddressInfo).port;
    const httpPort = (short.address() as net.AddressInfo).port;
    process.stdout.write(JSON.stringify({ port, httpPort }) + '\n');
  };
  srv.listen(0, '127.0.0.1', ready);
  short.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, ready);
  process.on('SIGTERM', () => process.exit(0));
}

interface ClientResult {
  bytes: number;
  seconds: number;
  transfers: number;
  errors: number;
  cpuMs: number;
}

async function client(port: number, dir: 'down' | 'up', conns: number, seconds: number, sizeMb: number): Promise<ClientResult> {
  const size = sizeMb * CHUNK;
  // one read buffer for every connection: the callback only counts, so nothing keeps it
  const readBuf = Buffer.allocUnsafe(CHUNK);
  let bytes = 0;
  let transfers = 0;
  let errors = 0;
  let stopping = false;
  const open = new Set<net.Socket>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  const one = (): Promise<void> =>
    new Promise((resolve) => {
      let got = 0;
      let reply = '';
      const s = net.connect({
        port,
        host: '127.0.0.1',
        allowHalfOpen: true,
        noDelay: true,
        onread: {
          buffer: readBuf,
          callback: (n: number, buf: Uint8Array) => {
            if (dir === 'down') {
              got += n;
              bytes += n;
            } else reply += Buffer.from(buf.buffer, buf.byteOffset, n).toString('latin1');
            return true;
          },
        },
      });
      open.add(s);
      let failed = false;
      s.on('error', () => (failed = true));
      s.on('connect', () => {
        if (dir === 'down') s.write(`GET ${size}\n`);
        else {
          s.write(`PUT ${size}\n`);
          let sent = 0;
          const go = (): void => {
            while (sent < size && !stopping) {
              sent += CHUNK;
              bytes += CHUNK;
              if (!s.write(DATA)) return void s.once('drain', go);
            }
            if (!stopping) s.end();
          };
          go();
        }
      });
      s.on('end', () => s.end());
      s.on('close', () => {
        open.delete(s);
        const ok = dir === 'down' ? got === size : reply === `OK ${size}\n`;
        if (ok) transfers++;
        else if (!stopping || failed) errors++;
        resolve();
      });
    });

  const loop = async (): Promise<void> => {
    while (!stopping) await one();
  };
  const loops = Array.from({ length: conns }, loop);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stopping = true;
  const elapsed = (performance.now() - t0) / 1000;
  const total = bytes;
  const cpu = process.cpuUsage(cpu0);
  for (const s of open) s.destroy();
  await Promise.all(loops);
  return { bytes: total, seconds: elapsed, transfers, errors, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const [role, ...rest] = process.argv.slice(2);
if (role === 'server') server();
else if (role === 'client') {
  const [port, dir, conns, seconds, size] = rest;
  client(Number(port), dir as 'down' | 'up', Number(conns), Number(seconds), Number(size)).then((r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  });
} else {
  process.stderr.write('usage: tcp-load.js server | client PORT down|up CONNS SECONDS SIZE_MB\n');
  process.exit(2);
}
