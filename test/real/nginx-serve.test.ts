// The generated Nginx config served for real, in a private network namespace on ports 80 and 443
// (sid's nginx 1.30, the pinned current, Debian 13's 1.26 and Debian 12's 1.22, each from its chroot), in front of a stand-in app:
// TLS checked with openssl s_client against Mozilla's intermediate profile written out below (a
// client that would take TLS 1.0/1.1 is refused; a control server shows that client does connect
// where 1.0 is allowed), HSTS and the security headers, OCSP stapling from a real `openssl ocsp`
// responder, proxy headers, real-IP handling (trusted and untrusted sources on loopback), SSE
// without buffering, WebSocket upgrade, the front end's caching, dotfiles, unknown hosts, the
// healthcheck, rate limits and the connection limit (429, logged as fail2ban's filter reads it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/plan.js';
import { NGINX_LOG_FORMAT, RATE_LIMIT_STATUS } from '../../src/render/nginx-log.js';
import { RATE_LIMITS } from '../../src/render/nginx.js';
import { CONTAINER, NGINX_HEALTH_PATH } from '../../src/render/paths.js';
import { renderLimitFilter } from '../../src/render/security-fail2ban.js';
import { NGINX_TARGETS, NGINX_VARIANTS, variantPlan } from '../fixtures/nginx-variants.js';
import { ocspResponderArgv, stageNginx, type TestCa } from './support/nginx-stage.js';
import { NetNs, Stop, debianChroot, waitFor } from './support/sandbox.js';
import { runSync } from '../support/proc.js';

// Mozilla's "intermediate" profile, guidelines 6.0 (https://ssl-config.mozilla.org/guidelines/6.0.json),
// written out here, not read from the source under test. 5.7 also listed DHE-RSA-AES128-GCM-SHA256,
// DHE-RSA-AES256-GCM-SHA384 and DHE-RSA-CHACHA20-POLY1305; 6.0 dropped DHE, so they must not be offered.
const MOZILLA_INTERMEDIATE = {
  protocols: ['TLSv1.2', 'TLSv1.3'],
  tls12: {
    ECDSA: ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
    RSA: ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'],
  },
  tls13: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
  // hsts_min_age: two years.
  hsts: 'max-age=63072000',
};
/** A client that would accept anything: every protocol version it is told to use, every cipher (security level 0). */
const PERMISSIVE_CLIENT = ['-cipher', 'DEFAULT:@SECLEVEL=0'];

const FAKE_APP = join(import.meta.dirname, 'fixtures', 'fake-app.mjs');
const DNS_SERVER = join(import.meta.dirname, 'fixtures', 'dns-server.mjs');
const PROBE = join(import.meta.dirname, 'fixtures', 'http-probe.mjs');

interface Probe {
  status?: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  error?: string;
  firstBeforeRelease?: boolean;
  frame?: string;
  statuses?: (number | string)[];
}

/** A regex for one access-log line in NGINX_LOG_FORMAT, with the status captured. */
function logLine(): RegExp {
  const pattern = NGINX_LOG_FORMAT.replace(/[.*+?^()|[\]\\{}]/g, '\\$&').replace(/\$(\w+)/g, (_m, v: string) => (v === 'status' ? '(\\d{3})' : '.*?'));
  return new RegExp(`^${pattern}$`);
}

class Served {
  ns = new NetNs();
  root = '';
  firstApp: { kill?: () => void } | null = null;
  /** Stops the stand-in app started first (the "old container"). */
  stopFirstApp() {
    this.firstApp?.kill?.();
  }
  /** The DNS server's records (JSON), read on every query. */
  records = join(mkdtempSync(join(tmpdir(), 'sw-dns-')), 'records.json');
  ca: TestCa | null = null;
  constructor(
    readonly plan: Plan,
    readonly suite: 'bookworm' | 'trixie' | 'sid',
    /** Changes the rendered site before it is served (control servers only). */
    readonly edit?: (site: string) => string,
  ) {}

