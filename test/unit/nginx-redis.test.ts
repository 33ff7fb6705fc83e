// Pure content of the Nginx, redis.conf and certbot generators: the serializers, the version
// switches and the rules that the real-program tests cannot see from outside.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as cliMain } from '../../src/cli.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { buildPlan } from '../../src/domain/plan.js';
import { REDIS_BASE_MIB, redisWorstCaseMiB } from '../../src/domain/sizing.js';
import { certbotIssueArgv, certbotUnitNames, renderCertbotUnits } from '../../src/render/certbot.js';
import { b, d, quoteArg, toNginx } from '../../src/render/format/nginx.js';
import { redisArg } from '../../src/render/format/redis-conf.js';
import { NGINX_LOG_FORMAT_NAME } from '../../src/render/nginx-log.js';
import { renderNginx } from '../../src/render/nginx.js';
import { HOST, NGINX_HEALTH_PATH } from '../../src/render/paths.js';
import { renderRedisConf } from '../../src/render/redis.js';
import { VM, makeFacts } from '../fixtures/facts.js';
import { NGINX_TARGETS, NGINX_VARIANTS, variantPlan } from '../fixtures/nginx-variants.js';

const site = (p: ReturnType<typeof variantPlan>) => renderNginx(p).find((f) => f.path === HOST.nginxSite)!.content;
const main = (p: ReturnType<typeof variantPlan>) => renderNginx(p).find((f) => f.path === HOST.nginxConf)!.content;
const variant = (name: string, image: string = NGINX_TARGETS.directive.image) => variantPlan(NGINX_VARIANTS.find((v) => v.name === name)!, image);

