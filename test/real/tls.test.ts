// TLS steps with the real openssl: the self-signed pair (made, kept, remade near expiry or for another
// name, written all or nothing with the key 0600), and `tls: custom` judged before anything changes
// (init --dry-run on a server exits 3 naming the file and the fix; a good pair passes). Certificates
// made here with openssl as an operator's CA would hand them out. Nothing touches the Docker engine:
// STACK_WIZARD_ROOT keeps the steps off it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createContext } from '../../src/context.js';
import { runSteps } from '../../src/steps/engine.js';
import { loadAnswers, prepare } from '../../src/steps/prepare.js';
import { tlsCertStep, tlsToolsStep } from '../../src/steps/tls.js';
import { makeFacts } from '../fixtures/facts.js';
import { runSync } from '../support/proc.js';

const work = mkdtempSync(join(tmpdir(), 'sw-tls-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

const openssl = (...args: string[]) => {
  const r = runSync(['openssl', ...args]);
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const serial = (cert: string) => openssl('x509', '-in', cert, '-noout', '-serial').trim();

function answersFile(dir: string, extra: string): string {
  const f = join(dir, 'answers.yaml');
  writeFileSync(f, `project: tlsdemo\npreset: 8g\ninstallDir: ${join(dir, 'opt')}\napp: { image: ghcr.io/example/api:1.0.0 }\n${extra}`);
  return f;
}

describe('tls: self-signed, the certificate step', () => {
  const dir = join(work, 'self');
  mkdirSync(dir, { recursive: true });
  const certs = join(dir, 'opt', 'nginx', 'certs', 'selfsigned');
  const cert = join(certs, 'fullchain.pem');
  const key = join(certs, 'privkey.pem');
  const step = async (dryRun = false) => {
    const ctx = createContext({ lang: 'en', dryRun, env: { LANG: 'C', STACK_WIZARD_ROOT: join(dir, 'root') }, io: { out: () => {}, err: () => {} }, cwd: dir, interactive: false });
    const p = await prepare(ctx, { answers: await loadAnswers(ctx, answersFile(dir, 'domain: shop.example.com\ntls: self-signed\n')), facts: makeFacts() });
    return { reports: await runSteps(ctx, [tlsToolsStep, tlsCertStep], p), ctx };
  };

  it('a dry run only says what it would run', async () => {
    const { reports, ctx } = await step(true);
    expect(reports.find((r) => r.id === 'tls-cert')!.changes[0]).toMatch(/^no certificate yet: openssl req -x509 -newkey ec .*-subj \/CN=shop\.example\.com -addext subjectAltName=DNS:shop\.example\.com/);
    expect(ctx.exec.actions.map((a) => a.summary)).toEqual([expect.stringMatching(/^openssl req -x509/)]);
    expect(existsSync(certs)).toBe(false);
  });

  it('makes an ECDSA pair for the domain, valid 825 days, the key readable by root only', async () => {
    const { reports } = await step();
    // openssl is on this machine: the tools step has nothing to do (and stays off apt here anyway).
    expect(reports.map((r) => `${r.id}=${r.status}`)).toEqual(['tls-tools=skipped', 'tls-cert=applied']);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(cert).mode & 0o777).toBe(0o644);
    const text = openssl('x509', '-in', cert, '-noout', '-subject', '-ext', 'subjectAltName', '-enddate');
    expect(text).toMatch(/^subject=CN = shop\.example\.com$/m);
    expect(text).toMatch(/DNS:shop\.example\.com/);
    expect(runSync(['openssl', 'x509', '-in', cert, '-noout', '-checkend', String(824 * 86400)]).exitCode).toBe(0);
    expect(openssl('pkey', '-in', key, '-noout', '-text')).toMatch(/ASN1 OID: prime256v1/);
    // The key is the certificate's.
    expect(openssl('pkey', '-in', key, '-pubout')).toBe(openssl('x509', '-in', cert, '-noout', '-pubkey'));
    // No scratch files left beside it.
    expect(runSync(['ls', '-A', certs]).stdout.split('\n').filter(Boolean).sort()).toEqual(['fullchain.pem', 'privkey.pem']);
  });

  it('a second run keeps it', async () => {
    const before = serial(cert);
    const { reports } = await step();
    expect(reports.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(serial(cert)).toBe(before);
  });

  it('remakes it when fewer than 30 days are left, or when it names something else, or its key is not its own', async () => {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '20', '-subj', '/CN=shop.example.com', '-keyout', key, '-out', cert);
    let before = serial(cert);
    let r = await step();
    expect(r.reports[1]!.changes[0]).toMatch(/^the certificate expires on \d{4}-\d\d-\d\d: a new one: openssl req/);
    expect(serial(cert)).not.toBe(before);
    expect(runSync(['openssl', 'x509', '-in', cert, '-noout', '-checkend', String(800 * 86400)]).exitCode).toBe(0);

    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '400', '-subj', '/CN=old.example.com', '-keyout', key, '-out', cert);
    before = serial(cert);
    r = await step();
    expect(r.reports[1]!.changes[0]).toMatch(/^the certificate there is not for shop\.example\.com: /);
    expect(serial(cert)).not.toBe(before);

    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', key);
    before = serial(cert);
    r = await step();
    expect(r.reports[1]!.changes[0]).toMatch(/^the certificate there cannot be used \(key mismatch\): /);
    expect(serial(cert)).not.toBe(before);
    expect(openssl('pkey', '-in', key, '-pubout')).toBe(openssl('x509', '-in', cert, '-noout', '-pubkey'));
  });
});

describe.runIf(isRoot)('tls: custom, checked before anything changes (init --dry-run on a server)', () => {
  const dir = join(work, 'custom');
  const certs = join(dir, 'certs');
  mkdirSync(certs, { recursive: true });
  const facts = join(dir, 'facts.json');
  writeFileSync(facts, JSON.stringify(makeFacts({ sshPorts: [2222] })));
  const cert = join(certs, 'shop.crt');
  const key = join(certs, 'shop.key');
  const answers = answersFile(dir, `domain: shop.example.com\ntls: custom\ncertificate: { cert: ${cert}, key: ${key} }\n`);
  const env = { LANG: 'C', STACK_WIZARD_STATE_DIR: join(dir, 'etc') };
  const init = async () => {
    let out = '';
    let err = '';
    const code = await main(['init', '--answers', answers, '--host-facts', facts, '--dry-run'], { io: { out: (s) => void (out += s), err: (s) => void (err += s) }, env, interactive: false, cwd: dir });
    return { code, out, err };
  };
  /** An operator's certificate: RSA, signed by a CA of their own (`openssl ca`, which can also backdate), the chain after it. */
  function issue(validity: { days: number } | { start: string; end: string }, cn = 'shop.example.com') {
    const ca = join(certs, 'ca');
    const db = join(certs, 'cadb');
    if (!existsSync(`${ca}.pem`)) {
      openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=Example CA', '-keyout', `${ca}.key`, '-out', `${ca}.pem`);
      mkdirSync(db, { recursive: true });
      writeFileSync(join(db, 'index.txt'), '');
      writeFileSync(join(db, 'serial'), '1000\n');
      writeFileSync(join(db, 'ca.cnf'), `[ca]\ndefault_ca = own\n[own]\ndatabase = ${db}/index.txt\nnew_certs_dir = ${db}\nserial = ${db}/serial\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\nunique_subject = no\n[any]\ncommonName = supplied\n`);
    }
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-keyout', key, '-out', join(certs, 'req.csr'));
    const dates = 'days' in validity ? ['-days', String(validity.days)] : ['-startdate', validity.start, '-enddate', validity.end];
    const leaf = join(certs, 'leaf.pem');
    openssl('ca', '-batch', '-notext', '-config', join(db, 'ca.cnf'), '-cert', `${ca}.pem`, '-keyfile', `${ca}.key`, ...dates, '-in', join(certs, 'req.csr'), '-out', leaf);
    writeFileSync(cert, readFileSync(leaf, 'utf8') + readFileSync(`${ca}.pem`, 'utf8'));
  }

  it('a missing certificate: exit 3, the preview still printed, the field and the fix named', async () => {
    const r = await init();
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/✗ Check the certificate and key \(tls: custom; changes nothing\)\n    ✗ certificate\.cert: .*shop\.crt does not exist; copy the certificate chain/);
    expect(r.out).toMatch(/Dry run: nothing was changed/);
    expect(r.err).toMatch(/the certificate files in the answers file cannot be used \(1 problem\(s\)\); nothing was changed/);
    expect(r.err).toMatch(/certificate\.cert: .*shop\.crt does not exist/);
  });

  it("a key that is not the certificate's: exit 3 naming certificate.key and how to compare them", async () => {
    issue({ days: 90 });
    openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key);
    const r = await init();
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/certificate\.key: .*shop\.key is not the private key of .*shop\.crt; use the key the certificate request was made with \(compare: openssl x509 -noout -pubkey/);
  });

  it('a key that is not a key: exit 3', async () => {
    writeFileSync(key, 'not a key\n');
    const r = await init();
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/certificate\.key: .*shop\.key is not a usable private key/);
  });

  it('a matching pair passes, with its expiry shown; a certificate for another name passes with a warning', async () => {
    issue({ days: 90 });
    let r = await init();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ Check the certificate and key \(tls: custom; changes nothing\)\n    ✓ .*shop\.crt and its key match; valid until \d{4}-\d\d-\d\d \((89|90) days\)/);
    issue({ days: 90 }, 'other.example.com');
    r = await init();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ .*shop\.crt does not cover shop\.example\.com \(it names DNS:other\.example\.com\): browsers will warn/);
  });

  it('an expired certificate: exit 3 with the date it expired', async () => {
    issue({ start: '20200101000000Z', end: '20210101000000Z' });
    const r = await init();
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/certificate\.cert: .*shop\.crt expired on 2021-01-01; renew it with your CA/);
  });
});
