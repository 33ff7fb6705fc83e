// `nginx -t` by the real Nginx on every variant of our config: Debian 12's 1.22 for the
// `listen … http2` syntax, Debian 13's 1.26 for `http2 on;` (each in a cached chroot, where a
// private /etc/hosts resolves the upstream name). Any warning counts as a failure: the `custom`
// variant's certificate comes from a test CA with an issuer and an OCSP address, as a real one does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/domain/plan.js';
import { HOST } from '../../src/render/paths.js';
import { GOLDEN_CASES } from '../fixtures/golden-cases.js';
import { NGINX_TARGETS, NGINX_VARIANTS, targetOf, variantPlan } from '../fixtures/nginx-variants.js';
import { nginxTest, stageNginx } from './support/nginx-stage.js';
import { debianChroot } from './support/sandbox.js';
import { runSync } from '../support/proc.js';

function warnings(output: string): string[] {
  return output.split('\n').filter((l) => /\[(warn|emerg|alert|crit|error)\]/.test(l));
}

for (const target of Object.values(NGINX_TARGETS)) {
  const syntax = target.http2;
  describe(`nginx -t, Nginx ${target.version} (Debian ${target.suite}), http2 syntax "${syntax}", app found by "${target.appDns}"`, () => {
    let root = '';
    beforeAll(async () => {
      root = await debianChroot(target.suite);
    });

    it(`the chroot runs nginx ${target.version}`, () => {
      const r = runSync(['chroot', root, 'nginx', '-v']);
      expect(r.stderr).toContain(`nginx/${target.version}.`);
    });

    for (const v of NGINX_VARIANTS) {
      it(`${v.name}: accepted without warnings`, () => {
        const plan = variantPlan(v, target.image);
        expect(plan.nginx.http2).toBe(syntax);
        expect(plan.nginx.appDns).toBe(target.appDns);
        const { site } = stageNginx(root, plan);
        // Docker's DNS, re-asked every 2 s; retries on another container only where nothing was sent twice.
        expect(site).toMatch(/^resolver 127\.0\.0\.11 valid=2s ipv6=off;$/m);
        expect(site).toMatch(/^proxy_next_upstream error timeout;$/m);
        expect(site).not.toMatch(/^\s*proxy_next_upstream[^;\n]*non_idempotent/m);
        if (target.appDns === 'upstream') {
          expect(site).toMatch(/^\s*zone app_upstream 64k;\n\s*server app:\d+ resolve;$/m);
          expect(site).not.toMatch(/\$sw_app/);
        } else {
          expect(site).toMatch(/^\s*set \$sw_app app;\n\s*proxy_pass http:\/\/\$sw_app:\d+;$/m);
          expect(site).not.toMatch(/upstream app_upstream|resolve;/);
        }
        if (plan.nginx.tls !== 'none') {
          if (syntax === 'directive') {
            expect(site).toMatch(/^\s*http2 on;$/m);
            expect(site).not.toMatch(/listen .*http2/);
          } else {
            expect(site).toMatch(/listen 443 ssl http2/);
            expect(site).not.toMatch(/http2 on;/);
          }
        }
        const t = nginxTest(root);
        expect(t.output).toContain('test is successful');
        expect(t.ok, t.output).toBe(true);
        expect(warnings(t.output), t.output).toEqual([]);
      });
    }
  });
}

describe('the http2 syntax is version-specific', () => {
  it('Nginx 1.22 rejects the config rendered for 1.26 (`http2 on;` does not exist before 1.25.1)', async () => {
    const root = await debianChroot('bookworm');
    const tls = NGINX_VARIANTS.find((v) => v.name === 'letsencrypt')!;
    stageNginx(root, variantPlan(tls, NGINX_TARGETS.directive.image));
    const t = nginxTest(root);
    expect(t.ok).toBe(false);
    expect(t.output).toMatch(/unknown directive "http2"/);
  });

  it('Nginx 1.26 warns on the config rendered for 1.22 (`listen … http2` is deprecated there), so each version gets its own', async () => {
    const root = await debianChroot('trixie');
    const tls = NGINX_VARIANTS.find((v) => v.name === 'letsencrypt')!;
    stageNginx(root, variantPlan(tls, NGINX_TARGETS.listen.image));
    const t = nginxTest(root);
    expect(t.output).toMatch(/the "listen \.\.\. http2" directive is deprecated/);
  });

  it('Nginx 1.26 refuses the upstream rendered for 1.30 (`resolve` on an upstream server exists from 1.27.3), so older versions get the resolver variable', async () => {
    const root = await debianChroot('trixie');
    stageNginx(root, variantPlan(NGINX_VARIANTS[0]!, NGINX_TARGETS.resolve.image));
    const t = nginxTest(root);
    expect(t.ok).toBe(false);
    expect(t.output).toMatch(/invalid parameter "resolve"/);
  });

  it('`ssl on;` is refused by both (it was removed in 1.25.1 and never rendered)', async () => {
    for (const target of Object.values(NGINX_TARGETS)) {
      const root = await debianChroot(target.suite);
      const v = NGINX_VARIANTS.find((x) => x.name === 'self-signed-ip')!;
      const { site } = stageNginx(root, variantPlan(v, target.image), (s) => s.replace(/(ssl_certificate )/, 'ssl on;\n    $1'));
      expect(site).toContain('ssl on;');
      const t = nginxTest(root);
      if (target.suite !== 'bookworm') {
        expect(t.ok).toBe(false);
        expect(t.output).toMatch(/unknown directive "ssl"/);
      } else {
        // 1.22 still parses it, with a deprecation warning our check would reject.
        expect(warnings(t.output).join('\n')).toMatch(/"ssl" directive is deprecated/);
      }
    }
  });
});

describe('nginx -t on every golden Nginx config (test/golden), on the Nginx of its http2 syntax and upstream kind', () => {
  const GOLDEN = join(import.meta.dirname, '..', 'golden');
  for (const c of GOLDEN_CASES) {
    it(`${c.name}`, async () => {
      const plan = buildPlan(c.answers, c.facts);
      const target = targetOf(plan);
      const root = await debianChroot(target.suite);
      const { site, main } = stageNginx(root, plan);
      // What nginx is about to judge is the golden file itself.
      for (const [text, path] of [[site, HOST.nginxSite], [main, HOST.nginxConf]] as const) {
        const golden = join(GOLDEN, c.name, path);
        expect(existsSync(golden), golden).toBe(true);
        expect(text).toBe(readFileSync(golden, 'utf8'));
      }
      const t = nginxTest(root);
      expect(t.ok, t.output).toBe(true);
      expect(warnings(t.output), t.output).toEqual([]);
    });
  }
});
