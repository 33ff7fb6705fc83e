// The certificate's evidence: the file nginx serves from, what the HTTPS port really sends, and
// the renewal timer. Checked by src/domain/doctor/checks-tls.ts.
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { join } from 'node:path';
import { CUSTOM_CERT, HOST, SELF_SIGNED_CERT } from '../../render/paths.js';
import { certbotUnitNames } from '../../render/certbot.js';
import type { CertInfo } from '../../domain/doctor/checks-tls.js';
import type { Gatherers } from './gather.js';

function certInfo(c: X509Certificate): CertInfo {
  const san = (c.subjectAltName ?? '').split(/,\s*/).filter((x) => x.startsWith('DNS:')).map((x) => x.slice(4));
  const cn = /CN=([^\n,]+)/.exec(c.subject)?.[1]?.trim();
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    names: san.length ? san : cn ? [cn] : [],
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    fingerprint256: c.fingerprint256,
    selfSigned: c.subject === c.issuer,
  };
}

export function servedChain(port: number, servername: string | null, timeoutMs: number): Promise<{ chain: CertInfo[]; authorized: boolean; authError: string | null; error: string | null }> {
  return new Promise((resolve) => {
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername && !/^[\d.]+$/.test(servername) ? { servername } : {}) });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ chain: [], authorized: false, authError: null, error: 'timed out' });
    }, timeoutMs);
    sock.on('secureConnect', () => {
      clearTimeout(timer);
      const chain: CertInfo[] = [];
      let c = sock.getPeerX509Certificate();
      const seen = new Set<string>();
      // Walk what the server sent: leaf, then each issuer it included.
      let peer = sock.getPeerCertificate(true) as tls.DetailedPeerCertificate | null;
      while (peer && peer.raw && !seen.has(peer.fingerprint256)) {
        seen.add(peer.fingerprint256);
        try {
          chain.push(certInfo(new X509Certificate(peer.raw)));
        } catch {
          break;
        }
        peer = peer.issuerCertificate && peer.issuerCertificate !== peer ? peer.issuerCertificate : null;
      }
      if (chain.length === 0 && c) chain.push(certInfo(c));
      c = undefined;
      const authError = sock.authorizationError ? String((sock.authorizationError as unknown as { code?: string }).code ?? sock.authorizationError) : null;
      resolve({ chain, authorized: sock.authorized, authError, error: null });
      sock.end();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ chain: [], authorized: false, authError: null, error: e.code ?? e.message });
    });
  });
}

export const tlsGatherers: Pick<Gatherers, 'tls'> = {
  async tls(g) {
    const p = g.stack.plan;
    const n = p.nginx;
    const mode = n.tls;
    const expectedName = n.domain ?? (mode === 'self-signed' ? p.project : null);
    if (mode === 'none') return { mode, domain: null, expectedName, file: null, served: null, timer: null };
    const path =
      mode === 'self-signed' ? join(p.installDir, HOST.nginxCerts, SELF_SIGNED_CERT.cert)
        : mode === 'letsencrypt' ? join(p.installDir, HOST.letsencrypt, 'live', n.domain ?? '', 'fullchain.pem')
          : (n.certificate?.cert ?? join(p.installDir, HOST.nginxCerts, CUSTOM_CERT.cert));
    let file: { path: string; cert: CertInfo | null; error: string | null };
    const pem = await g.readText(path);
    if (pem === null) file = { path, cert: null, error: 'ENOENT' };
    else {
      try {
        file = { path, cert: certInfo(new X509Certificate(pem)), error: null };
      } catch (e) {
        file = { path, cert: null, error: (e as Error).message };
      }
    }
    const served = await servedChain(p.ports.https, n.domain, 8000);
    let timer = null;
    if (mode === 'letsencrypt') {
      const units = certbotUnitNames(p);
      const en = await g.q('systemctl', ['is-enabled', units.timer], 5000);
      const show = await g.q('systemctl', ['show', '-p', 'Result', '-p', 'ExecMainExitTimestamp', units.service], 5000);
      const prop = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(show.stdout)?.[1]?.trim() || null;
      timer = {
        unit: units.timer,
        enabled: en.stdout.trim() || null,
        active: await g.unitActive(units.timer),
        lastResult: prop('ExecMainExitTimestamp') ? prop('Result') : null,
        lastRun: prop('ExecMainExitTimestamp'),
        journal: await g.journal(['-u', units.service], 8),
      };
    }
    return { mode, domain: n.domain, expectedName, file, served, timer };
  },
};