describe('the Nginx serializer', () => {
  it('quotes what would split or end a directive, and keeps regex backslashes', () => {
    expect(quoteArg('plain')).toBe('plain');
    expect(quoteArg('has space')).toBe('"has space"');
    expect(quoteArg('a;b')).toBe('"a;b"');
    expect(quoteArg('{8,}')).toBe('"{8,}"');
    expect(quoteArg('')).toBe('""');
    expect(quoteArg('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteArg('/\\.(?!x)')).toBe('/\\.(?!x)');
    expect(() => quoteArg('a\nb')).toThrow();
    expect(toNginx([b('events', [], [d('worker_connections', 1024)])])).toBe('events {\n    worker_connections 1024;\n}\n');
  });
});

describe('nginx.conf and the site', () => {
  it('uses the http2 syntax of the target version', () => {
    expect(site(variant('letsencrypt', 'nginx:1.28.0'))).toMatch(/listen 443 ssl;\n\s+http2 on;/);
    expect(site(variant('letsencrypt', 'nginx:1.24.0'))).toMatch(/listen 443 ssl http2;/);
    for (const img of ['nginx:1.24.0', 'nginx:1.28.0']) expect(site(variant('letsencrypt', img))).not.toMatch(/^\s*ssl on;/m);
  });

  it("never staples OCSP for Let's Encrypt or self-signed certificates; does for custom ones, without verify (no CA root to verify against)", () => {
    expect(site(variant('letsencrypt'))).not.toMatch(/ssl_stapling/);
    expect(site(variant('self-signed-ip'))).not.toMatch(/ssl_stapling/);
    const custom = site(variant('custom-wsgi-port8443'));
    expect(custom).toMatch(/ssl_stapling on;/);
    expect(custom).not.toMatch(/ssl_stapling_verify|ssl_trusted_certificate/);
  });

  it("writes Mozilla's intermediate TLS settings (guidelines 6.0): TLS 1.2 and 1.3, ECDHE with AEAD ciphers only, two-year HSTS", () => {
    const s = site(variant('letsencrypt'));
    expect(s).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
    expect(s).toContain(
      'ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;',
    );
    expect(s).toContain('ssl_prefer_server_ciphers off;');
    expect(s).toMatch(/map \$upstream_http_strict_transport_security \$sw_hsts \{\n\s+"" max-age=63072000;/);
    expect(s).not.toMatch(/TLSv1(\.1)?[ ;]|[ :]DHE-|ssl_session_tickets on/);
  });

  it('sizes workers per preset, hides the version, logs in the fail2ban format', () => {
    for (const preset of ['4g', '8g', '16g'] as const) {
      const p = variantPlan(NGINX_VARIANTS[0]!, 'nginx:1.28.0', preset);
      const m = main(p);
      expect(m).toContain(`worker_processes ${p.nginx.workerProcesses};`);
      expect(m).toContain(`worker_connections ${p.nginx.workerConnections};`);
      expect(m).toContain(`worker_rlimit_nofile ${p.nginx.workerRlimitNofile};`);
      expect(m).toContain('server_tokens off;');
      expect(m).toContain(`access_log /var/log/nginx/access.log ${NGINX_LOG_FORMAT_NAME};`);
      expect(m).toContain('limit_req_status 429;');
    }
  });

  it('answers the healthcheck in the default server only from loopback, and refuses unknown names when a domain is set', () => {
    const s = site(variant('letsencrypt'));
    const health = s.indexOf(`location = ${NGINX_HEALTH_PATH}`);
    expect(s.slice(health, s.indexOf('}', health))).toMatch(/allow 127\.0\.0\.1;\s+deny all;\s+stub_status;/);
    expect(s).toMatch(/listen 80 default_server;[\s\S]*return 444;/);
    expect(s).toMatch(/ssl_reject_handshake on;/);
    // Without a domain the app itself is the default server.
    expect(site(variant('ip-http'))).not.toContain('return 444');
  });

  it('trusts a client IP header and X-Forwarded-Proto only from the configured proxies; otherwise replaces both', () => {
    const withProxy = site(variant('self-signed-frontend-realip'));
    expect(withProxy).toContain('set_real_ip_from 10.0.0.0/8;');
    expect(withProxy).toContain('set_real_ip_from 2001:db8::/32;');
    // Trust is decided on the connection's own peer, the same ranges as set_real_ip_from.
    expect(withProxy).toMatch(/geo \$realip_remote_addr \$sw_via_proxy \{\n\s+default 0;\n\s+10\.0\.0\.0\/8 1;\n\s+2001:db8::\/32 1;\n\}/);
    expect(withProxy).toMatch(/map \$sw_via_proxy:\$http_x_forwarded_proto \$sw_forwarded_proto \{\n\s+default \$scheme;\n\s+1:https https;\n\s+1:http http;\n\}/);
    expect(withProxy).toContain('proxy_set_header X-Forwarded-For $sw_forwarded_for;');
    expect(withProxy).toContain('proxy_set_header X-Forwarded-Proto $sw_forwarded_proto;');
    expect(withProxy).not.toContain('$proxy_add_x_forwarded_for');
    const direct = site(variant('letsencrypt'));
    expect(direct).not.toMatch(/set_real_ip_from|sw_via_proxy/);
    expect(direct).toContain('proxy_set_header X-Forwarded-For $remote_addr;');
    expect(direct).toContain('proxy_set_header X-Forwarded-Proto $scheme;');
  });

  it('with a front end, login paths outside the API prefix are front-end pages, not proxied', () => {
    const s = site(variant('self-signed-frontend-realip'));
    expect(s).toContain('location ^~ /api/login {');
    expect(s).not.toContain('location ^~ /login {');
  });

  it('serves ACME challenges from the webroot only for Let\'s Encrypt', () => {
    expect(site(variant('letsencrypt'))).toContain('location ^~ /.well-known/acme-challenge/');
    expect(site(variant('custom-wsgi-port8443'))).not.toContain('acme-challenge');
  });

  it('keeps upstream idle connections shorter than the app server keeps them (the upstream of Nginx 1.27.3+)', () => {
    expect(site(variant('letsencrypt', NGINX_TARGETS.resolve.image))).toMatch(/keepalive_timeout 4s;/);
    expect(site(variant('custom-wsgi-port8443', NGINX_TARGETS.resolve.image))).toMatch(/keepalive_timeout 1s;/);
  });

  it('renders the same directives for the floor version 1.22 as for 1.26, but for the http2 syntax; from 1.27.3 only the way to `app` differs', () => {
    const old = site(variant('letsencrypt', NGINX_TARGETS.listen.image));
    const mid = site(variant('letsencrypt', NGINX_TARGETS.directive.image));
    const cur = site(variant('letsencrypt', 'nginx:1.28.0'));
    expect(cur).toMatch(/upstream app_upstream \{[^}]*zone app_upstream 64k;\n\s*server app:8000 resolve;[^}]*keepalive_timeout 4s;[^}]*keepalive_requests 1000;/);
    expect(old).toContain('ssl_reject_handshake on;');
    const norm = (x: string) => x.replace(/Nginx [\d.]+/, 'Nginx X').replace(/listen 443 ssl http2( default_server)?;/g, 'listen 443 ssl$1;\n    http2 on;');
    expect(norm(old)).toBe(norm(mid));
    // Before 1.27.3 `app` is looked up per request through a variable (no upstream, so no keep-alive to it).
    const asVariable = (x: string) =>
      x.replace(/\nupstream app_upstream \{[^}]*\}\n/, '').replace(/^(\s*)proxy_pass http:\/\/app_upstream;$/gm, '$1set $sw_app app;\n$1proxy_pass http://$sw_app:8000;');
    expect(norm(asVariable(cur))).toBe(norm(mid));
  });
});

