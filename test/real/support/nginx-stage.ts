// Puts a rendered Nginx config into a Debian chroot exactly where the official image has it
// (/etc/nginx/nginx.conf, /etc/nginx/conf.d/), with the certificates, front end and ACME webroot
// that docker-compose.yml would mount, and a private /etc/hosts that resolves the upstream `app`.
// A `custom` certificate is issued by a two-level test CA, as a commercial CA would: leaf plus
// intermediate in the certificate file, and an OCSP address (a real `openssl ocsp` responder on
// loopback can answer there, see ocspResponderArgv).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plan } from '../../../src/domain/plan.js';
import { renderNginx } from '../../../src/render/nginx.js';
import { CONTAINER, CUSTOM_CERT, HOST, SELF_SIGNED_CERT } from '../../../src/render/paths.js';
import { selfSignedCertArgv } from '../../../src/render/tls-certs.js';
import { runSync } from '../../support/proc.js';

/** Where the test CA's OCSP responder listens (the address is written into the leaf certificate). */
export const OCSP_PORT = 8089;

export interface TestCa {
  /** The root, as a browser's trust store would hold it. */
  root: string;
  /** `openssl ocsp` database: the leaf's serial, valid. */
  index: string;
  /** The intermediate that issued the leaf. */
  issuer: string;
  /** Its delegated OCSP responder (extendedKeyUsage OCSPSigning), as most commercial CAs run one: it signs the responses. */
  responder: string;
  responderKey: string;
}

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
export function stageNginx(root: string, plan: Plan, edit?: (site: string) => string): { site: string; main: string; ca: TestCa | null } {
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
  let ca: TestCa | null = null;
  if (n.tls === 'custom') {
    // An operator's certificate: RSA, as most commercial CAs still issue, with the chain in the file.
    const dir = inRoot(root, CONTAINER.nginxCerts);
    const cert = join(dir, CUSTOM_CERT.cert);
    const key = join(dir, CUSTOM_CERT.key);
    mkdirSync(dirname(cert), { recursive: true });
    ca = issueFromTestCa(join(root, 'tmp', 'sw-test-ca'), n.domain ?? 'shop', { cert, key });
  }
  if (n.frontendDir) {
    for (const [p, content] of Object.entries(FRONTEND_FILES)) write(join(inRoot(root, CONTAINER.frontend), p), content);
  }
  return { site, main, ca };
}

/** A root and an intermediate CA, and a leaf for `name` issued by the intermediate with an OCSP address; `out.cert` gets leaf + intermediate. */
function issueFromTestCa(dir: string, name: string, out: { cert: string; key: string }): TestCa {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const f = (x: string) => join(dir, x);
  writeFileSync(f('ext.cnf'), [
    '[ca]', 'basicConstraints = critical, CA:TRUE, pathlen:0', 'keyUsage = critical, keyCertSign, cRLSign, digitalSignature',
    '[leaf]', 'basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment', 'extendedKeyUsage = serverAuth',
    `subjectAltName = DNS:${name}`, `authorityInfoAccess = OCSP;URI:http://127.0.0.1:${OCSP_PORT}/`,
    '[ocsp]', 'basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = critical, OCSPSigning', '',
  ].join('\n'));
  opensslOk(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=stack-wizard Test Root CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', f('root.key'), '-out', f('root.pem')]);
  opensslOk(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=stack-wizard Test Issuing CA', '-keyout', f('issuer.key'), '-out', f('issuer.csr')]);
  opensslOk(['openssl', 'x509', '-req', '-in', f('issuer.csr'), '-CA', f('root.pem'), '-CAkey', f('root.key'), '-set_serial', '2', '-days', '30',
    '-extfile', f('ext.cnf'), '-extensions', 'ca', '-out', f('issuer.pem')]);
  opensslOk(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', out.key, '-out', f('leaf.csr')]);
  opensslOk(['openssl', 'x509', '-req', '-in', f('leaf.csr'), '-CA', f('issuer.pem'), '-CAkey', f('issuer.key'), '-set_serial', '0x1001', '-days', '30',
    '-extfile', f('ext.cnf'), '-extensions', 'leaf', '-out', f('leaf.pem')]);
  opensslOk(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=stack-wizard Test OCSP Responder', '-keyout', f('ocsp.key'), '-out', f('ocsp.csr')]);
  opensslOk(['openssl', 'x509', '-req', '-in', f('ocsp.csr'), '-CA', f('issuer.pem'), '-CAkey', f('issuer.key'), '-set_serial', '3', '-days', '30',
    '-extfile', f('ext.cnf'), '-extensions', 'ocsp', '-out', f('ocsp.pem')]);
  writeFileSync(out.cert, readFileSync(f('leaf.pem'), 'utf8') + readFileSync(f('issuer.pem'), 'utf8'));
  // openssl ocsp's index: status, expiry, revocation date, serial, file, subject.
  writeFileSync(f('index.txt'), `V\t301231235959Z\t\t1001\tunknown\t/CN=${name}\n`);
  return { root: f('root.pem'), index: f('index.txt'), issuer: f('issuer.pem'), responder: f('ocsp.pem'), responderKey: f('ocsp.key') };
}

/** A real OCSP responder for the test CA on port OCSP_PORT (run it inside the test's network namespace). */
export function ocspResponderArgv(ca: TestCa): string[] {
  return ['openssl', 'ocsp', '-index', ca.index, '-port', String(OCSP_PORT), '-CA', ca.issuer, '-rsigner', ca.responder, '-rkey', ca.responderKey, '-nmin', '60', '-ignore_err'];
}

/** `nginx -t` on the staged config, inside the chroot. */
export function nginxTest(root: string): { ok: boolean; output: string } {
  const r = runSync(['chroot', root, 'nginx', '-t', '-c', CONTAINER.nginxConf]);
  return { ok: r.exitCode === 0, output: `${r.stdout}${r.stderr}` };
}