  async start() {
    this.root = await debianChroot(this.suite);
    this.ca = stageNginx(this.root, this.plan, this.edit).ca;
    await this.ns.start();
    // Extra loopback addresses: clients from inside and outside the trusted proxy ranges (real IP tests).
    for (const a of [TRUSTED_PROXY, OUTSIDER, CROWD]) this.ns.run(['ip', 'addr', 'add', `${a}/32`, 'dev', 'lo']);
    if (this.ca) {
      const ocsp = this.ns.spawn(ocspResponderArgv(this.ca));
      await waitFor('the OCSP responder', () => (/waiting for OCSP client connections/.test(ocsp.output()) ? true : undefined));
    }
    // Docker's embedded DNS as Nginx asks it (resolver 127.0.0.11): `app` is the stand-in app here.
    writeFileSync(this.records, JSON.stringify({ app: ['127.0.0.1'] }));
    const dns = this.ns.spawn([process.execPath, DNS_SERVER, '127.0.0.11', '53', this.records]);
    await waitFor('the DNS server', () => (dns.output().includes('dns listening') ? true : undefined));
    const app = this.ns.spawn([process.execPath, FAKE_APP, String(this.plan.app.port)]);
    this.firstApp = app;
    await waitFor('the stand-in app', () => (app.output().includes('listening') ? true : undefined));
    const nginx = this.ns.spawn(['chroot', this.root, 'nginx', '-g', 'daemon off;']);
    await waitFor('nginx to answer its healthcheck', async () => {
      if (nginx.exitCode !== null) throw new Stop(`nginx exited ${nginx.exitCode}: ${nginx.output()}`);
      const r = await this.probe({ port: 80, host: '127.0.0.1', path: NGINX_HEALTH_PATH });
      return r.status === 200 ? true : undefined;
    });
    return this;
  }

