// TLS on the lab server, as an operator runs init: first `tls: self-signed` (the certificate made
// with openssl, served on 443 with HSTS, remade when close to expiry), then the switch to
// `tls: letsencrypt` (as the DNS advice says: self-signed until the name resolves) against a real
// ACME server: Let's Encrypt's pebble on the lab network. The domain is a network alias of the server
// in Docker's embedded DNS, which both the server's resolver (init's DNS preflight) and pebble
// (-dnsserver) ask, so pebble validates http-01 against the server's published port 80, through the
// stack's Nginx, from the webroot certbot writes. The only difference to a real server: the ACME
// directory and the CA trusted for it come from STACK_WIZARD_ACME_SERVER / STACK_WIZARD_ACME_CA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, waitFor, type Client, type Container, type Server } from '../lab/lab.js';
import { INSTALL_DIR, PROJECT, labAnswers, runInit } from './support/apply-lab.js';

const DOMAIN = 'shop.lab.test';
const EMAIL = 'ops@lab.test';
const ANSWERS_SELF = '/root/lab/answers-self-signed.yaml';
const ANSWERS_LE = '/root/lab/answers-letsencrypt.yaml';
const API_CA = '/root/lab/pebble-api-ca.pem';
const ACME = { STACK_WIZARD_ACME_SERVER: 'https://pebble:14000/dir', STACK_WIZARD_ACME_CA: API_CA };
const SERVICE = `stack-wizard-${PROJECT}-certbot.service`;
const TIMER = `stack-wizard-${PROJECT}-certbot.timer`;
const HSTS = 'max-age=63072000';

let lab: Lab;
let server: Server;
let client: Client;
let pebble: Container;

/** The certificate the server presents on 443 for the domain, as the client sees it. */
async function served(caFile?: string): Promise<{ subject: string; issuer: string; serial: string; names: string; verify: string }> {
  const verify = caFile ? `-CAfile ${caFile} -verify_hostname ${DOMAIN}` : '';
  const out = await client.sh(
    `echo | openssl s_client -connect ${server.ip}:443 -servername ${DOMAIN} ${verify} 2>/dev/null >/tmp/s_client.txt; ` +
      'openssl x509 -noout -subject -issuer -serial -ext subjectAltName </tmp/s_client.txt; grep -m1 "Verify return code" /tmp/s_client.txt || true',
  );
  const field = (k: string) => new RegExp(`^${k}=\\s*(.*)$`, 'm').exec(out)?.[1]?.trim() ?? '';
  const names = /X509v3 Subject Alternative Name:.*\n\s*(.*)/.exec(out)?.[1]?.trim() ?? '';
  return { subject: field('subject'), issuer: field('issuer'), serial: field('serial'), names, verify: /Verify return code: (.*)/.exec(out)?.[1] ?? '' };
}

/** Response headers of https://DOMAIN/health from the client (the domain resolved to the server by curl). */
const headers = (tlsArgs: string[]) =>
  client.exec(['curl', '-sS', '--max-time', '10', '-o', '/dev/null', '-D', '-', '--resolve', `${DOMAIN}:443:${server.ip}`, ...tlsArgs, `https://${DOMAIN}/health`]).then((r) => r.stdout);

const tlsAnswers = (tls: string) => `${labAnswers()}domain: ${DOMAIN}\ntls: ${tls}\nemail: ${EMAIL}\n`;

beforeAll(async () => {
  lab = await Lab.create();
  [server, client, pebble] = await Promise.all([
    lab.startServer({ aliases: [DOMAIN], images: [IMAGES.mariadb, IMAGES.redis, IMAGES.nginx, IMAGES.app], wizard: true }),
    lab.startClient(),
    lab.startContainer('pebble', IMAGES.pebble, { args: ['--network-alias', 'pebble'] }),
  ]);
  await server.writeFile(ANSWERS_SELF, tlsAnswers('self-signed'));
  await server.writeFile(ANSWERS_LE, tlsAnswers('letsencrypt'));
  // The CA of pebble's API certificate, made when its container started: what certbot must trust.
  const apiCa = await waitFor('pebble to make its API certificate', async () => (await pebble.exec(['cat', '/etc/pebble/ca.pem'], { allowFail: true })).stdout || undefined, { timeoutMs: 60_000 });
  await server.writeFile(API_CA, apiCa);
  await client.writeFile('/root/pebble-api-ca.pem', apiCa);
});

afterAll(async () => {
  await lab?.cleanup();
});