describe('image versions below what the generated files are proven on are refused (exit 2, naming the field)', () => {
  const parse = (images: Record<string, string | undefined>) => AnswersSchema.safeParse({ project: 'x', app: { image: 'a/b:1' }, images });

  it('images.nginx below 1.22 and images.redis below 7.0', () => {
    for (const [service, image, version, floor] of [['nginx', 'nginx:1.20.2', '1.20.2', '1.22.0'], ['nginx', 'registry.example.com/mirror/nginx:1.18-alpine', '1.18.0', '1.22.0'], ['redis', 'redis:6.2.14', '6.2.14', '7.0.0']] as const) {
      const r = parse({ [service]: image });
      expect(r.success, image).toBe(false);
      const issue = r.error!.issues[0]! as { path: PropertyKey[]; message: string; params?: Record<string, string> };
      expect(issue.path).toEqual(['images', service]);
      expect(issue.message).toBe('v.imageTooOld');
      expect(issue.params).toEqual({ service, version, floor });
    }
  });

  it('the floor itself, newer tags and tags without a version pass', () => {
    for (const images of [{ nginx: 'nginx:1.22.0' }, { nginx: 'nginx:1.29.1-alpine' }, { nginx: 'nginx:stable' }, { redis: 'redis:7.0.0' }, { redis: 'redis:8.0.2' }, { redis: 'redis@sha256:' + 'a'.repeat(64) }]) {
      expect(parse(images).success, JSON.stringify(images)).toBe(true);
    }
  });

  it('`render` exits 2, names images.nginx, the floor and the fix, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-floor-'));
    const answers = join(dir, 'answers.yaml');
    writeFileSync(answers, 'project: shop\npreset: 4g\napp: { image: ghcr.io/example/api:1.0.0 }\nimages:\n  nginx: nginx:1.20.2\n');
    const facts = join(dir, 'facts.json');
    writeFileSync(facts, JSON.stringify(makeFacts({ ramMiB: 7680, cores: 4 })));
    let err = '';
    const code = await cliMain(['render', '--answers', answers, '--host-facts', facts, '--out', join(dir, 'out')], { io: { out: () => {}, err: (x) => void (err += x) }, env: { LANG: 'C' }, interactive: false });
    expect(code).toBe(2);
    expect(err).toMatch(/answers\.yaml:5: images\.nginx: nginx 1\.20\.2 is older than 1\.22\.0, .*use an image tagged 1\.22\.0 or newer/);
    expect(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []).toEqual([]);
  });
});

