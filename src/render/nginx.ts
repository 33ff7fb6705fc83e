// nginx.conf and the site (conf.d/default.conf) as data, for the Nginx version the plan targets.
// The official image's contract: /etc/nginx/nginx.conf, conf.d/*.conf included in http{}, user nginx.
import type { Plan } from '../domain/plan.js';
import { b, blank, c, d, toNginx, withComment, type NginxDirective } from './format/nginx.js';
import { NGINX_ACCESS_LOG, NGINX_ERROR_LOG, NGINX_LOG_FORMAT, NGINX_LOG_FORMAT_NAME, RATE_LIMIT_STATUS } from './nginx-log.js';
import { CONTAINER, CUSTOM_CERT, HOST, NGINX_HEALTH_PATH, SELF_SIGNED_CERT } from './paths.js';
import { file, presetHeader, type RenderedFile } from './types.js';

type N = NginxDirective;

/** Mozilla "intermediate" (guidelines 6.0): TLS 1.2 + 1.3; for 1.2 only ECDHE with AES-GCM or ChaCha20 (DHE dropped in 6.0). */
export const TLS_PROTOCOLS = ['TLSv1.2', 'TLSv1.3'] as const;
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;
/** Groups every OpenSSL 3.0 knows (the official image's Debian base); the hybrid PQ group would fail to load there. */
export const TLS_CURVES = 'X25519:prime256v1:secp384r1';
/** Two years, as Mozilla recommends; no includeSubDomains: other hosts of the domain may still be plain HTTP. */
export const HSTS = 'max-age=63072000';

/** Request-rate limits; each figure is per client address (the real one when realIp is set). */
export const RATE_LIMITS = {
  // A page load fires 10–30 API calls at once: the burst absorbs that, 20/s sustained stops scrapers.
  api: { rate: '20r/s', burst: 40 },
  // A person logs in a few times a minute at most; a password guesser gets 429 after 5 quick tries.
  login: { rate: '10r/m', burst: 5 },
  // Concurrent connections per address: browsers open 6 per host, offices share one address behind NAT.
  connPerIp: 64,
  // 10 MiB of state per zone holds about 160 000 addresses (64 bytes each).
  zoneSize: '10m',
} as const;

/** Long-lived streams (SSE, WebSocket): an hour without traffic before Nginx closes them. */
const STREAM_TIMEOUT = '1h';

// Every directive below exists in the floor version (VERSION_FLOORS.nginx, refused below it by the
// answers schema); two switches are left: the http2 syntax, which changed in 1.25.1, and how the
// app's address is followed (`resolve` on an upstream server from 1.27.3, plan.nginx.appDns).
const http2Directive = (plan: Plan) => plan.nginx.http2 === 'directive';

const tlsOn = (plan: Plan) => plan.nginx.tls !== 'none';

/** Where nginx finds the certificate and key inside its container, per TLS mode. */
export function certificatePaths(plan: Plan): { cert: string; key: string } | null {
  const n = plan.nginx;
  switch (n.tls) {
    case 'none':
      return null;
    case 'letsencrypt':
      return { cert: `${CONTAINER.letsencrypt}/live/${n.domain}/fullchain.pem`, key: `${CONTAINER.letsencrypt}/live/${n.domain}/privkey.pem` };
    case 'self-signed':
      return { cert: `${CONTAINER.nginxCerts}/${SELF_SIGNED_CERT.cert}`, key: `${CONTAINER.nginxCerts}/${SELF_SIGNED_CERT.key}` };
    case 'custom':
      return { cert: `${CONTAINER.nginxCerts}/${CUSTOM_CERT.cert}`, key: `${CONTAINER.nginxCerts}/${CUSTOM_CERT.key}` };
  }
}

// ---------------------------------------------------------------- nginx.conf

