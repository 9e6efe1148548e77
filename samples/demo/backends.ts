import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The shop the demo proxies to: HTML pages, static files, a JSON API (slow now and then,
 * 500 on a quote in an id, like an unescaped SQL query), and a login that wants
 * `Basic demo:demo`. One node:http server per demo "server".
 */
export type BackendRole = 'app' | 'static' | 'api' | 'login';

function page(title: string): string {
  return `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${'<p>lorem ipsum</p>'.repeat(20)}</body></html>`;
}

function handle(role: BackendRole, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://demo');
  const path = url.pathname;
  const send = (status: number, type: string, body: string | Buffer): void => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  req.resume();
  switch (role) {
    case 'static': {
      if (!/^\/static\/[\w.-]+$/.test(path) && path !== '/favicon.ico') return send(404, 'text/plain', 'not found\n');
      const size = 200 + (path.length * 977) % 30000;
      return send(200, path.endsWith('.css') ? 'text/css' : path.endsWith('.js') ? 'application/javascript' : 'image/png', Buffer.alloc(size, 0x61));
    }
    case 'api': {
      const id = url.searchParams.get('id');
      if (path === '/api/items' && id !== null) {
        if (id.includes("'")) return send(500, 'application/json', '{"error":"syntax error in SQL"}');
        if (!/^\d+$/.test(id)) return send(404, 'application/json', '{"error":"no such item"}');
        const delay = Number(id) % 17 === 0 ? 150 : 5;
        setTimeout(() => send(200, 'application/json', JSON.stringify({ id: Number(id), name: `item ${id}`, price: 9.99 })), delay);
        return;
      }
      if (path === '/api/cart' || path === '/api/list') return send(200, 'application/json', '{"items":[1,2,3]}');
      return send(404, 'application/json', '{"error":"unknown endpoint"}');
    }
    case 'login': {
      const ok = req.headers.authorization === `Basic ${Buffer.from('demo:demo').toString('base64')}`;
      if (!ok) {
        res.setHeader('www-authenticate', 'Basic realm="shop"');
        return send(401, 'text/html', page('Login required'));
      }
      return send(200, 'text/html', page('Welcome back'));
    }
    case 'app': {
      if (path === '/' || /^\/(products\/item-\d+\.html|about\.html|contact\.html|products\/)$/.test(path)) return send(200, 'text/html', page(path));
      if (path === '/error') return send(500, 'text/html', page('Internal error'));
      return send(404, 'text/html', page('Not found'));
    }
  }
}

export interface DemoBackend {
  readonly role: BackendRole;
  readonly port: number;
  readonly server: Server;
}

export async function startBackend(role: BackendRole, port: number): Promise<DemoBackend> {
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => handle(role, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { role, port: (server.address() as AddressInfo).port, server };
}

export async function stopBackends(list: readonly DemoBackend[]): Promise<void> {
  await Promise.all(list.map((b) => new Promise<void>((r) => {
    b.server.closeAllConnections();
    b.server.close(() => r());
  })));
}
