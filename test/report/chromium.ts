import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { WebSocket } from 'undici';

/**
 * Headless Chromium (Debian package `chromium`) driven over the DevTools protocol with
 * undici's WebSocket: load a page, collect console errors, exceptions and network requests,
 * evaluate an expression, take a screenshot. In CI (CI=true) a missing browser fails the test.
 */
export function findChromium(): string | null {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']) if (existsSync(p)) return p;
  return null;
}

export function requireChromium(t: TestContext): string | null {
  const p = findChromium();
  if (p) return p;
  const why = 'headless Chromium not found (install it: apt-get install -y chromium)';
  if (process.env.CI) throw new Error(`${why}; CI must have it`);
  t.skip(why);
  return null;
}

export interface PageResult {
  consoleErrors: string[];
  requests: string[];
  value: unknown;
  screenshot: Buffer;
}

export async function loadPage(chromium: string, url: string, expression: string): Promise<PageResult> {
  const profile = mkdtempSync(join(tmpdir(), 'h6-chromium-'));
  const proc: ChildProcess = spawn(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-extensions',
    '--no-first-run', '--no-default-browser-check', '--hide-scrollbars', '--window-size=1000,900',
    `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const wsBrowser = await new Promise<string>((resolve, reject) => {
      let err = '';
      proc.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      proc.once('exit', (code) => reject(new Error(`chromium exited (${code}) before DevTools was ready: ${err.slice(-2000)}`)));
    });
    const port = new URL(wsBrowser).port;
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
    const page = targets.find((x) => x.type === 'page');
    if (!page) throw new Error('no page target');
    const ws = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve, { once: true });
      ws.addEventListener('error', reject, { once: true });
    });
    let id = 0;
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    const events: { method: string; params: Record<string, unknown> }[] = [];
    const waiters: { method: string; resolve: () => void }[] = [];
    ws.addEventListener('message', (ev) => {
      const m = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
      if (m.id !== undefined) {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error) p?.reject(new Error(m.error.message));
        else p?.resolve(m.result);
      } else if (m.method) {
        events.push({ method: m.method, params: m.params ?? {} });
        for (const w of waiters.splice(0)) if (w.method === m.method) w.resolve();
          else waiters.push(w);
      }
    });
    const send = (method: string, params: Record<string, unknown> = {}): Promise<any> =>
      new Promise((resolve, reject) => {
        pending.set(++id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    await send('Runtime.enable');
    await send('Log.enable');
    await send('Network.enable');
    await send('Page.enable');
    const loaded = new Promise<void>((resolve) => waiters.push({ method: 'Page.loadEventFired', resolve }));
    await send('Page.navigate', { url });
    await loaded;
    const evald = (await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as { result: { value: unknown }; exceptionDetails?: unknown };
    if (evald.exceptionDetails) throw new Error(`evaluation failed: ${JSON.stringify(evald.exceptionDetails)}`);
    const shot = (await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })) as { data: string };
    ws.close();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    for (const e of events) {
      if (e.method === 'Runtime.consoleAPICalled' && (e.params.type === 'error' || e.params.type === 'assert')) consoleErrors.push(JSON.stringify(e.params.args));
      if (e.method === 'Runtime.exceptionThrown') consoleErrors.push(JSON.stringify(e.params.exceptionDetails));
      if (e.method === 'Log.entryAdded' && (e.params.entry as { level: string }).level === 'error') consoleErrors.push(JSON.stringify(e.params.entry));
      if (e.method === 'Network.requestWillBeSent') requests.push((e.params.request as { url: string }).url);
    }
    return { consoleErrors, requests, value: evald.result.value, screenshot: Buffer.from(shot.data, 'base64') };
  } finally {
    proc.kill('SIGKILL');
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    // Chromium's helper processes may still be writing the profile after the browser exits
    // (ENOTEMPTY, seen on a loaded machine even after a second of retries): retry for longer,
    // then leave the directory behind rather than fail a test whose checks all passed.
    for (let attempt = 0; ; attempt++) {
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        break;
      } catch (e) {
        if (attempt >= 5) {
          process.stderr.write(`chromium profile ${profile} not removed: ${(e as Error).message}\n`);
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