export function nginxMainConf(plan: Plan): N[] {
  const n = plan.nginx;
  return [
    // The official image's unprivileged worker user.
    d('user', 'nginx'),
    withComment(d('worker_processes', n.workerProcesses), 'One worker per CPU of the container limit ("auto" would count the host\'s cores).'),
    withComment(d('worker_rlimit_nofile', n.workerRlimitNofile), 'Two descriptors per proxied connection (client + upstream).'),
    d('pid', '/var/run/nginx.pid'),
    // warn: keeps limit_req/limit_conn rejections (logged at error) and drops the notice chatter.
    d('error_log', `${CONTAINER.nginxLogs}/${NGINX_ERROR_LOG}`, 'warn'),
    blank,
    b('events', [], [d('worker_connections', n.workerConnections), d('multi_accept', 'on')]),
    blank,
    b('http', [], [
      d('include', '/etc/nginx/mime.types'),
      d('default_type', 'application/octet-stream'),
      blank,
      withComment(d('log_format', NGINX_LOG_FORMAT_NAME, NGINX_LOG_FORMAT), 'The fail2ban filters parse this format (src/render/nginx-log.ts).'),
      d('access_log', `${CONTAINER.nginxLogs}/${NGINX_ACCESS_LOG}`, NGINX_LOG_FORMAT_NAME),
      blank,
      d('sendfile', 'on'),
      d('tcp_nopush', 'on'),
      d('tcp_nodelay', 'on'),
      d('server_tokens', 'off'),
      withComment(d('keepalive_timeout', '30s'), 'Idle client connections are cheap, but not free: 30 s covers a page\'s follow-up requests.'),
      d('keepalive_requests', 1000),
      withComment(d('client_header_timeout', '15s'), 'Slow-request (slowloris) protection: clients must send headers and body at a usable pace.'),
      d('client_body_timeout', '30s'),
      d('send_timeout', '30s'),
      d('reset_timedout_connection', 'on'),
      d('client_max_body_size', n.clientMaxBodySize),
      d('server_names_hash_bucket_size', 128),
      blank,
      withComment(d('limit_req_status', RATE_LIMIT_STATUS), 'Rejections by limit_req/limit_conn answer 429 and are logged with it.'),
      d('limit_conn_status', RATE_LIMIT_STATUS),
      blank,
      d('gzip', 'on'),
      d('gzip_vary', 'on'),
      d('gzip_proxied', 'any'),
      withComment(d('gzip_comp_level', 5), 'Level 5: most of level 9\'s saving for a fraction of its CPU.'),
      d('gzip_min_length', 1024),
      // text/event-stream is deliberately absent: compressing a stream buffers it.
      d('gzip_types', 'text/plain', 'text/css', 'text/xml', 'text/javascript', 'application/javascript', 'application/json',
        'application/xml', 'application/rss+xml', 'application/manifest+json', 'application/wasm', 'image/svg+xml', 'font/ttf', 'font/otf'),
      blank,
      d('include', `${CONTAINER.nginxConfD}/*.conf`),
    ]),
  ];
}

// ---------------------------------------------------------------- the site

/** Security headers added only where the app sent none (the map below), on every response code. */
function securityHeaders(plan: Plan): N[] {
  const h: N[] = [
    d('add_header', 'X-Content-Type-Options', '$sw_nosniff', 'always'),
    d('add_header', 'X-Frame-Options', '$sw_frame_options', 'always'),
    d('add_header', 'Referrer-Policy', '$sw_referrer_policy', 'always'),
  ];
  if (tlsOn(plan)) h.push(d('add_header', 'Strict-Transport-Security', '$sw_hsts', 'always'));
  return h;
}

/** Header defaults: an empty value makes add_header send nothing, so the app's own header wins. */
function headerMaps(plan: Plan): N[] {
  const m = (upstream: string, variable: string, value: string) =>
    b('map', [`$upstream_http_${upstream}`, variable], [d('', value), d('default', '')]);
  const maps = [
    m('x_content_type_options', '$sw_nosniff', 'nosniff'),
    m('x_frame_options', '$sw_frame_options', 'SAMEORIGIN'),
    m('referrer_policy', '$sw_referrer_policy', 'strict-origin-when-cross-origin'),
  ];
  if (tlsOn(plan)) maps.push(m('strict_transport_security', '$sw_hsts', HSTS));
  return maps;
}

