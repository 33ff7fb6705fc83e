// Commands (argv, for the Executor) that create the certificate files nginx.conf names when they
// are not issued by Let's Encrypt: the self-signed pair, and the placeholder that lets nginx start
// before the first ACME issuance (see certbot.ts).
import type { Plan } from '../domain/plan.js';
import { HOST, SELF_SIGNED_CERT } from './paths.js';

export interface CertFiles { cert: string; key: string }

/** Host paths of the self-signed pair, under the install dir (mounted at CONTAINER.nginxCerts). */
export function selfSignedFiles(plan: Plan): CertFiles {
  return { cert: `${plan.installDir}/${HOST.nginxCerts}/${SELF_SIGNED_CERT.cert}`, key: `${plan.installDir}/${HOST.nginxCerts}/${SELF_SIGNED_CERT.key}` };
}

/** Host paths where the Let's Encrypt lineage will live; a placeholder goes there before the first issuance. */
export function letsencryptFiles(plan: Plan): CertFiles {
  const live = `${plan.installDir}/${HOST.letsencrypt}/live/${plan.nginx.domain}`;
  return { cert: `${live}/fullchain.pem`, key: `${live}/privkey.pem` };
}

/**
 * `openssl req` for a self-signed ECDSA P-256 certificate (825 days, the longest that Apple's
 * platforms accept for a server certificate), for the domain or, without one, the project name.
 */
export function selfSignedCertArgv(plan: Plan, out: CertFiles, days = 825): string[] {
  const name = plan.nginx.domain ?? plan.project;
  return [
    'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', String(days), '-subj', `/CN=${name}`,
    ...(plan.nginx.domain ? ['-addext', `subjectAltName=DNS:${plan.nginx.domain}`] : []),
    '-keyout', out.key, '-out', out.cert,
  ];
}
