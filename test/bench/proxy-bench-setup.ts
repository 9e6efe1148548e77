/**
 * What the proxy benchmarks (proxy-vs-haproxy, proxy-gc-count) run: one configuration for
 * HAProxy and ours, and the script that starts our proxy from a build's output directory, so
 * that allocation counts and throughput figures are taken on the same setup.
 */
import path from 'node:path';

/**
 * The benchmark's configuration: nbthread 1, UDP logging; `http`: httplog, keep-alive on both
 * sides; `tcp`: tcplog, with longer client and server timeouts for its long-lived connections.
 */
export function benchConfig(port: number, be: number, syslog: number, mode: 'http' | 'tcp' = 'http'): string {
  const http = mode === 'http';
  const timeout = http ? '10s' : '30s';
  return `
global
  log 127.0.0.1:${syslog} local0
  nbthread 1
  maxconn 4096
defaults
  mode ${mode}
  log global
  option ${http ? 'httplog' : 'tcplog'}
${http ? '  option http-keep-alive\n' : ''}  timeout connect 1s
  timeout client ${timeout}
  timeout server ${timeout}
frontend fe
  bind 127.0.0.1:${port}
  default_backend b
backend b
  server s1 127.0.0.1:${be}
`;
}

/** `node -e` source that runs our proxy on `text`; `dist`: another build's output directory, else this one's. */
export function oursScript(text: string, dist?: string): string {
  const base = dist ? new URL(`file://${path.resolve(dist)}/`) : new URL('../../', import.meta.url);
  const url = new URL('proxy/config/resolve.js', base).href;
  const rt = new URL('proxy/runtime.js', base).href;
  return `
const { resolve } = await import(${JSON.stringify(url)});
const { startProxy } = await import(${JSON.stringify(rt)});
const r = resolve([{ file: 'bench.cfg', text: ${JSON.stringify(text)} }]);
const p = await startProxy(r.config);
process.on('SIGTERM', () => { p.stop(); process.exit(0); });
`;
}