/** Docker's embedded DNS server, inside every container on a user-defined network. */
export const DOCKER_DNS = '127.0.0.11';
/**
 * How long Nginx keeps an answer about `app`: an update waits this long (plus a second) after the
 * new container joins the name before it stops the old one, so every worker knows the new address.
 */
export const APP_DNS_VALID_S = 2;

/** Where requests to the app go: the upstream (re-resolved by Nginx ≥ 1.27.3), else `app` by the resolver per request. */
function appTarget(plan: Plan): N[] {
  if (plan.nginx.appDns === 'upstream') return [d('proxy_pass', 'http://app_upstream')];
  // A variable makes Nginx ask the resolver (cached for `valid`) instead of resolving once at start.
  return [d('set', '$sw_app', 'app'), d('proxy_pass', `http://$sw_app:${plan.app.port}`)];
}

function proxyHeaders(plan: Plan, upgrade: boolean): N[] {
  const real = plan.nginx.realIp !== null;
  return [
    ...appTarget(plan),
    d('proxy_http_version', '1.1'),
    // Keep-alive to the app needs an empty Connection header; WebSocket needs the upgrade passed on.
    ...(upgrade
      ? [d('proxy_set_header', 'Upgrade', '$http_upgrade'), d('proxy_set_header', 'Connection', '$connection_upgrade')]
      : [d('proxy_set_header', 'Connection', '')]),
    d('proxy_set_header', 'Host', '$host'),
    // The client's address: the realip module has rewritten it only for connections from a trusted proxy.
    d('proxy_set_header', 'X-Real-IP', '$remote_addr'),
    // From a trusted proxy its chain and its scheme are kept (maps in httpLevel); from anyone else both are replaced, never believed.
    d('proxy_set_header', 'X-Forwarded-For', real ? '$sw_forwarded_for' : '$remote_addr'),
    d('proxy_set_header', 'X-Forwarded-Proto', real ? '$sw_forwarded_proto' : '$scheme'),
    d('proxy_set_header', 'X-Forwarded-Host', '$host'),
  ];
}

function dotfileDeny(): N {
  // .git, .env and friends are never served; .well-known (ACME, security.txt) is.
  return b('location', ['~', '/\\.(?!well-known/)'], [d('deny', 'all')]);
}

function appLocation(path: string, exact: '^~' | '', body: N[], comment?: string): N {
  const args = exact ? [exact, path] : [path];
  return b('location', args, [...body, ...(exact ? [dotfileDeny()] : [])], comment);
}

function apiBody(plan: Plan): N[] {
  return [
    d('limit_req', 'zone=sw_api', `burst=${RATE_LIMITS.api.burst}`, 'nodelay'),
    ...proxyHeaders(plan, false),
  ];
}

function streamTimeouts(): N[] {
  return [d('proxy_read_timeout', STREAM_TIMEOUT), d('proxy_send_timeout', STREAM_TIMEOUT)];
}

/** Login paths that reach the app: with a front end, those outside the API prefix are its own pages. */
export function loginPathsProxied(plan: Plan): string[] {
  const n = plan.nginx;
  return n.frontendDir ? n.loginPaths.filter((p) => p.startsWith(n.apiPrefix)) : [...n.loginPaths];
}

