import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../proxy/config/tokenize.js';
import { resolve } from '../../proxy/config/resolve.js';
import { ProxyErrorCode } from '../../proxy/errors.js';

const BASE = `
global
  log 127.0.0.1:5514 len 4096 local0
defaults
  mode http
  log global
  option httplog
  timeout connect 1s
  timeout client 3s
  timeout server 5s
`;

function alerts(text: string): string[] {
  const r = resolve([{ file: 'h.cfg', text }]);
  return r.diagnostics.filter((d) => d.level === 'alert').map((d) => (d.level === 'alert' ? `${d.error.code} ${d.error.message}` : ''));
}

test('tokenizer follows HAProxy quoting, escaping and comments', () => {
  const t = tokenize(
    [
      `  acl a path_beg /x   # comment`,
      `http-request set-header X-A "a b"c'd e'`,
      `http-request set-header X-B a\\ b\\#c`,
      `x "\\x41\\t" 'lit\\n' "\${HX_T}"`,
      `# full comment`,
      `bad "unterminated`,
    ].join('\n'),
    'f.cfg',
    { HX_T: 'env' },
  );
  assert.deepEqual(
    t.lines.map((l) => l.args),
    [
      ['acl', 'a', 'path_beg', '/x'],
      ['http-request', 'set-header', 'X-A', 'a bcd e'],
      ['http-request', 'set-header', 'X-B', 'a b#c'],
      ['x', 'A\t', 'lit\\n', 'env'],
    ],
  );
  assert.equal(t.errors.length, 1);
  assert.equal(t.errors[0]!.code, ProxyErrorCode.E_CONFIG_SYNTAX);
  assert.match(t.errors[0]!.message, /^parsing \[f\.cfg:6\] : unmatched quote/);
});

test('a valid configuration resolves to a frozen config with inherited defaults', () => {
  const r = resolve([
    {
      file: 'h.cfg',
      text:
        BASE +
        `
frontend fe
  bind 127.0.0.1:8080
  bind [::1]:8080,127.0.0.1:8081
  capture request header Host len 40
  capture cookie SID len 32
  acl api path_beg -i /api/ /v2/
  http-request deny deny_status 400 if { path_sub .. } || !api
  use_backend bk_api if api
  default_backend bk_app
backend bk_app
  balance hdr(Host)
  server a 127.0.0.1:9001 weight 3 maxconn 10
  server b [::1]:9002 backup
backend bk_api
  retries 1
  timeout server 2s
  server c 127.0.0.1:9003 disabled
`,
    },
  ]);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.level === 'alert'),
    [],
  );
  const c = r.config!;
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.frontends[0]) && Object.isFrozen(c.frontends[0]!.binds));
  const fe = c.frontends[0]!;
  assert.deepEqual(
    fe.binds.map((b) => `${b.address.host}|${b.address.port}|${b.address.family}`),
    ['127.0.0.1|8080|4', '::1|8080|6', '127.0.0.1|8081|4'],
  );
  assert.equal(fe.logs.length, 1);
  assert.equal(fe.logs[0]!.len, 4096);
  assert.equal(fe.logs[0]!.facility, 16);
  assert.equal(fe.timeouts.client, 3000);
  assert.equal(fe.timeouts.httpRequest, 3000, 'http-request defaults to client');
  const api = c.backends.get('bk_api')!;
  assert.equal(api.retries, 1);
  assert.equal(api.timeouts.server, 2000);
  assert.equal(api.timeouts.queue, 1000, 'queue defaults to connect');
  const app = c.backends.get('bk_app')!;
  assert.deepEqual(app.balance, { algorithm: 'hdr', arg: 'host' });
  assert.deepEqual(
    app.servers.map((s) => [s.name, s.weight, s.maxconn, s.backup, s.address.host]),
    [
      ['a', 3, 10, false, '127.0.0.1'],
      ['b', 1, 0, true, '::1'],
    ],
  );
  assert.equal(fe.httpRequestRules[0]!.action, 'deny');
});

test('unknown keywords are located, coded and get a suggestion', () => {
  const got = alerts(BASE + `backend b\n  balanse roundrobin\n  server s 127.0.0.1:1\nfrontend f\n  bind :80\n  optoin httplog\n  default_backend bb\n`);
  assert.deepEqual(got, [
    `E_CONFIG_UNKNOWN_KEYWORD parsing [h.cfg:12] : unknown keyword 'balanse' in 'backend' section; did you mean 'balance'?`,
    `E_CONFIG_UNKNOWN_KEYWORD parsing [h.cfg:16] : unknown keyword 'optoin' in 'frontend' section; did you mean 'option'?`,
    `E_CONFIG_UNKNOWN_BACKEND parsing [h.cfg:17] : frontend 'f' : unable to find required backend 'bb'; did you mean 'b'?`,
  ]);
});

test('every problem is reported at once, with its own code', () => {
  const got = alerts(
    BASE +
      `frontend f
  bind 127.0.0.1:80 accept-proxy
  option logasap
  option dontlogull
  timeout clinet 1s
  http-request tarpit
  use_backend b if nosuchacl
  capture request header Host
  acl x path_regex ^/a
  stats admin if TRUE
  email-alert from x@y
backend b
  server s 127.0.0.1:1 send-proxy
  balance random
  timeout client 1s
peers p
`,
  );
  const codes = got.map((g) => g.split(' ')[0]);
  assert.deepEqual(codes, [
    'E_CONFIG_UNSUPPORTED',
    'E_CONFIG_UNSUPPORTED',
    'E_CONFIG_UNKNOWN_KEYWORD',
    'E_CONFIG_UNKNOWN_KEYWORD',
    'E_CONFIG_BAD_VALUE',
    'E_CONFIG_UNKNOWN_ACL',
    'E_CONFIG_MISSING_ARG',
    'E_CONFIG_BAD_ACL',
    'E_CONFIG_UNSUPPORTED',
    'E_CONFIG_UNSUPPORTED',
    'E_CONFIG_UNSUPPORTED',
    'E_CONFIG_BAD_VALUE',
    'E_CONFIG_WRONG_SECTION',
    'E_CONFIG_UNSUPPORTED',
    'E_CONFIG_NO_LISTENER', // the only bind was refused
  ]);
  assert.match(got[2]!, /did you mean 'option dontlognull'\?/);
  assert.match(got[3]!, /did you mean 'client'\?/);
});

test('a tcp frontend (the default mode) on an http backend, missing bind and no frontend are refused', () => {
  assert.match(alerts(`frontend f\n  bind :80\n  default_backend b\nbackend b\n  mode http\n`)[0]!, /^E_CONFIG_UNSUPPORTED parsing \[h.cfg:3\] : tcp frontend 'f' uses http backend 'b'/);
  assert.match(alerts(BASE + `frontend f\n`)[0]!, /^E_CONFIG_NO_LISTENER parsing \[h.cfg:11\] : frontend 'f' has no 'bind'/);
  assert.match(alerts(BASE + `backend b\n`)[0]!, /^E_CONFIG_NO_LISTENER .*no listener/);
});

test('every samples/proxy-*.cfg is a valid configuration', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { resolveFiles } = await import('../../proxy/config/resolve.js');
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../samples');
  const files = fs.readdirSync(dir).filter((f) => /^proxy-.*\.cfg$/.test(f));
  assert.ok(files.length >= 2);
  for (const f of files) {
    const r = resolveFiles([path.join(dir, f)]);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.level === 'alert').map((d) => (d.level === 'alert' ? d.error.message : '')),
      [],
      f,
    );
  }
});
