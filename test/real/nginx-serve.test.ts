// The generated Nginx config served for real, in a private network namespace on ports 80 and 443
// (Debian 13's nginx 1.26 and Debian 12's 1.22, each from its chroot), in front of a stand-in app:
// TLS checked with openssl s_client (only TLS 1.2/1.3 and the intended ciphers), HSTS and the
// security headers, proxy headers, SSE without buffering, WebSocket upgrade, the front end's
// caching, dotfiles, unknown hosts, the healthcheck, rate limits (429, logged in our format).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/plan.js';
import { TLS12_CIPHERS, HSTS } from '../../src/render/nginx.js';
import { NGINX_LOG_FORMAT, RATE_LIMIT_STATUS } from '../../src/render/nginx-log.js';
import { CONTAINER, NGINX_HEALTH_PATH } from '../../src/render/paths.js';
import { NGINX_TARGETS, NGINX_VARIANTS, variantPlan } from '../fixtures/nginx-variants.js';
import { stageNginx } from './support/nginx-stage.js';
import { NetNs, Stop, debianChroot, waitFor } from './support/sandbox.js';
import { runSync } from '../support/proc.js';

const FAKE_APP = join(import.meta.dirname, 'fixtures', 'fake-app.mjs');
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
  constructor(
    readonly plan: Plan,
    readonly suite: 'bookworm' | 'trixie',
  ) {}

  async start() {
    this.root = await debianChroot(this.suite);
    stageNginx(this.root, this.plan);
    await this.ns.start();
    const app = this.ns.spawn([process.execPath, FAKE_APP, String(this.plan.app.port)]);
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

  async stop() {
    await this.ns.stop();
  }
}

/** Every TLS 1.2 cipher this machine's OpenSSL can offer, security level 0 so that weak ones are tried too. */
function allTls12Ciphers(): string[] {
  return runSync(['openssl', 'ciphers', '-tls1_2', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0']).stdout.trim().split(':').filter(Boolean);
}
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];

function tlsChecks(s: () => Served, certType: 'ECDSA' | 'RSA') {
  it('offers TLS 1.2 and 1.3 only', () => {
    for (const [flag, expected] of [['-tls1', false], ['-tls1_1', false], ['-tls1_2', true], ['-tls1_3', true]] as const) {
      const r = s().tls([flag, '-cipher', 'ALL:@SECLEVEL=0']);
      expect(r.ok, `${flag}: ${r.out.slice(0, 400)}`).toBe(expected);
    }
  });

  it(`offers exactly the intended TLS 1.2 ciphers for an ${certType} certificate (Mozilla intermediate)`, () => {
    const accepted = allTls12Ciphers().filter((c) => s().tls(['-tls1_2', '-cipher', `${c}:@SECLEVEL=0`]).ok);
    const intended = TLS12_CIPHERS.filter((c) => c.includes(`-${certType}-`));
    expect(accepted.sort()).toEqual([...intended].sort());
  });

  it('offers the standard TLS 1.3 suites', () => {
    const accepted = TLS13_SUITES.filter((c) => s().tls(['-tls1_3', '-ciphersuites', c]).ok);
    expect(accepted.sort()).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
  });

  it('sends HSTS and hides its version', async () => {
    const r = await s().probe({ port: 443, tls: true, host: s().plan.nginx.domain ?? 'shop', path: '/api/ping' });
    expect(r.status).toBe(200);
    expect(r.headers['strict-transport-security']).toBe(HSTS);
    expect(r.headers.server).toBe('nginx');
  });
}

describe(`served by Nginx ${NGINX_TARGETS.directive.version}: TLS self-signed (ECDSA), front end, SSE, WebSocket, real IP`, () => {
  let s: Served;
  const host = 'app.example.com';
  beforeAll(async () => {
    const v = NGINX_VARIANTS.find((x) => x.name === 'self-signed-frontend-realip')!;
    s = await new Served(variantPlan(v, NGINX_TARGETS.directive.image, '4g'), 'trixie').start();
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

  it('passes Host, X-Real-IP, X-Forwarded-For/Proto to the app over a keep-alive upstream; a spoofed client IP is not believed', async () => {
    const r = await s.probe({ port: 443, tls: true, host, path: '/api/items?x=1', headers: { 'X-Forwarded-For': '10.9.9.9' } });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/api/items?x=1');
    expect(seen.headers.host).toBe(host);
    // 127.0.0.1 is not a trusted proxy (realIp.from), so the client address stays the connection's.
    expect(seen.headers['x-real-ip']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-for']).toBe('10.9.9.9, 127.0.0.1');
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
    expect(index.headers['strict-transport-security']).toBe(HSTS);
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
});