describe('answers', () => {
  it('a front end needs an API prefix other than /', () => {
    const r = AnswersSchema.safeParse({ project: 'x', app: { image: 'a/b:1' }, nginx: { frontendDir: '/srv/web' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['nginx', 'apiPrefix']);
    expect(r.error!.issues[0]!.message).toBe('v.frontendNeedsApiPrefix');
  });
});

describe('redis.conf', () => {
  const redisPlan = (preset: '4g' | '8g' | '16g', mode: 'cache' | 'queue', image = 'redis:7.4.5') =>
    buildPlan(AnswersSchema.parse({ project: 'shop', preset, app: { image: 'a/b:1' }, images: { redis: image }, redis: { mode } }), VM[preset]);

  it('quotes empty and spaced arguments', () => {
    expect(redisArg('')).toBe('""');
    expect(redisArg('a b')).toBe('"a b"');
    expect(redisArg('allkeys-lru')).toBe('allkeys-lru');
  });

  it('holds no secret, keeps data in /data, AOF every second plus RDB, and removes dangerous commands', () => {
    const conf = renderRedisConf(redisPlan('8g', 'cache'))[0]!.content;
    const directives = conf.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(directives.some((l) => /^(requirepass|masterauth|user) /.test(l))).toBe(false);
    expect(directives).toContain('dir /data');
    expect(directives).toContain('appendonly yes');
    expect(directives).toContain('appendfsync everysec');
    expect(directives.some((l) => l.startsWith('save 3600'))).toBe(true);
    expect(directives).toContain('rename-command FLUSHALL ""');
    expect(directives).toContain('protected-mode yes');
  });

  it('picks the eviction policy from the mode', () => {
    expect(renderRedisConf(redisPlan('4g', 'cache'))[0]!.content).toContain('maxmemory-policy allkeys-lru');
    expect(renderRedisConf(redisPlan('4g', 'queue'))[0]!.content).toContain('maxmemory-policy noeviction');
  });

  it('a worker without RabbitMQ makes Redis its broker (#22.1): noeviction by default, and cache is refused naming redis.mode', () => {
    const answers = (components: object, redis?: object) => ({ project: 'shop', preset: '4g', app: { image: 'a/b:1', workerCommand: ['celery', '-A', 'app', 'worker'] }, components: { redis: true, ...components }, ...(redis ? { redis } : {}) });
    const conf = (a: object) => renderRedisConf(buildPlan(AnswersSchema.parse(a), VM['4g']))[0]!.content;
    expect(conf(answers({ worker: true }))).toContain('maxmemory-policy noeviction');
    expect(conf(answers({ worker: true, rabbitmq: true }))).toContain('maxmemory-policy allkeys-lru');
    expect(conf(answers({ worker: false }))).toContain('maxmemory-policy allkeys-lru');
    expect(conf(answers({ worker: true, rabbitmq: true }, { mode: 'queue' }))).toContain('maxmemory-policy noeviction');
    const bad = AnswersSchema.safeParse(answers({ worker: true }, { mode: 'cache' }));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['redis.mode', 'v.redisBrokerEvicts']]);
  });

  it('renders per version: 7.x gets no 8.0-only directive; every 7.x gets the DEBUG/MODULE/CONFIG hardening', () => {
    expect(renderRedisConf(redisPlan('4g', 'cache', 'redis:7.4.5'))[0]!.content).not.toContain('hide-user-data-from-log');
    expect(renderRedisConf(redisPlan('4g', 'cache', 'redis:8.0.2'))[0]!.content).toContain('hide-user-data-from-log yes');
    for (const image of ['redis:7.0.0', 'redis:7.4.5', 'redis:8.0.2']) {
      const conf = renderRedisConf(redisPlan('4g', 'cache', image))[0]!.content;
      for (const line of ['enable-protected-configs no', 'enable-debug-command no', 'enable-module-command no', 'bind * -::*']) expect(conf, image).toContain(`\n${line}\n`);
    }
  });

  for (const preset of ['4g', '8g', '16g'] as const) {
    it(`${preset}: maxmemory leaves room for fragmentation and fork/AOF-rewrite copy-on-write inside the container`, () => {
      const p = redisPlan(preset, 'cache');
      const limit = p.services.find((s) => s.name === 'redis')!.memoryMiB;
      const mm = p.redis!.maxmemoryMiB;
      expect(redisWorstCaseMiB(mm)).toBeLessThanOrEqual(limit);
      // At least a third of the dataset can be copied while a child saves, beyond the fragmented dataset itself.
      expect(limit - REDIS_BASE_MIB - mm * 1.2).toBeGreaterThanOrEqual(mm / 3);
      expect(renderRedisConf(p)[0]!.content).toContain(`maxmemory ${mm}mb`);
    });
  }
});

describe("Let's Encrypt renewal units", () => {
  const le = variant('letsencrypt');

  it('are rendered only for letsencrypt', () => {
    expect(renderCertbotUnits(variant('self-signed-ip'))).toEqual([]);
    const files = renderCertbotUnits(le);
    const names = certbotUnitNames(le);
    expect(files.map((f) => f.path)).toEqual([`systemd/${names.service}`, `systemd/${names.timer}`]);
  });

  it('renew into the install dir and reload nginx in its container after a renewal', () => {
    const [service, timer] = renderCertbotUnits(le).map((f) => f.content);
    expect(service).toMatch(/^ExecStart=\/usr\/bin\/certbot renew .*--config-dir \/opt\/stack-wizard\/shop\/letsencrypt /m);
    // The timer spreads the runs (RandomizedDelaySec); certbot's own sleep of up to 8 min would only delay the reload.
    expect(service).toContain(' --no-random-sleep-on-renew ');
    expect(timer).toContain('RandomizedDelaySec=12h');
    expect(service).toContain('--deploy-hook "docker compose -f /opt/stack-wizard/shop/docker-compose.yml exec -T nginx nginx -s reload"');
    expect(timer).toMatch(/OnCalendar=\*-\*-\* 00,12:00:00/);
    expect(timer).toContain('Persistent=true');
  });

  it('issues through the webroot that nginx serves', () => {
    const argv = certbotIssueArgv(le);
    expect(argv.slice(0, 2)).toEqual(['certbot', 'certonly']);
    expect(argv).toContain('--webroot');
    expect(argv[argv.indexOf('--webroot-path') + 1]).toBe('/opt/stack-wizard/shop/nginx/acme');
    expect(argv[argv.indexOf('--cert-name') + 1]).toBe('app.example.com');
  });
});