  async probe(o: Record<string, unknown>): Promise<Probe> {
    const r = await this.ns.runAsync([process.execPath, PROBE, JSON.stringify({ releasePort: this.plan.app.port, ...o })], { timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new Error(`probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Probe;
  }

  /** openssl s_client against 127.0.0.1:443: did the handshake succeed, and with which cipher. */
  tls(args: string[], servername = this.plan.nginx.domain ?? 'shop'): { ok: boolean; cipher: string | null; protocol: string | null; out: string } {
    const r = this.ns.run(['openssl', 's_client', '-connect', '127.0.0.1:443', '-servername', servername, ...args], { input: '', timeoutMs: 20_000 });
    const out = r.stdout + r.stderr;
    const cipher = /Cipher is (\S+)/.exec(out)?.[1] ?? null;
    const protocol = /Protocol\s*:\s*(\S+)/.exec(out)?.[1] ?? /New, (TLSv[\d.]+)/.exec(out)?.[1] ?? null;
    return { ok: r.exitCode === 0 && cipher !== null && cipher !== '(NONE)', cipher, protocol, out };
  }

  accessLog(): string[] {
    return readFileSync(join(this.root, CONTAINER.nginxLogs.slice(1), 'access.log'), 'utf8').trim().split('\n');
  }

  errorLog(): string[] {
    return readFileSync(join(this.root, CONTAINER.nginxLogs.slice(1), 'error.log'), 'utf8').trim().split('\n');
  }

  async stop() {
    await this.ns.stop();
  }
}

// Loopback addresses of the namespace: one inside the variants' trusted range 10.0.0.0/8, two outside (documentation ranges).
const TRUSTED_PROXY = '10.1.2.3';
const OUTSIDER = '192.0.2.10';
const CROWD = '198.51.100.20';

/** Every TLS 1.2 cipher this machine's OpenSSL can offer, security level 0 so that weak ones are tried too. */
function allTls12Ciphers(): string[] {
  return runSync(['openssl', 'ciphers', '-tls1_2', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0']).stdout.trim().split(':').filter(Boolean);
}
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];
const PROTOCOL_FLAGS = { 'TLSv1': '-tls1', 'TLSv1.1': '-tls1_1', 'TLSv1.2': '-tls1_2', 'TLSv1.3': '-tls1_3' } as const;

function tlsChecks(s: () => Served, certType: 'ECDSA' | 'RSA') {
  it('refuses TLS 1.0 and 1.1 to a client that would use them (the server sends the alert); speaks 1.2 and 1.3', () => {
    for (const [protocol, flag] of Object.entries(PROTOCOL_FLAGS)) {
      const r = s().tls([flag, ...PERMISSIVE_CLIENT]);
      if (MOZILLA_INTERMEDIATE.protocols.includes(protocol)) {
        expect(r.ok, `${protocol}: ${r.out.slice(0, 400)}`).toBe(true);
        expect(r.protocol).toBe(protocol);
      } else {
        expect(r.ok, `${protocol}: ${r.out.slice(0, 400)}`).toBe(false);
        // The refusal is the server's (its protocol_version alert), not the client's own policy.
        expect(r.out, protocol).toMatch(/alert protocol version/);
      }
    }
  });

  it(`offers exactly Mozilla's intermediate TLS 1.2 ciphers for an ${certType} certificate`, () => {
    const accepted = allTls12Ciphers().filter((c) => s().tls(['-tls1_2', '-cipher', `${c}:@SECLEVEL=0`]).ok);
    expect(accepted.sort()).toEqual([...MOZILLA_INTERMEDIATE.tls12[certType]].sort());
  });

  it('offers the standard TLS 1.3 suites', () => {
    const accepted = TLS13_SUITES.filter((c) => s().tls(['-tls1_3', '-ciphersuites', c]).ok);
    expect(accepted.sort()).toEqual([...MOZILLA_INTERMEDIATE.tls13].sort());
  });

  it('sends HSTS (two years) and hides its version', async () => {
    const r = await s().probe({ port: 443, tls: true, host: s().plan.nginx.domain ?? 'shop', path: '/api/ping' });
    expect(r.status).toBe(200);
    expect(r.headers['strict-transport-security']).toBe(MOZILLA_INTERMEDIATE.hsts);
    expect(r.headers.server).toBe('nginx');
  });
}

/** Runs fail2ban-regex with our limit filter (as rendered for `plan`) over error-log lines: the address of each match. */
function limitFilterHits(plan: Plan, lines: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sw-limit-filter-'));
  try {
    writeFileSync(join(dir, 'filter.conf'), renderLimitFilter(plan));
    writeFileSync(join(dir, 'error.log'), `${lines.join('\n')}\n`);
    const r = spawnSync('fail2ban-regex', ['-o', 'ip', join(dir, 'error.log'), join(dir, 'filter.conf')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The pinned current (1.30, sid: upstream `resolve`) and Debian 13's 1.26 (`http2 on;`, the resolver variable) serve the same variants.
for (const target of [NGINX_TARGETS.resolve, NGINX_TARGETS.directive]) {
  describe(`served by Nginx ${target.version}: TLS self-signed (ECDSA), front end, SSE, WebSocket, real IP`, () => {
    let s: Served;
    const host = 'app.example.com';
    beforeAll(async () => {
      const v = NGINX_VARIANTS.find((x) => x.name === 'self-signed-frontend-realip')!;
      s = await new Served(variantPlan(v, target.image, '4g'), target.suite).start();
    });
    afterAll(async () => s?.stop());

    tlsChecks(() => s, 'ECDSA');

    it('refuses TLS for unknown names during the handshake, and drops plain HTTP for them (444)', async () => {
      const t = s.tls(['-tls1_3'], 'unknown.example');
      expect(t.ok).toBe(false);
      expect(t.out).toMatch(/alert|handshake failure|unrecognized name/i);
      const r = await s.probe({ port: 80, host: 'unknown.example', path: '/' });
      expect(r.error).toMatch(/ECONNRESET|socket hang up/i);
    });

    it('redirects HTTP to HTTPS for the domain', async () => {
      const r = await s.probe({ port: 80, host, path: '/orders?id=7' });
      expect(r.status).toBe(301);
      expect(r.headers.location).toBe(`https://${host}/orders?id=7`);
    });

    it('answers the healthcheck from loopback', async () => {
      const r = await s.probe({ port: 80, host: '127.0.0.1', path: NGINX_HEALTH_PATH });
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/Active connections/);
    });

    it('passes Host, X-Real-IP, X-Forwarded-For/Proto to the app over a keep-alive upstream; a client cannot forge its address or scheme', async () => {
      const r = await s.probe({ port: 443, tls: true, host, path: '/api/items?x=1', headers: { 'X-Forwarded-For': '10.9.9.9', 'X-Forwarded-Proto': 'http' } });
      expect(r.status).toBe(200);
      const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
      expect(seen.url).toBe('/api/items?x=1');
      expect(seen.headers.host).toBe(host);
      // 127.0.0.1 is not a trusted proxy (realIp.from): its headers are replaced by what the connection shows.
      expect(seen.headers['x-real-ip']).toBe('127.0.0.1');
      expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen.headers['x-forwarded-proto']).toBe('https');
      expect(seen.headers.connection ?? '').not.toMatch(/close/i);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(r.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    });

    it("keeps the app's own security header instead of adding a second one", async () => {
      const r = await s.probe({ port: 443, tls: true, host, path: '/api/frame?xfo=DENY' });
      expect(r.headers['x-frame-options']).toBe('DENY');
    });

    it('compresses JSON for clients that accept gzip', async () => {
      const r = await s.probe({ port: 443, tls: true, host, path: '/api/big', headers: { 'Accept-Encoding': 'gzip' }, raw: true });
      expect(r.headers['content-encoding']).toBe('gzip');
    });

    it('streams server-sent events as they happen (no buffering)', async () => {
      const r = await s.probe({ port: 443, tls: true, host, path: '/api/stream', mode: 'sse' });
      expect(r.status).toBe(200);
      expect(r.firstBeforeRelease).toBe(true);
      expect(r.body).toContain('data: two');
    });

    it('upgrades WebSocket connections through to the app', async () => {
      const r = await s.probe({ port: 443, tls: true, host, path: '/ws', mode: 'ws' });
      expect(r.status).toBe(101);
      expect(r.frame).toBe('hello /ws');
    });

    it('serves the front end: index.html revalidated, hashed assets cached for a year, SPA routes, no dotfiles', async () => {
      const index = await s.probe({ port: 443, tls: true, host, path: '/' });
      expect(index.status).toBe(200);
      expect(index.body).toContain('<div id="app">');
      expect(index.headers['cache-control']).toBe('no-cache');
      expect(index.headers['strict-transport-security']).toBe(MOZILLA_INTERMEDIATE.hsts);
      const route = await s.probe({ port: 443, tls: true, host, path: '/orders/42' });
      expect(route.status).toBe(200);
      expect(route.body).toContain('<div id="app">');
      const asset = await s.probe({ port: 443, tls: true, host, path: '/assets/index-BxK3a9Zq.js', headers: { 'Accept-Encoding': 'gzip' }, raw: true });
      expect(asset.status).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['content-encoding']).toBe('gzip');
      expect(asset.headers['x-content-type-options']).toBe('nosniff');
      const missing = await s.probe({ port: 443, tls: true, host, path: '/assets/app-Zz99zz99.js' });
      expect(missing.status).toBe(404);
      const dot = await s.probe({ port: 443, tls: true, host, path: '/.env' });
      expect(dot.status).toBe(403);
    });

    it('refuses bodies over client_max_body_size (413)', async () => {
      const r = await s.probe({ port: 443, tls: true, host, method: 'POST', path: '/api/upload', bodySize: 21 * 1024 * 1024, headers: { 'Content-Type': 'application/octet-stream' } });
      expect(r.status).toBe(413);
    });

    it(`limits login submissions and API bursts with ${RATE_LIMIT_STATUS}, logged in the fail2ban format`, async () => {
      const gets = await s.probe({ port: 443, tls: true, host, path: '/api/login', count: 10 });
      expect(gets.statuses!.every((x) => x === 200)).toBe(true);
      const posts = await s.probe({ port: 443, tls: true, host, method: 'POST', path: '/api/login', body: 'u=a&p=b', count: 12 });
      expect(posts.statuses!.filter((x) => x === RATE_LIMIT_STATUS).length).toBeGreaterThanOrEqual(5);
      expect(posts.statuses!.filter((x) => x === 200).length).toBeGreaterThanOrEqual(1);
      const burst = await s.probe({ port: 443, tls: true, host, path: '/api/list', count: 120 });
      expect(burst.statuses!.filter((x) => x === RATE_LIMIT_STATUS).length).toBeGreaterThan(0);

      const re = logLine();
      const lines = s.accessLog();
      const parsed = lines.map((l) => re.exec(l));
      expect(parsed.every(Boolean), lines.find((l) => !re.test(l))).toBe(true);
      const limited = lines.filter((l) => l.includes('"POST /api/login HTTP/1.1" 429 '));
      expect(limited.length).toBeGreaterThanOrEqual(5);
      expect(limited[0]).toMatch(/^127\.0\.0\.1 - - \[.+\] "POST \/api\/login HTTP\/1\.1" 429 \d+ "-" "-" rt=[\d.]+ urt="-" host="app\.example\.com"$/);
    });
  });

  describe(`served by Nginx ${target.version} behind a load balancer that ends TLS (plain HTTP, real IP from 10.0.0.0/8)`, () => {
    let s: Served;
    const host = 'app.example.com';
    const client = '203.0.113.7';
    beforeAll(async () => {
      const v = NGINX_VARIANTS.find((x) => x.name === 'behind-lb-http')!;
      s = await new Served(variantPlan(v, target.image, '4g'), target.suite).start();
    });
    afterAll(async () => s?.stop());

    const seen = async (from: string, headers: Record<string, string>) => {
      const r = await s.probe({ port: 80, host, path: '/api/whoami', from, headers });
      expect(r.status).toBe(200);
      return (JSON.parse(r.body) as { headers: Record<string, string> }).headers;
    };
    const loggedClient = (path: string) => s.accessLog().filter((l) => l.includes(`"GET ${path} HTTP/1.1"`)).map((l) => l.split(' ')[0]);

    it('believes the load balancer: the app sees the client address, its chain and https', async () => {
      const h = await seen(TRUSTED_PROXY, { 'X-Forwarded-For': client, 'X-Forwarded-Proto': 'https' });
      expect(h['x-real-ip']).toBe(client);
      expect(h['x-forwarded-for']).toBe(`${client}, ${TRUSTED_PROXY}`);
      expect(h['x-forwarded-proto']).toBe('https');
      // Logged (and so banned by fail2ban) as the client, not as the load balancer.
      expect(loggedClient('/api/whoami').at(-1)).toBe(client);
    });

    it('believes nobody else: the same headers from an outside address are replaced by what the connection shows', async () => {
      const h = await seen(OUTSIDER, { 'X-Forwarded-For': client, 'X-Forwarded-Proto': 'https' });
      expect(h['x-real-ip']).toBe(OUTSIDER);
      expect(h['x-forwarded-for']).toBe(OUTSIDER);
      expect(h['x-forwarded-proto']).toBe('http');
      expect(loggedClient('/api/whoami').at(-1)).toBe(OUTSIDER);
    });

    it('takes only http or https as the scheme, even from the load balancer', async () => {
      expect((await seen(TRUSTED_PROXY, { 'X-Forwarded-For': client, 'X-Forwarded-Proto': 'javascript' }))['x-forwarded-proto']).toBe('http');
      // Without a chain the proxy itself is the client.
      expect((await seen(TRUSTED_PROXY, {}))['x-forwarded-for']).toBe(TRUSTED_PROXY);
    });

    it(`caps concurrent connections per client at ${RATE_LIMITS.connPerIp}: the rest get ${RATE_LIMIT_STATUS}, each logged as fail2ban's limit filter reads it`, async () => {
      const over = 6;
      // Streams the app holds open, opened at 10/s (under the request-rate limit) so only the connection limit can refuse them.
      const r = await s.probe({ port: 80, host, path: '/api/stream', from: CROWD, count: RATE_LIMITS.connPerIp + over, spacingMs: 100, hold: true });
      const statuses = r.statuses!;
      expect(statuses.filter((x) => x === 200).length).toBe(RATE_LIMITS.connPerIp);
      expect(statuses.filter((x) => x === RATE_LIMIT_STATUS).length).toBe(over);
      // The first ones got in; only those beyond the limit were refused.
      expect(statuses.slice(0, RATE_LIMITS.connPerIp).every((x) => x === 200)).toBe(true);

      const errors = s.errorLog().filter((l) => l.includes(`client: ${CROWD},`));
      expect(errors.filter((l) => /\[error\] \d+#\d+: \*\d+ limiting connections by zone "sw_conn", client: /.test(l)).length).toBe(over);
      expect(errors.some((l) => /limiting requests/.test(l)), 'no request-rate rejection mixed in').toBe(false);
      expect(limitFilterHits(s.plan, s.errorLog())).toEqual(Array(over).fill(CROWD));
    });
  });
}

describe(`served by Nginx ${NGINX_TARGETS.listen.version} (listen … http2 syntax): custom RSA certificate on port 8443`, () => {
  let s: Served;
  beforeAll(async () => {
    const v = NGINX_VARIANTS.find((x) => x.name === 'custom-wsgi-port8443')!;
    s = await new Served(variantPlan(v, NGINX_TARGETS.listen.image, '4g'), 'bookworm').start();
  });
  afterAll(async () => s?.stop());

  tlsChecks(() => s, 'RSA');

  it('redirects to the published HTTPS port', async () => {
    const r = await s.probe({ port: 80, host: 'app.example.com', path: '/accounts/login/' });
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('https://app.example.com:8443/accounts/login/');
  });

  it('negotiates HTTP/2 over TLS (ALPN h2)', () => {
    const r = s.tls(['-alpn', 'h2,http/1.1']);
    expect(r.out).toMatch(/ALPN protocol: h2/);
  });

  it("staples the CA's OCSP answer (signed by its delegated responder) to the handshake", async () => {
    // Nginx fetches the response on the first handshakes and staples it from then on.
    const stapled = await waitFor('a stapled OCSP response', () => {
      const r = s.tls(['-status']);
      return /OCSP Response Status: successful/.test(r.out) ? r.out : undefined;
    });
    expect(stapled).toMatch(/Cert Status: good/);
    expect(stapled).toMatch(/Responder Id: CN = stack-wizard Test OCSP Responder/);
    // And the chain a browser gets verifies up to the CA's root.
    const chain = s.tls(['-CAfile', s.ca!.root, '-verify_return_error']);
    expect(chain.out).toMatch(/Verify return code: 0 \(ok\)/);
  });
});

describe('the TLS client above is a real control: it does connect where TLS 1.0 and 1.1 are allowed', () => {
  let s: Served;
  beforeAll(async () => {
    const v = NGINX_VARIANTS.find((x) => x.name === 'self-signed-ip')!;
    // The same rendered site with the protocol floor and the cipher list opened up.
    const open = (site: string) =>
      site.replace(/ssl_protocols [^;]+;/, 'ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;').replace(/ssl_ciphers [^;]+;/, 'ssl_ciphers "DEFAULT:@SECLEVEL=0";');
    s = await new Served(variantPlan(v, NGINX_TARGETS.directive.image, '4g'), 'trixie', open).start();
  });
  afterAll(async () => s?.stop());

  it('TLS 1.0 and 1.1 handshakes succeed with the same client options', () => {
    for (const protocol of ['TLSv1', 'TLSv1.1'] as const) {
      const r = s.tls([PROTOCOL_FLAGS[protocol], ...PERMISSIVE_CLIENT]);
      expect(r.ok, `${protocol}: ${r.out.slice(0, 400)}`).toBe(true);
      expect(r.protocol).toBe(protocol);
    }
  });

  it('and a cipher outside the intermediate list is taken, so the per-cipher probe can see one', () => {
    expect(s.tls(['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0']).ok).toBe(true);
  });
});

// #21.1: Nginx follows the app's containers through DNS without a reload: the name `app` moves to
// another address (a new container), and requests follow within the resolver's `valid` (2 s), with
// none failing while both run; the old one then goes and nothing is sent to it.
for (const target of Object.values(NGINX_TARGETS)) {
  describe(`served by Nginx ${target.version}: follows \`app\` through DNS (${target.appDns}) without a reload`, () => {
    let s: Served;
    beforeAll(async () => {
      s = await new Served(variantPlan(NGINX_VARIANTS.find((x) => x.name === 'ip-http')!, target.image, '4g'), target.suite).start();
    }, 300_000);
    afterAll(() => s?.stop());

    it('moves to the new address within 2 s; no request fails while old and new both run, or after the old one stops', async () => {
      const port = s.plan.app.port;
      const who = async () => {
        const r = await s.probe({ port: 80, host: '127.0.0.1', path: '/' });
        return { status: r.status, app: r.status === 200 ? (JSON.parse(r.body) as { app: string }).app : null };
      };
      expect(await who()).toEqual({ status: 200, app: 'app' });
      const next = s.ns.spawn([process.execPath, FAKE_APP, String(port), '127.0.0.2', 'new']);
      await waitFor('the new app', () => (next.output().includes('listening') ? true : undefined));
      writeFileSync(s.records, JSON.stringify({ app: ['127.0.0.2'] }));
      const t0 = Date.now();
      const seen: { status?: number; app: string | null }[] = [];
      let movedAfter = -1;
      while (Date.now() - t0 < 8000) {
        const r = await who();
        seen.push(r);
        if (r.app === 'new' && movedAfter < 0) movedAfter = Date.now() - t0;
        if (movedAfter >= 0 && Date.now() - t0 > movedAfter + 1000) break;
      }
      expect(seen.filter((r) => r.status !== 200)).toEqual([]);
      expect(movedAfter).toBeGreaterThanOrEqual(0);
      expect(movedAfter).toBeLessThan(3500);
      // Nginx's own process never reloaded: the same master serves, and the old app can go.
      s.stopFirstApp();
      for (let i = 0; i < 10; i++) expect(await who()).toEqual({ status: 200, app: 'new' });
    });
  });
}