/** The locations of the app's server: logins, streams, WebSockets, the API, the front end. */
function appLocations(plan: Plan): N[] {
  const n = plan.nginx;
  const out: N[] = [];
  for (const p of loginPathsProxied(plan)) {
    out.push(
      appLocation(
        p,
        '^~',
        [
          d('limit_req', 'zone=sw_api', `burst=${RATE_LIMITS.api.burst}`, 'nodelay'),
          d('limit_req', 'zone=sw_login', `burst=${RATE_LIMITS.login.burst}`, 'nodelay'),
          ...proxyHeaders(plan, false),
        ],
        'Login: the strict limit on submissions (POST and the like); reading the page is not limited by it.',
      ),
    );
  }
  for (const p of n.ssePaths) {
    out.push(
      appLocation(
        p,
        '^~',
        [
          d('limit_req', 'zone=sw_api', `burst=${RATE_LIMITS.api.burst}`, 'nodelay'),
          ...proxyHeaders(plan, false),
          d('proxy_buffering', 'off'),
          d('proxy_cache', 'off'),
          d('gzip', 'off'),
          ...streamTimeouts(),
        ],
        'Server-sent events: every event goes out as it arrives (no buffering, no compression), and idle streams live an hour.',
      ),
    );
  }
  for (const p of n.websocketPaths) {
    out.push(
      appLocation(
        p,
        '^~',
        [d('limit_req', 'zone=sw_api', `burst=${RATE_LIMITS.api.burst}`, 'nodelay'), ...proxyHeaders(plan, true), d('proxy_buffering', 'off'), ...streamTimeouts()],
        'WebSocket: the upgrade is passed through; idle sockets live an hour.',
      ),
    );
  }
  if (n.frontendDir) {
    out.push(appLocation(n.apiPrefix, '^~', apiBody(plan), 'The API goes to the app, ahead of any static file rule.'));
    out.push(
      b(
        'location',
        ['~*', '[.-](?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{8,}\\.(?:css|js|mjs|map|woff2?|ttf|otf|eot|svg|png|jpe?g|gif|webp|avif|ico)$'],
        [
          d('root', CONTAINER.frontend),
          d('try_files', '$uri', '=404'),
          d('access_log', 'off'),
          ...securityHeaders(plan),
          d('add_header', 'Cache-Control', 'public, max-age=31536000, immutable', 'always'),
        ],
        'Build output with a content hash in the name (app.3f2a1b4c.js, index-BxK3a9Zq.js): cached for a year, never revalidated.',
      ),
    );
    out.push(
      b(
        'location',
        ['/'],
        [
          d('root', CONTAINER.frontend),
          d('index', 'index.html'),
          // A single-page app: unknown paths get index.html and the client-side router takes over.
          d('try_files', '$uri', '$uri/', '/index.html'),
          ...securityHeaders(plan),
          d('add_header', 'Cache-Control', 'no-cache', 'always'),
        ],
        'The front end; index.html and other unhashed files are revalidated on every load so a deploy shows at once.',
      ),
    );
  } else {
    out.push(b('location', ['/'], apiBody(plan), 'Everything else goes to the app.'));
  }
  out.push(dotfileDeny());
  return out;
}

function healthLocation(): N {
  // stub_status answers in the content phase, after allow/deny (a `return` would skip them).
  return b('location', ['=', NGINX_HEALTH_PATH], [d('access_log', 'off'), d('allow', '127.0.0.1'), d('deny', 'all'), d('stub_status')],
    'The container healthcheck (docker-compose.yml), from inside the container only.');
}

function acmeLocation(): N {
  return b('location', ['^~', '/.well-known/acme-challenge/'], [d('root', CONTAINER.acmeWebroot), d('default_type', 'text/plain'), d('try_files', '$uri', '=404')],
    "Let's Encrypt http-01 challenges, written by certbot into the webroot.");
}

function listen(plan: Plan, port: 80 | 443, defaultServer: boolean): N[] {
  const args: (string | number)[] = [port];
  if (port === 443) {
    args.push('ssl');
    if (!http2Directive(plan)) args.push('http2');
  }
  if (defaultServer) args.push('default_server');
  const out = [d('listen', ...args)];
  if (port === 443 && http2Directive(plan)) out.push(d('http2', 'on'));
  return out;
}

function tlsServerSettings(plan: Plan): N[] {
  const cert = certificatePaths(plan)!;
  const out = [d('ssl_certificate', cert.cert), d('ssl_certificate_key', cert.key)];
  if (plan.nginx.tls === 'custom') {
    // Stapling only where a CA may still run OCSP; Let's Encrypt ended OCSP in 2025 and a self-signed cert has none.
    // Nginx finds the issuer in the certificate file's chain. No ssl_stapling_verify: it needs the CA's root
    // in ssl_trusted_certificate, which an operator's cert/key pair does not carry (a response signed by a
    // delegated OCSP responder would then never be stapled); the browser verifies the stapled response itself.
    out.push(d('ssl_stapling', 'on'));
  }
  return out;
}