describe('tls: self-signed on the lab server', () => {
  it('init makes the certificate with openssl before the start; Nginx serves it on 443 for the domain, with HSTS', async () => {
    const r = await runInit(server, ANSWERS_SELF);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/→ The certificate Nginx starts with\n\s+no certificate yet: openssl req -x509 -newkey ec/);
    // Before the stack starts, so Nginx has it when it loads its config.
    expect(r.stdout.indexOf('→ The certificate Nginx starts with')).toBeLessThan(r.stdout.indexOf('→ Start the stack'));
    const dir = `${INSTALL_DIR}/nginx/certs/selfsigned`;
    expect((await server.sh(`stat -c '%a %n' ${dir}/privkey.pem ${dir}/fullchain.pem`)).trim().split('\n')).toEqual([`600 ${dir}/privkey.pem`, `644 ${dir}/fullchain.pem`]);
    expect(await server.sh(`openssl x509 -in ${dir}/fullchain.pem -noout -ext subjectAltName`)).toContain(`DNS:${DOMAIN}`);

    const cert = await served();
    expect(cert.subject).toBe(`CN = ${DOMAIN}`);
    expect(cert.issuer).toBe(`CN = ${DOMAIN}`);
    expect(cert.names).toBe(`DNS:${DOMAIN}`);
    expect(await server.sh(`openssl x509 -in ${dir}/fullchain.pem -noout -serial`)).toBe(`serial=${cert.serial}\n`);
    const h = await headers(['-k']);
    expect(h).toMatch(/^HTTP\/[\d.]+ 200/);
    expect(h).toMatch(new RegExp(`^strict-transport-security: ${HSTS}\\r?$`, 'mi'));
    // Plain HTTP for the domain goes to HTTPS.
    const plain = await client.exec(['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', '-H', `Host: ${DOMAIN}`, `http://${server.ip}/health`]);
    expect(plain.stdout).toBe(`301 https://${DOMAIN}/health`);
  });

  it('a second init leaves the certificate alone', async () => {
    const before = await served();
    const r = await runInit(server, ANSWERS_SELF);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Nothing to change: the server already matches these answers\./);
    expect((await served()).serial).toBe(before.serial);
  });

  it('a certificate close to expiry is made anew, and the running Nginx reloads to serve it', async () => {
    const dir = `${INSTALL_DIR}/nginx/certs/selfsigned`;
    // As if it had been made 815 days ago: ten days left.
    await server.sh(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 10 -subj /CN=${DOMAIN} -keyout ${dir}/privkey.pem -out ${dir}/fullchain.pem 2>/dev/null`);
    await server.compose(INSTALL_DIR, ['exec', '-T', 'nginx', 'nginx', '-s', 'reload']);
    const old = await waitFor('Nginx to serve the 10-day certificate', async () => {
      const c = await served();
      return c.serial === (await server.sh(`openssl x509 -in ${dir}/fullchain.pem -noout -serial`)).trim().slice('serial='.length) ? c : undefined;
    });
    const r = await runInit(server, ANSWERS_SELF);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/the certificate expires on \d{4}-\d\d-\d\d: a new one: openssl req/);
    expect(r.stdout).toMatch(/nginx -s reload/);
    const now = await served();
    expect(now.serial).not.toBe(old.serial);
    expect(await server.sh(`openssl x509 -in ${dir}/fullchain.pem -noout -checkend ${800 * 86400} >/dev/null && echo long`)).toBe('long\n');
  });
});

describe("tls: letsencrypt against pebble (Let's Encrypt's test ACME server)", () => {
  let first: Awaited<ReturnType<typeof runInit>>;
  let pebbleRoot = '';

  beforeAll(async () => {
    first = await runInit(server, ANSWERS_LE, ACME);
    // The roots pebble issues under are made at its start: fetched from its management API, over TLS the client trusts.
    pebbleRoot = (await client.exec(['curl', '-sS', '--cacert', '/root/pebble-api-ca.pem', 'https://pebble:15000/roots/0'])).stdout;
    await client.writeFile('/root/pebble-root.pem', pebbleRoot);
  });

  it('init installs certbot, starts Nginx on a placeholder, gets the certificate over http-01 and reloads Nginx', async () => {
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const out = first.stdout;
    // The DNS preflight found the domain at this server, through the lab's DNS.
    expect(out).toMatch(new RegExp(`✓ ${DOMAIN.replace(/\./g, '\\.')} resolves to ${server.ip.replace(/\./g, '\\.')}`));
    expect(out).toContain('ACME server https://pebble:14000/dir instead of Let\'s Encrypt (STACK_WIZARD_ACME_SERVER)');
    const order = ['→ Install the TLS tools', '→ The certificate Nginx starts with', '→ Start the stack', "→ Get the Let's Encrypt certificate", "→ Enable the Let's Encrypt renewal timer"];
    const at = order.map((s) => out.indexOf(s));
    for (const i of at) expect(i).toBeGreaterThanOrEqual(0);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(out).toMatch(/apt-get install -y -q --no-install-recommends certbot/);
    expect(out).toMatch(/a placeholder until the first issuance, so Nginx can start/);
    expect(out).toMatch(/certbot certonly --non-interactive .* --server https:\/\/pebble:14000\/dir/);
    expect((await server.sh("dpkg-query -W -f '${db:Status-Abbrev}' certbot")).trim()).toBe('ii');

    // certbot's lineage replaced the placeholder: live/ holds its symlinks into archive/.
    const live = `${INSTALL_DIR}/letsencrypt/live/${DOMAIN}`;
    expect((await server.sh(`readlink ${live}/fullchain.pem ${live}/privkey.pem`)).trim().split('\n')).toEqual([
      `../../archive/${DOMAIN}/fullchain1.pem`,
      `../../archive/${DOMAIN}/privkey1.pem`,
    ]);
    // Pebble fetched the challenge through the published port 80 and the stack's Nginx.
    const access = await server.readFile(`${INSTALL_DIR}/logs/nginx/access.log`);
    expect(access).toMatch(new RegExp(`^${pebble.ip.replace(/\./g, '\\.')} .*"GET /\\.well-known/acme-challenge/[\\w-]+ HTTP/1\\.1" 200 `, 'm'));
  });

  it("Nginx serves pebble's certificate on 443: issued by its intermediate, verified up to its root for the domain, with HSTS", async () => {
    const intermediate = await client.sh('curl -sS --cacert /root/pebble-api-ca.pem https://pebble:15000/intermediates/0 | openssl x509 -noout -subject');
    const cert = await served('/root/pebble-root.pem');
    expect(intermediate).toMatch(/^subject=CN = Pebble Intermediate CA [0-9a-f]+\n$/);
    expect(`issuer=${cert.issuer}\n`).toBe(intermediate.replace(/^subject=/, 'issuer='));
    expect(cert.names).toBe(`DNS:${DOMAIN}`);
    expect(cert.verify).toBe('0 (ok)');
    const h = await headers(['--cacert', '/root/pebble-root.pem']);
    expect(h).toMatch(/^HTTP\/[\d.]+ 200/);
    expect(h).toMatch(new RegExp(`^strict-transport-security: ${HSTS}\\r?$`, 'mi'));
  });

  it('the renewal timer is linked from the install dir, enabled and waiting', async () => {
    for (const unit of [SERVICE, TIMER]) expect((await server.sh(`readlink /etc/systemd/system/${unit}`)).trim()).toBe(`${INSTALL_DIR}/systemd/${unit}`);
    expect((await server.exec(['systemctl', 'is-enabled', TIMER])).stdout.trim()).toBe('enabled');
    expect((await server.exec(['systemctl', 'is-active', TIMER])).stdout.trim()).toBe('active');
    expect(await server.sh(`systemctl list-timers --all --no-legend ${TIMER}`)).toContain(SERVICE);
    // The test CA reaches the renewal through a drop-in, not through the rendered unit.
    expect(await server.sh(`systemctl show -p Environment --value ${SERVICE}`)).toBe(`REQUESTS_CA_BUNDLE=${API_CA}\n`);
  });

  it('a second init changes nothing', async () => {
    const before = await served();
    const r = await runInit(server, ANSWERS_LE, ACME);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Nothing to change: the server already matches these answers\./);
    expect((await served()).serial).toBe(before.serial);
  });

  it("certbot renew --force-renewal, run by the timer's service, gets a new certificate and reloads Nginx with it", async () => {
    const before = await served('/root/pebble-root.pem');
    const challenges = async () => ((await server.readFile(`${INSTALL_DIR}/logs/nginx/access.log`)).match(/GET \/\.well-known\/acme-challenge\//g) ?? []).length;
    const validated = await challenges();
    // certbot reads /etc/letsencrypt/cli.ini whatever its --config-dir: the service runs unchanged.
    await server.writeFile('/etc/letsencrypt/cli.ini', 'force-renewal = True\n');
    try {
      await server.exec(['systemctl', 'start', SERVICE], { timeoutMs: 600_000 });
    } finally {
      await server.exec(['rm', '-f', '/etc/letsencrypt/cli.ini']);
    }
    expect((await server.exec(['systemctl', 'show', '-p', 'Result', '--value', SERVICE])).stdout.trim()).toBe('success');
    const after = await served('/root/pebble-root.pem');
    expect(after.serial).not.toBe(before.serial);
    expect(after.verify).toBe('0 (ok)');
    expect((await server.sh(`readlink ${INSTALL_DIR}/letsencrypt/live/${DOMAIN}/fullchain.pem`)).trim()).toBe(`../../archive/${DOMAIN}/fullchain2.pem`);
    // Validated anew through Nginx, and the deploy hook's reload is what makes Nginx serve the new one.
    expect(await challenges()).toBeGreaterThan(validated);
    expect(await server.sh(`openssl x509 -in ${INSTALL_DIR}/letsencrypt/live/${DOMAIN}/fullchain.pem -noout -serial`)).toBe(`serial=${after.serial}\n`);
  });
});
