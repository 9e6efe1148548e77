/**
 * The built-in rule set: plain data, the same shape as a `--rules` file (docs/detection.md
 * documents every field; `haloscope detect --print-rules` prints this as JSON to start from).
 *
 * Scores add up per client: >= verdicts.suspicious flags it, >= verdicts.malicious calls it
 * malicious. A rule's score is chosen so that what is an attack on its own (a flood, a brute
 * force, a slowloris) reaches "malicious" alone, a single strong probe family reaches
 * "suspicious", and weak hints (an admin URL, a few denies) only count together with others.
 */
import type { DetectRules } from './rules.js';

export const DEFAULT_RULES: DetectRules = {
  verdicts: { suspicious: 5, malicious: 10 },
  evidencePerRule: 3,
  staticExtensions: [
    '.css', '.js', '.mjs', '.map', '.png', '.jpg', '.jpeg', '.gif', '.svg', '.ico', '.webp', '.avif', '.bmp',
    '.woff', '.woff2', '.ttf', '.otf', '.eot', '.mp3', '.mp4', '.wav', '.webm',
  ],
  captures: ['Host', 'User-Agent', 'Referer'],
  // Memory is bounded by the clients active in the last hour: longer than every window and
  // than the gaps of a low-and-slow prober (corpus: one request every ~6 s).
  evictIdleSeconds: 3600,
  rules: {
    'scan.paths': {
      enabled: true,
      score: 6,
      // Distinct paths answered 400/403/404/405 (or denied/tarpitted by HAProxy).
      minDistinct: 20,
      // ... and at least this share of the client's HTTP requests were such errors.
      minErrorRatio: 0.3,
      statuses: [400, 403, 404, 405],
    },
    'crawl.aggressive': {
      enabled: true,
      score: 5,
      // New distinct non-static paths within any window of this many seconds.
      windowSeconds: 10,
      minDistinct: 40,
      // ... and at most this share of its requests were static assets: a browser (or many
      // browsers behind one NAT) loads the CSS, scripts and images of the pages it reads; a
      // crawler or a scanner does not.
      maxStaticRatio: 0.1,
    },
    'probe.sensitive-files': {
      enabled: true,
      score: 5,
      target: 'path',
      onlyErrors: false,
      minDistinct: 2,
      patterns: [
        '/.env$', '/.env.', '/.git/', '/.git$', '/.svn/', '/.hg/', '/.bzr/', '/.ds_store', '/.aws/', '/.ssh/', 'id_rsa',
        'id_dsa', '/.htpasswd', '/.htaccess', '/.npmrc', '/.dockerenv', '/.docker/', '/.kube/', '/.bash_history',
        '/wp-config.php', 'web.config', '/.vscode/', '/.idea/', '/docker-compose.yml', '/config.php.bak', '.sql$',
        '.sql.gz', '.sql.zip', '.bak$', '.old$', '.swp$', '~$', '/backup.zip', '/backup.tar', '/www.zip', '/site.zip',
        '/dump.rdb', '/.well-known/../', '/etc/passwd', '/etc/shadow', '/proc/self/', '/credentials$', '/secrets.',
        '/phpinfo.php', '/info.php', '/server-info', '/.terraform', '/meta-inf/', '/web-inf/',
      ],
    },
    'probe.path-traversal': {
      enabled: true,
      score: 6,
      target: 'full',
      onlyErrors: false,
      minDistinct: 2,
      patterns: [
        '../', '/..$', '..;/', '/etc/passwd', '/etc/shadow', '/etc/hosts', 'boot.ini', 'win.ini', '/proc/self/environ',
        'c:/windows', '\u0000', 'file://', 'php://filter', 'php://input', 'zip://', 'expect://', 'data://text',
      ],
    },
    'probe.sqli': {
      enabled: true,
      score: 6,
      target: 'full',
      onlyErrors: false,
      minDistinct: 2,
      patterns: [
        'union select', 'union all select', 'union distinct select', 'select * from', ' from dual', 'information_schema',
        'sleep(', 'pg_sleep', 'benchmark(', 'waitfor delay', 'dbms_pipe', 'extractvalue(', 'updatexml(', 'xmltype(',
        'utl_inaddr', 'load_file(', 'into outfile', 'into dumpfile', '@@version', 'xp_cmdshell', 'sysobjects',
        "' or '", "' or 1", '" or "', ' or 1=1', "' and '", ' and 1=1', ' and 1=2', 'order by 1--', "'--", "')--", ')--',
        '/**/', ';select ', '; select ', 'chr(', 'char(', 'concat(0x', 'case when', 'cast((', "'=", '(select ',
      ],
    },
    'probe.xss': {
      enabled: true,
      score: 6,
      target: 'full',
      onlyErrors: false,
      minDistinct: 2,
      patterns: [
        '<script', '</script', 'javascript:', 'vbscript:', 'onerror=', 'onload=', 'onmouseover=', 'onfocus=', 'onclick=',
        '<img', '<svg', '<iframe', '<body', '<object', '<embed', 'alert(', 'prompt(', 'confirm(', 'document.cookie',
        'document.domain', 'string.fromcharcode', "'><", '"><', 'expression(',
      ],
    },
    'probe.cmd-injection': {
      enabled: true,
      score: 6,
      target: 'full',
      onlyErrors: false,
      minDistinct: 2,
      patterns: [
        ';id;', ';id$', '|id$', '|id;', '`id`', '$(id)', ';uname', '|uname', '$(uname', '`uname', ';cat ', '|cat ', 'cat /etc/',
        ';wget ', 'wget http', 'curl http', ';curl ', '|curl ', '/bin/sh', '/bin/bash', 'cmd.exe', 'powershell', 'nc -e',
        ';ls ', '|ls ', '&& ', '${ifs}', 'cd /tmp', 'cd+/tmp', 'chmod 777', 'chmod +x', '${jndi:', 'xp_cmdshell',
        'system(', 'passthru(', 'shell_exec(', 'eval(', 'base64_decode(', '() {',
      ],
    },
    'probe.backdoor': {
      enabled: true,
      score: 6,
      target: 'path',
      onlyErrors: false,
      minDistinct: 1,
      patterns: [
        '/shell.php', '/shell.jsp', '/shell.aspx', '/cmd.php', '/cmd.jsp', '/c99.php', '/r57.php', '/wso.php', '/wso2.php',
        '/alfa.php', '/b374k', '/webshell', '/up.php', '^/upload.php$', '/uploader.php', '/indoxploit', '/mini.php',
        '/wp-content/plugins/hellopress/', '/eval-stdin.php', '/1.php', '/x.php', '/z.php', '/bypass.php', '/sh.php',
        '/leaf.php', '/adminer.php', '/fm.php', '/filemanager.php', '/0x.php', '/wp-content/uploads/shell',
      ],
    },
    'probe.admin': {
      enabled: true,
      score: 3,
      target: 'path',
      // Staff use their admin pages: a 2xx/3xx there is not a probe (CrowdSec: 403/404 only).
      onlyErrors: true,
      minDistinct: 2,
      patterns: [
        '^/admin', '^/administrator', '/wp-admin', '/wp-login.php', '/xmlrpc.php', '/phpmyadmin', '/pma/', '/myadmin',
        '/mysqladmin', '/adminer', '/manager/html', '/host-manager', '/console$', '/jmx-console', '/web-console',
        '/solr/admin', '/server-status', '/server-info', '/cpanel', '/webadmin', '/admin.php', '/admin/config.php',
        '/_profiler', '/actuator', '/jenkins', '/script$', '/user/login', '/typo3', '/joomla', '/administrator/',
        '/login.action', '/owa/', '/ecp/', '/remote/login', '/boaform/admin', '/setup.php', '/install.php',
      ],
    },
    'probe.cve': {
      enabled: true,
      score: 6,
      target: 'full',
      onlyErrors: false,
      minDistinct: 1,
      patterns: [
        '/vendor/phpunit/phpunit/src/util/php/eval-stdin.php', '/boaform/admin/formlogin', '/hnap1', '/cgi-bin/luci',
        '/owa/auth/logon.aspx', '/autodiscover/autodiscover.json', '/ecp/default.flt', '/solr/admin/info/system',
        '/actuator/env', '/actuator/gateway/routes', '/api/v1/pods', '/remote/login', '/remote/fgt_lang', '/shell?cd ',
        '/cgi-bin/./../', '/cgi-bin/../', '/icons/./../', '/_ignition/execute-solution', '/mgmt/tm/util/bash',
        '/wls-wsat/', '/_async/asyncresponseservice', '/console/css/../console.portal', '/struts2-showcase', '.action?', 'class.module.classloader',
        '${jndi:', '/setup.cgi?next_file=netgear.cfg', '/gponform/diag_form', '/tmui/login.jsp', '/vpn/../vpns/',
        '/+cscoe+/', '/dana-na/', '/sslvpn_logon', '/global-protect/login.esp', '/ui/vropspluginui/',
        '/cgi-bin/kerbynet', '/goform/', '/picsdesc.xml', '/device.rsp', '/cgi-bin/config.exp', '/wp-content/plugins/wp-file-manager/',
        '/jars/upload', '/nice ports,/trinity.txt.bak', '/sdk$', '/evox/about',
        '/geoserver/web/', '/druid/index.html', '/hudson', '/invoker/jmxinvokerservlet', '/cgi-bin/php', '/php-cgi/php-cgi.exe',
        // What every internet-facing server is sent each day by botnets and mass scanners: one
        // request each, the exploit in the request itself.
        // (Not the paths that real applications also call: Telerik's upload handler, Liferay's
        // JSON API, Xdebug's trigger, a Docker UI's `/api/.../containers/json`.)
        'invokefunction&function=', 'call_user_func_array', '/ctrlt/deviceupgrade_1', '/ws/v1/cluster/apps/new-application',
        '/mifs/.;/', '/tmunblock.cgi', 'mainfunction.cgi?action=login&keypath=', '/login.cgi?cli=',
        '/developmentserver/metadatauploader', 'allow_url_include', 'auto_prepend_file', '/pearcmd', 'content=<php>',
        '169.254.169.254', 'metadata.google.internal', '/api/v2/cmdb/system/admin', '^/containers/json', '/_/;/meta-inf/',
      ],
      // Exploits sent in the User-Agent rather than the URL (matched once per distinct
      // User-Agent): Log4Shell (CVE-2021-44228) lookups, plain and nested, and Shellshock
      // (CVE-2014-6271) function definitions.
      headerPatterns: ['${jndi:', '${${', '${env:', '${lower:', '${upper:', '${sys:', '${date:', '() {'],
    },
    'bruteforce.auth': {
      enabled: true,
      score: 10,
      // Authentication failures (these statuses) within any window of this many seconds.
      windowSeconds: 60,
      minFailures: 20,
      // ...and they are at least this share of the client's HTTP requests: an app whose token
      // expired gets a run of 401s between its 200s; a password guesser gets little else.
      minFailureRatio: 0.5,
      statuses: [401, 407],
      // A 403 counts as an auth failure only when a server sent it (HAProxy's own denies are
      // policy, counted by proxy.denied).
      serverForbiddenCounts: true,
      // POSTs to these login endpoints (patterns, as for probes) within the window, whatever the
      // status: form logins answer 200/302 to a wrong password.
      authPaths: [
        '/wp-login.php', '/xmlrpc.php', '/login$', '/signin$', '/sign_in$', '/sign-in$', '/auth/login', '^/user/login',
        '^/users/sign_in', '^/account/login', '^/api/login', '^/api/auth', '^/session$', '^/oauth/token',
        '/administrator/index.php', '/j_security_check',
      ],
      minLoginPosts: 30,
      // Slow guessing: login POSTs within any window of slowWindowSeconds, when they are at
      // least slowMinShare of the client's HTTP requests. A guesser that stays under
      // minLoginPosts a minute still sends hundreds an hour, and little else (a credential
      // stuffer that fetches the form for its CSRF token first: half); a login monitor checks
      // once a minute at most, and people behind one address mostly read pages.
      slowWindowSeconds: 3600,
      slowMinLoginPosts: 100,
      slowMinShare: 0.3,
    },
    'flood.requests': {
      enabled: true,
      score: 10,
      windowSeconds: 10,
      // New connections (a client port not seen within connectionReuseSeconds) per window:
      // a request flood without keep-alive opens one connection per request.
      minNewConnections: 500,
      // Requests per window whatever the connection reuse: only floods far above what any
      // keep-alive API client does.
      minRequests: 5000,
      connectionReuseSeconds: 30,
      // When at least minQueuedRatio of the client's requests waited in a queue (Tw > 0 or a
      // server/backend queue: the servers were saturated), the limits are multiplied by
      // queuedFactor: a flood that hurts is a flood sooner.
      minQueuedRatio: 0.1,
      queuedFactor: 0.5,
    },
    'slow.client': {
      enabled: true,
      score: 8,
      // Requests that never completed: timed out (cR, 408) or abandoned after slowMs (CR).
      minCount: 10,
      minRatio: 0.5,
      slowMs: 500,
      // Complete requests whose headers took this long (TR) count too; far above what a slow
      // mobile link needs for one packet of headers.
      slowHeadersMs: 5000,
    },
    'proto.bad-requests': {
      enabled: true,
      score: 6,
      // <BADREQ> connections closed at once (CR, Ta < slow.client.slowMs), 400s from the proxy
      // that are not denies, invalid HTTP versions, and empty TCP sessions closed by the client.
      minCount: 10,
      minRatio: 0.5,
      // A client whose only traffic is TCP sessions, spread over at least this long at no more
      // than MONITOR_MAX_RATE a second, is a health checker (a load balancer, a monitor), not a
      // probe: a scan is over in seconds and sends a port nothing after its first connect. 0 = off.
      monitorMinSpanSeconds: 600,
    },
    'proto.open-proxy': {
      enabled: true,
      score: 6,
      minCount: 1,
    },
    'ua.scanner': {
      enabled: true,
      // Below verdicts.suspicious on purpose: a user agent is trivially forged (and some
      // monitoring sets tool names); alone it does not flag, with any other rule it does.
      score: 4,
      patterns: [
        'sqlmap', 'nikto', 'gobuster', 'dirbuster', 'dirb/', '(dirb', 'wfuzz', 'ffuf', 'feroxbuster', 'nmap', 'masscan',
        'zgrab', 'nuclei', 'hydra', 'medusa', 'acunetix', 'nessus', 'openvas', 'w3af', 'whatweb', 'wpscan', 'joomscan',
        'arachni', 'skipfish', 'zmeu', 'morfeus', 'jorgee', 'netsparker', 'appscan', 'burpcollaborator', 'commix',
        'xsstrike', 'fimap', 'havij', 'pangolin', 'nmap scripting engine', 'internet-measurement',
        'l9explore', 'l9tcpid', 'censysinspect', 'expanse', 'zoomeye',
      ],
    },
    'proxy.denied': {
      enabled: true,
      score: 4,
      // Requests HAProxy itself denied (PR) or tarpitted (PT).
      minCount: 5,
      minRatio: 0.1,
    },
  },
};