/** TLS settings for every TLS server (http level): Mozilla intermediate. */
function tlsHttpSettings(): N[] {
  const out: N[] = [
    c("TLS: Mozilla's intermediate profile (guidelines 6.0)."),
    d('ssl_protocols', ...TLS_PROTOCOLS),
    d('ssl_ciphers', TLS12_CIPHERS.join(':')),
    d('ssl_ecdh_curve', TLS_CURVES),
    // The client picks among equally strong suites (ChaCha20 on phones without AES hardware).
    d('ssl_prefer_server_ciphers', 'off'),
    d('ssl_session_timeout', '1d'),
    d('ssl_session_cache', 'shared:SSL:10m'),
    // Tickets would need key rotation to keep forward secrecy; the shared cache resumes sessions instead.
    d('ssl_session_tickets', 'off'),
  ];
  return out;
}

function httpsRedirect(plan: Plan): N {
  const port = plan.ports.https === 443 ? '' : `:${plan.ports.https}`;
  const host = plan.nginx.domain ?? '$host';
  return b('location', ['/'], [d('return', 301, `https://${host}${port}$request_uri`)]);
}

function httpLevel(plan: Plan): N[] {
  const n = plan.nginx;
  const out: N[] = [];
  out.push(
    withComment(
      d('resolver', DOCKER_DNS, `valid=${APP_DNS_VALID_S}s`, 'ipv6=off'),
      "Docker's DNS: the app's containers come and go during an update, and Nginx follows them within `valid` (also OCSP for stapling).",
    ),
    d('resolver_timeout', '5s'),
    withComment(
      d('proxy_next_upstream', 'error', 'timeout'),
      'A container that has just gone refuses or drops the connection: the request goes to another one. Never non_idempotent: a POST the app may have acted on is not sent twice.',
    ),
    withComment(d('proxy_connect_timeout', '2s'), 'A container on the same bridge accepts in under a millisecond; 2 s moves on from an address that has just gone before ARP gives up (3 s).'),
    blank,
  );
  if (plan.nginx.appDns === 'upstream') {
    out.push(
      b(
        'upstream',
        ['app_upstream'],
        [
          withComment(d('zone', 'app_upstream', '64k'), 'Shared memory, where `resolve` keeps the addresses of `app` up to date for every worker.'),
          d('server', `app:${plan.app.port}`, 'resolve'),
          withComment(d('keepalive', 32), 'Idle keep-alive connections to the app, per worker: saves a TCP handshake per request.'),
          withComment(d('keepalive_timeout', upstreamKeepaliveSeconds(plan)), "Below the app server's own idle timeout, so Nginx never reuses a connection the app is closing."),
          d('keepalive_requests', 1000),
        ],
      ),
      blank,
    );
  }
  out.push(b('map', ['$http_upgrade', '$connection_upgrade'], [d('default', 'upgrade'), d('', 'close')]));
  if (n.realIp) {
    out.push(
      blank,
      c('Behind a load balancer or CDN: the client address comes from its header, trusted only from these sources.'),
      ...n.realIp.from.map((cidr) => d('set_real_ip_from', cidr)),
      d('real_ip_header', n.realIp.header),
      d('real_ip_recursive', 'on'),
      // Whether this connection comes from a trusted proxy: $realip_remote_addr is the peer before realip rewrote it.
      b('geo', ['$realip_remote_addr', '$sw_via_proxy'], [d('default', 0), ...n.realIp.from.map((cidr) => d(cidr, 1))]),
      // The proxy may have terminated TLS: its X-Forwarded-Proto (http or https only) is believed; anyone else's is not.
      b('map', ['$sw_via_proxy:$http_x_forwarded_proto', '$sw_forwarded_proto'], [d('default', '$scheme'), d('1:https', 'https'), d('1:http', 'http')]),
      // The proxy's chain plus the proxy itself; a client's own X-Forwarded-For is replaced by its address.
      b('map', ['$sw_via_proxy:$http_x_forwarded_for', '$sw_forwarded_for'], [d('default', '$remote_addr'), d('~^1:(?<sw_chain>.+)$', '$sw_chain, $realip_remote_addr')]),
    );
  }
  out.push(
    blank,
    c('Rate limits per client address.'),
    d('limit_req_zone', '$binary_remote_addr', `zone=sw_api:${RATE_LIMITS.zoneSize}`, `rate=${RATE_LIMITS.api.rate}`),
    // An empty key is not counted: the login limit applies to submissions, not to GETs of the same path.
    b('map', ['$request_method', '$sw_login_key'], [d('default', '$binary_remote_addr'), d('GET', ''), d('HEAD', ''), d('OPTIONS', '')]),
    d('limit_req_zone', '$sw_login_key', `zone=sw_login:${RATE_LIMITS.zoneSize}`, `rate=${RATE_LIMITS.login.rate}`),
    d('limit_conn_zone', '$binary_remote_addr', `zone=sw_conn:${RATE_LIMITS.zoneSize}`),
    blank,
    c('Security headers the app did not set itself.'),
    ...headerMaps(plan),
  );
  if (tlsOn(plan)) out.push(blank, ...tlsHttpSettings());
  return out;
}

