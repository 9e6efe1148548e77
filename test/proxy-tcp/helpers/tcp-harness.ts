/**
 * Real-socket helpers for `mode tcp` tests: TCP backends with scripted behaviours and a TCP
 * client that records what it received and how the connection ended. Loopback only.
 */
import net from 'node:net';

export interface TcpBackend {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

export type Behaviour =
  /** writes back what it reads; ends when the client ends */
  | 'echo'
  /** sends a banner and closes at once */
  | 'banner'
  /** reads and never answers nor closes */
  | 'silent'
  /** resets the connection at the first byte */
  | 'rst'
  /** answers `after eof` 200 ms after the client's FIN, then closes */
  | 'reply-after-eof'
  /** sends its own name, then echoes (tells which server a connection reached) */
  | 'named';

export async function startTcpBackend(behaviour: Behaviour, name = ''): Promise<TcpBackend> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    switch (behaviour) {
      case 'echo':
        s.on('data', (d) => s.write(d));
        s.on('end', () => s.end());
        return;
      case 'named':
        s.write(`${name}\n`);
        s.on('data', (d) => s.write(d));
        s.on('end', () => s.end());
        return;
      case 'banner':
        s.resume();
        s.end('hello banner\n');
        return;
      case 'silent':
        s.resume();
        return;
      case 'rst':
        s.once('data', () => s.resetAndDestroy());
        return;
      case 'reply-after-eof':
        s.resume();
        s.on('end', () => setTimeout(() => s.end('after eof'), 200));
        return;
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface TcpOutcome {
  readonly data: Buffer;
  /** 'end' when the proxy closed cleanly (FIN), 'reset' on ECONNRESET, 'local' when the script closed first. */
  readonly ended: 'end' | 'reset' | 'local';
}

/**
 * Connects, runs `script` on the socket, and resolves when the connection is closed. A FIN
 * from the proxy is answered with ours (a polite client), unless the script closed first.
 */
export function tcpClient(port: number, script: (s: net.Socket) => void | Promise<void>): Promise<TcpOutcome> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended: TcpOutcome['ended'] = 'local';
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => {
      ended = 'end';
      s.end();
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') ended = 'reset';
      else if (e.code !== 'EPIPE') reject(e);
    });
    s.on('close', () => resolve({ data: Buffer.concat(chunks), ended }));
    s.on('connect', () => void script(s));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
