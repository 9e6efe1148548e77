import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/**
 * The demo's clients, each from its own loopback address so the log shows them apart:
 * browsers and an API partner (benign), and a slow client, a directory scanner, a login
 * brute force and an injection prober (hostile). Every complete request carries a unique
 * `rid` query parameter, so a test can check that each one appears once in the log.
 */
export interface SentRequest {
  readonly rid: number;
  readonly client: string;
  readonly role: string;
  status: number;
}

export interface TrafficOptions {
  readonly host: string;
  readonly port: number;
  readonly durationMs: number;
}

const UA = {
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
  chrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  api: 'shop-partner-sync/2.3',
  scanner: 'gobuster/3.6',
  brute: 'python-requests/2.31',
  sqlmap: 'sqlmap/1.7.2#stable (https://sqlmap.org)',
};

const SCAN_WORDS = ['admin', '.env', '.git/config', 'backup.zip', 'wp-login.php', 'config.php', 'phpmyadmin', 'server-status', 'old', 'test', 'db.sql', 'api/v1', 'cgi-bin/test.cgi', 'login.aspx', '.htaccess', 'debug', 'console', 'dump.sql', 'private', 'uploads'];
const PROBES = [
  "/api/items?id=1'%20OR%20'1'='1",
  '/api/items?id=1%20UNION%20SELECT%20username,password%20FROM%20users',
  '/search?q=%3Cscript%3Ealert(1)%3C/script%3E',
  '/static/..%2f..%2f..%2fetc%2fpasswd',
  '/index.php?page=../../../../etc/passwd',
  '/api/items?id=$(cat%20/etc/passwd)',
  "/api/items?id=1;DROP%20TABLE%20items",
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class TrafficDriver {
  readonly sent: SentRequest[] = [];
  readonly #o: TrafficOptions;
  #nextRid = 1;
  #stopAt = 0;
  slowConnections = 0;

  constructor(o: TrafficOptions) {
    this.#o = o;
  }

  #send(agent: Agent, client: string, role: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
    const rid = this.#nextRid++;
    const entry: SentRequest = { rid, client, role, status: 0 };
    this.sent.push(entry);
    const sep = path.includes('?') ? '&' : '?';
    return new Promise((resolve) => {
      const req = request(
        { host: this.#o.host, port: this.#o.port, method, path: `${path}${sep}rid=${rid}`, agent, localAddress: client, headers: { host: 'shop.example', ...headers } },
        (res) => {
          res.resume();
          res.on('end', () => {
            entry.status = res.statusCode ?? 0;
            resolve(entry.status);
          });
          res.on('error', () => resolve(0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  }

  get #running(): boolean {
    return Date.now() < this.#stopAt;
  }

  async #browser(client: string, ua: string, seed: number): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    let n = seed;
    while (this.#running) {
      const item = (n * 7919) % 40;
      const page = n % 9 === 0 ? '/about.html' : n % 13 === 0 ? '/home' : `/products/item-${item}.html`;
      await this.#send(agent, client, 'browser', 'GET', page, { 'user-agent': ua, referer: 'http://shop.example/' });
      await Promise.all([
        this.#send(agent, client, 'browser', 'GET', `/static/style.css`, { 'user-agent': ua }),
        this.#send(agent, client, 'browser', 'GET', `/static/p${item}.png`, { 'user-agent': ua }),
      ]);
      if (n % 5 === 0) await this.#send(agent, client, 'browser', 'GET', `/api/items?id=${item}`, { 'user-agent': ua });
      if (n % 23 === 0) await this.#send(agent, client, 'browser', 'GET', `/products/item-${item}x.html`, { 'user-agent': ua });
      n++;
      await sleep(250 + (n % 4) * 100);
    }
    agent.destroy();
  }

  async #apiPartner(client: string): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    while (this.#running) {
      const burst: Promise<number>[] = [];
      for (let i = 0; i < 20; i++) burst.push(this.#send(agent, client, 'api', 'GET', i % 2 ? '/api/list' : `/api/items?id=${i + 1}`, { 'user-agent': UA.api, accept: 'application/json' }));
      await Promise.all(burst);
      await sleep(1000);
    }
    agent.destroy();
  }

  async #scanner(client: string): Promise<void> {
    const agent = new Agent({ keepAlive: false });
    let i = 0;
    while (this.#running) {
      const word = SCAN_WORDS[i % SCAN_WORDS.length]!;
      await this.#send(agent, client, 'scanner', 'GET', `/${word}${i >= SCAN_WORDS.length ? `.${Math.floor(i / SCAN_WORDS.length)}` : ''}`, { 'user-agent': UA.scanner });
      i++;
      await sleep(20);
    }
  }

  async #bruteForce(client: string): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let i = 0;
    while (this.#running) {
      const auth = Buffer.from(`admin:password${i++}`).toString('base64');
      await this.#send(agent, client, 'bruteforce', 'POST', '/login', { 'user-agent': UA.brute, authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' }, 'user=admin');
      await sleep(50);
    }
    agent.destroy();
  }

  async #prober(client: string): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let i = 0;
    while (this.#running) {
      await this.#send(agent, client, 'prober', 'GET', PROBES[i++ % PROBES.length]!, { 'user-agent': UA.sqlmap });
      await sleep(300);
    }
    agent.destroy();
  }

  /**
   * Slowloris: several connections at a time that send half a request header and stall; the
   * proxy answers 408 after `timeout http-request` (logged cR) and the client opens another.
   */
  async #slowClient(client: string, parallel: number): Promise<void> {
    const loop = async (): Promise<void> => {
      while (this.#running) {
        await new Promise<void>((resolve) => {
          const s = connect({ host: this.#o.host, port: this.#o.port, localAddress: client }, () => {
            this.slowConnections++;
            s.write('GET /products/ HTTP/1.1\r\nHost: shop.example\r\nX-a: ');
          });
          s.on('data', () => s.destroy());
          s.on('error', () => resolve());
          s.on('close', () => resolve());
          s.setTimeout(10000, () => s.destroy());
        });
      }
    };
    await Promise.all(Array.from({ length: parallel }, loop));
  }

  async run(): Promise<void> {
    this.#stopAt = Date.now() + this.#o.durationMs;
    await Promise.all([
      this.#browser('127.0.10.1', UA.firefox, 1),
      this.#browser('127.0.10.2', UA.chrome, 100),
      this.#browser('127.0.10.3', UA.firefox, 200),
      this.#apiPartner('127.0.20.1'),
      this.#slowClient('127.0.30.1', 4),
      this.#scanner('127.0.66.1'),
      this.#bruteForce('127.0.66.2'),
      this.#prober('127.0.66.3'),
    ]);
  }
}