/** Seconds an idle upstream connection is kept: under gunicorn's 2 s / uvicorn's and Node's 5 s keep-alive. */
export function upstreamKeepaliveSeconds(plan: Plan): string {
  return plan.app.runtime === 'python-wsgi' ? '1s' : '4s';
}

function appServer(plan: Plan, port: 80 | 443, defaultServer: boolean): N {
  const n = plan.nginx;
  const body: N[] = [...listen(plan, port, defaultServer), d('server_name', n.domain ?? '_')];
  if (port === 443) body.push(...tlsServerSettings(plan));
  body.push(d('limit_conn', 'sw_conn', RATE_LIMITS.connPerIp), ...securityHeaders(plan));
  if (defaultServer) body.push(healthLocation());
  if (port === 80 && n.tls === 'letsencrypt') body.push(acmeLocation());
  body.push(...appLocations(plan));
  return b('server', [], body, port === 443 ? 'The app over HTTPS.' : 'The app.');
}

/** The site: upstream, limits and the servers for this plan's domain and TLS mode. */
export function nginxSiteConf(plan: Plan): N[] {
  const n = plan.nginx;
  const out: N[] = [...httpLevel(plan), blank];
  const tls = tlsOn(plan);

  if (n.domain) {
    // Port 80, unknown names (scanners probing by IP): health for the healthcheck, nothing else.
    out.push(
      b('server', [], [...listen(plan, 80, true), d('server_name', '_'), healthLocation(), b('location', ['/'], [d('return', 444)])],
        'Requests for any other host name are dropped without an answer (444).'),
      blank,
    );
    if (tls) {
      out.push(
        b('server', [], [...listen(plan, 443, true), d('server_name', '_'), d('ssl_reject_handshake', 'on')], 'TLS for any other name is refused during the handshake; no certificate is shown.'),
        blank,
        b('server', [], [...listen(plan, 80, false), d('server_name', n.domain), ...(n.tls === 'letsencrypt' ? [acmeLocation()] : []), httpsRedirect(plan)],
          'Plain HTTP for the domain: ACME challenges, and a permanent redirect to HTTPS.'),
        blank,
        appServer(plan, 443, false),
      );
    } else {
      out.push(appServer(plan, 80, false));
    }
  } else if (tls) {
    // No domain: served on the address; port 80 redirects, the TLS server answers every name.
    out.push(
      b('server', [], [...listen(plan, 80, true), d('server_name', '_'), healthLocation(), httpsRedirect(plan)], 'Plain HTTP: the healthcheck, and a redirect to HTTPS.'),
      blank,
      appServer(plan, 443, true),
    );
  } else {
    out.push(appServer(plan, 80, true));
  }
  return out;
}

export function renderNginx(plan: Plan): RenderedFile[] {
  const n = plan.nginx;
  const head = `Generated by stack-wizard for "${plan.project}" (template ${plan.templateVersion}): Nginx ${n.version}, ${presetHeader(plan.sizing)}, TLS ${n.tls}.\nEdit the answers and re-render instead of editing this file.`;
  return [
    file(HOST.nginxConf, toNginx(nginxMainConf(plan), head)),
    file(HOST.nginxSite, toNginx(nginxSiteConf(plan), head)),
  ];
}
