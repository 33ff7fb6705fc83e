// The Let's Encrypt renewal design checked by the real programs: systemd-analyze verifies the
// rendered units (their ExecStart must exist: Debian's certbot), and certbot itself accepts the
// exact argv we render for renewal and issuance (no ACME server here: issuance stops at the network).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certbotIssueArgv, certbotRenewArgv, renderCertbotUnits } from '../../src/render/certbot.js';
import { NGINX_TARGETS, NGINX_VARIANTS, variantPlan } from '../fixtures/nginx-variants.js';
import { runSync } from '../support/proc.js';

const work = mkdtempSync(join(tmpdir(), 'sw-certbot-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const le = variantPlan(NGINX_VARIANTS.find((v) => v.name === 'letsencrypt')!, NGINX_TARGETS.directive.image);
// The same plan with its install dir here, so certbot's directories are real and writable.
const plan = { ...le, installDir: work };

describe("Let's Encrypt renewal with the host's certbot and a systemd timer", () => {
  it('systemd-analyze verify accepts the rendered service and timer', () => {
    const dir = join(work, 'units');
    mkdirSync(dir, { recursive: true });
    const files = renderCertbotUnits(le).map((f) => {
      const p = join(dir, f.path.split('/').pop()!);
      writeFileSync(p, f.content);
      return p;
    });
    const r = runSync(['systemd-analyze', 'verify', ...files]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('certbot accepts the renewal command (nothing due yet: it exits 0)', () => {
    const argv = certbotRenewArgv(plan);
    const r = runSync(argv, { timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('certbot accepts the issuance command and gets as far as the ACME server', () => {
    mkdirSync(join(work, 'nginx/acme'), { recursive: true });
    // A closed loopback port stands in for the ACME directory; arguments are parsed before it is contacted.
    const r = runSync(certbotIssueArgv(plan, { server: 'http://127.0.0.1:9/directory' }), { timeoutMs: 60_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Connection refused|Max retries exceeded|Failed to establish/i);
    expect(r.stdout + r.stderr).not.toMatch(/unrecognized arguments|usage:/i);
  });
});
