// Let's Encrypt: issuance and renewal with the host's certbot, run by a systemd timer we render.
//
// Why host certbot rather than a certbot container: it installs from the distribution's own
// packages (apt, through the chosen apt mirror), so it works where Docker Hub is unreachable
// (mainland China) and adds no image to pull or update; systemd already offers timers with
// catch-up after downtime (Persistent=) and logs to the journal. The ACME http-01 challenge uses
// the webroot <installDir>/nginx/acme, which nginx serves at /.well-known/acme-challenge/ for the
// domain; certificates live in <installDir>/letsencrypt (mounted read-only into nginx at
// /etc/letsencrypt; certbot's live/ symlinks are relative, so they resolve inside the container).
// After a renewal, certbot's deploy hook reloads nginx in its container (graceful: no dropped
// connections). Let's Encrypt ended OCSP in 2025, so nginx does not staple for these certificates.
//
// First issuance (an init step): nginx cannot start without the certificate files it names, so
// the step writes a short-lived self-signed pair at live/<domain>/, starts the stack, removes that
// placeholder, runs certbotIssueArgv() (which creates the real lineage there), then reloads nginx.
import type { Plan } from '../domain/plan.js';
import serviceTemplate from '../../templates/certbot.service.tmpl';
import timerTemplate from '../../templates/certbot.timer.tmpl';
import { HOST } from './paths.js';
import { fill } from './template.js';
import { file, type RenderedFile } from './types.js';
import { join } from 'node:path';
import { SYS } from '../domain/host-paths.js';
import { hostFile, type HostFile } from './host-file.js';
import { shLine, unitArg, unitValue } from './format/quote.js';

export interface CertbotUnits { service: string; timer: string }

/** Unit names carry the project, so two stacks on one host renew independently. */
export function certbotUnitNames(plan: Plan): CertbotUnits {
  const base = `stack-wizard-${plan.project}-certbot`;
  return { service: `${base}.service`, timer: `${base}.timer` };
}

const at = (plan: Plan, rel: string) => `${plan.installDir}/${rel}`;

/**
 * Reloads nginx inside the stack's container; run by certbot after each successful renewal. certbot
 * hands the hook to /bin/sh, so the compose file's path is one quoted shell word.
 */
export function nginxReloadCommand(plan: Plan): string {
  return shLine(['docker', 'compose', '-f', `${plan.installDir}/${HOST.compose}`, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload']);
}

/** Directories certbot is pointed at: config (the certificates), work (locks) and logs, all under the install dir. */
export function certbotDirArgs(plan: Plan): string[] {
  return ['--config-dir', at(plan, HOST.letsencrypt), '--work-dir', at(plan, HOST.certbotWork), '--logs-dir', at(plan, HOST.certbotLogs)];
}

/** `certbot certonly` for the first certificate (webroot challenge through the running nginx). */
export function certbotIssueArgv(plan: Plan, opts: { server?: string } = {}): string[] {
  const n = plan.nginx;
  if (n.tls !== 'letsencrypt' || !n.domain || !n.email) throw new Error('certbotIssueArgv: the plan does not use Let\'s Encrypt');
  return [
    'certbot', 'certonly', '--non-interactive', '--agree-tos', '--no-eff-email',
    '--email', n.email,
    '--webroot', '--webroot-path', at(plan, HOST.acmeWebroot),
    '--cert-name', n.domain, '-d', n.domain,
    // ECDSA P-256: smaller handshakes; every client of Mozilla's intermediate profile supports it.
    '--key-type', 'ecdsa', '--elliptic-curve', 'secp256r1',
    ...certbotDirArgs(plan),
    '--deploy-hook', nginxReloadCommand(plan),
    ...(opts.server ? ['--server', opts.server] : []),
  ];
}

/** `certbot renew` as the timer runs it: only certificates due within 30 days are renewed. */
export function certbotRenewArgv(plan: Plan): string[] {
  return [
    'certbot', 'renew', '--quiet', '--non-interactive',
    // Without a terminal certbot would first sleep up to 8 minutes to spread the load on Let's
    // Encrypt; the timer's RandomizedDelaySec already does that, so the service finishes promptly.
    '--no-random-sleep-on-renew',
    ...certbotDirArgs(plan), '--deploy-hook', nginxReloadCommand(plan),
  ];
}

export function renderCertbotUnits(plan: Plan): RenderedFile[] {
  if (plan.nginx.tls !== 'letsencrypt') return [];
  const names = certbotUnitNames(plan);
  const argv = certbotRenewArgv(plan);
  // Each value quoted for where it lands in the unit (format/quote.ts): specifiers, `$`, quotes, line breaks.
  const values = { project: unitValue(plan.project), domain: unitValue(plan.nginx.domain ?? ''), installDir: unitValue(plan.installDir) };
  const service = fill(serviceTemplate, { ...values, execStart: [`/usr/bin/${argv[0]}`, ...argv.slice(1)].map(unitArg).join(' ') });
  const timer = fill(timerTemplate, { project: values.project, domain: values.domain });
  return [file(`${HOST.systemd}/${names.service}`, service), file(`${HOST.systemd}/${names.timer}`, timer)];
}

/** The systemd drop-in that hands certbot's renewal service the CA bundle of a test ACME server. */
export const certbotCaDropInPath = (plan: Plan) => join(SYS.systemdDir, `${certbotUnitNames(plan).service}.d`, 'stack-wizard-acme-ca.conf');

/**
 * The drop-in for `ca` (STACK_WIZARD_ACME_CA, named by `caEnv`) against what is there now; without a
 * CA an existing one is removed. null: neither wanted nor there.
 */
export function certbotCaDropIn(plan: Plan, ca: string | null, old: string | null, caEnv: string): HostFile | null {
  if (!ca && old === null) return null;
  const text = ca ? `# Written by stack-wizard from ${caEnv}: the CA bundle certbot trusts for the test ACME server.\n[Service]\nEnvironment=REQUESTS_CA_BUNDLE=${ca}\n` : null;
  return hostFile(certbotCaDropInPath(plan), text, old);
}
