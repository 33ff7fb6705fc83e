// Puts a rendered Nginx config into a Debian chroot exactly where the official image has it
// (/etc/nginx/nginx.conf, /etc/nginx/conf.d/), with the certificates, front end and ACME webroot
// that docker-compose.yml would mount, and a private /etc/hosts that resolves the upstream `app`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plan } from '../../../src/domain/plan.js';
import { renderNginx } from '../../../src/render/nginx.js';
import { CONTAINER, CUSTOM_CERT, HOST, SELF_SIGNED_CERT } from '../../../src/render/paths.js';
import { selfSignedCertArgv } from '../../../src/render/tls-certs.js';
import { runSync } from '../../support/proc.js';

export const FRONTEND_FILES = {
  'index.html': '<!doctype html><title>shop</title><div id="app"></div>',
  'assets/index-BxK3a9Zq.js': `console.log(${JSON.stringify('x'.repeat(4000))});`,
  '.env': 'SECRET=do-not-serve',
};

const inRoot = (root: string, p: string) => join(root, p.replace(/^\//, ''));

function write(path: string, content: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

function opensslOk(argv: string[]) {
  const r = runSync(argv);
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
}

/** Writes the config and its mounts into `root`; `extra` adds or replaces files of the site (for control tests). */
export function stageNginx(root: string, plan: Plan, edit?: (site: string) => string): { site: string; main: string } {
  const files = renderNginx(plan);
  const main = files.find((f) => f.path === HOST.nginxConf)!.content;
  let site = files.find((f) => f.path === HOST.nginxSite)!.content;
  if (edit) site = edit(site);
  rmSync(inRoot(root, CONTAINER.nginxConfD), { recursive: true, force: true });
  rmSync(inRoot(root, CONTAINER.nginxCerts), { recursive: true, force: true });
  rmSync(inRoot(root, CONTAINER.letsencrypt), { recursive: true, force: true });
  rmSync(inRoot(root, CONTAINER.frontend), { recursive: true, force: true });
  rmSync(inRoot(root, CONTAINER.acmeWebroot), { recursive: true, force: true });
  // Debian's own site would otherwise be included nowhere; ours replaces the main file.
  write(inRoot(root, CONTAINER.nginxConf), main);
  write(join(inRoot(root, CONTAINER.nginxConfD), 'default.conf'), site);
  write(inRoot(root, '/etc/hosts'), '127.0.0.1 localhost\n127.0.0.1 app\n');
  for (const f of ['access.log', 'error.log']) rmSync(join(inRoot(root, CONTAINER.nginxLogs), f), { force: true });
  mkdirSync(inRoot(root, CONTAINER.nginxLogs), { recursive: true });

  const n = plan.nginx;
  if (n.tls === 'self-signed') {
    const out = { cert: join(inRoot(root, CONTAINER.nginxCerts), SELF_SIGNED_CERT.cert), key: join(inRoot(root, CONTAINER.nginxCerts), SELF_SIGNED_CERT.key) };
    mkdirSync(dirname(out.cert), { recursive: true });
    opensslOk(selfSignedCertArgv(plan, out));
  }
  if (n.tls === 'letsencrypt') {
    // What the init step puts there before the first issuance: a placeholder pair at the lineage's path.
    const live = join(inRoot(root, CONTAINER.letsencrypt), 'live', n.domain!);
    mkdirSync(live, { recursive: true });
    opensslOk(selfSignedCertArgv(plan, { cert: join(live, 'fullchain.pem'), key: join(live, 'privkey.pem') }, 1));
    write(join(inRoot(root, CONTAINER.acmeWebroot), '.well-known/acme-challenge/token123'), 'token123.thumbprint');
  }
  if (n.tls === 'custom') {
    // An operator's certificate: RSA, as most commercial CAs still issue.
    const dir = inRoot(root, CONTAINER.nginxCerts);
    const cert = join(dir, CUSTOM_CERT.cert);
    const key = join(dir, CUSTOM_CERT.key);
    mkdirSync(dirname(cert), { recursive: true });
    opensslOk(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${n.domain ?? 'shop'}`, '-keyout', key, '-out', cert]);
  }
  if (n.frontendDir) {
    for (const [p, content] of Object.entries(FRONTEND_FILES)) write(join(inRoot(root, CONTAINER.frontend), p), content);
  }
  return { site, main };
}

/** `nginx -t` on the staged config, inside the chroot. */
export function nginxTest(root: string): { ok: boolean; output: string } {
  const r = runSync(['chroot', root, 'nginx', '-t', '-c', CONTAINER.nginxConf]);
  return { ok: r.exitCode === 0, output: `${r.stdout}${r.stderr}` };
}
