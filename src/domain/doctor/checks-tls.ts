// HTTPS: the certificate's expiry, name and chain (the file nginx reads and what it really serves),
// and for Let's Encrypt the renewal timer. Pure.
import { fmtAge, msg, okFinding, type CheckDef, type Finding, type Fix, type Line } from './types.js';

export interface CertInfo {
  subject: string;
  issuer: string;
  /** DNS names of subjectAltName (and the CN when there is no SAN). */
  names: string[];
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
  selfSigned: boolean;
}

export interface TlsEvidence {
  mode: 'none' | 'letsencrypt' | 'self-signed' | 'custom';
  domain: string | null;
  /** The name the certificate must carry: the domain, else the project (self-signed). */
  expectedName: string | null;
  /** The certificate file nginx is configured with (host path). */
  file: { path: string; cert: CertInfo | null; error: string | null } | null;
  /** What nginx serves on the HTTPS port (SNI = the expected name). */
  served: { chain: CertInfo[]; authorized: boolean; authError: string | null; error: string | null } | null;
  /** Let's Encrypt: the renewal timer and its service's last run. */
  timer: { unit: string; enabled: string | null; active: string | null; lastResult: string | null; lastRun: string | null; journal: string[] } | null;
}

const DAY = 86_400_000;

/** Whether a certificate name (possibly `*.example.com`) covers `host`. */
export function nameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h) return true;
  if (p.startsWith('*.')) {
    const rest = p.slice(2);
    const i = h.indexOf('.');
    return i > 0 && h.slice(i + 1) === rest;
  }
  return false;
}

// HTTPS off is said once (by the expiry check); the others have nothing to look at.
const none = (check: string, id: string): Finding[] => [{ ...okFinding(check, id, 'doc.tls.off'), severity: check === 'tls-expiry' ? 'info' : 'ok' }];

function renewFix(e: TlsEvidence): Fix {
  if (e.mode === 'self-signed') return { auto: true, action: { kind: 'renew-cert', mode: 'self-signed' }, notes: [msg('doc.tls.fix.selfSignedNote')] };
  if (e.mode === 'letsencrypt') return { auto: true, action: { kind: 'renew-cert', mode: 'letsencrypt' }, notes: [msg('doc.tls.fix.leNote')] };
  return { auto: false, steps: [msg('doc.tls.fix.custom', { path: e.file?.path ?? '?' }), msg('doc.tls.fix.reload')] };
}

/** The certificate that matters: what is served, else the file. */
const current = (e: TlsEvidence): CertInfo | null => e.served?.chain[0] ?? e.file?.cert ?? null;

export const tlsExpiryCheck: CheckDef<TlsEvidence> = {
  id: 'tls-expiry',
  label: 'doc.check.tlsExpiry',
  symptoms: ['tls', 'down'],
  evaluate(e, now) {
    if (e.mode === 'none') return none('tls-expiry', 'tls.expiry');
    const ev: Line[] = [];
    if (e.file) ev.push(e.file.cert ? msg('doc.tls.ev.file', { path: e.file.path, until: e.file.cert.notAfter, subject: e.file.cert.subject }) : msg('doc.tls.ev.fileError', { path: e.file.path, error: e.file.error ?? '?' }));
    if (e.served) ev.push(e.served.chain[0] ? msg('doc.tls.ev.served', { until: e.served.chain[0].notAfter, issuer: e.served.chain[0].issuer }) : msg('doc.tls.ev.servedError', { error: e.served.error ?? '?' }));
    const c = current(e);
    if (!c) {
      return [{ id: 'tls.expiry', check: 'tls-expiry', severity: 'error', title: msg('doc.tls.noCert'), explain: msg('doc.tls.noCertExplain'), evidence: ev, fix: renewFix(e), causedBy: [], hints: { needs: ['nginx'] } }];
    }
    const left = (Date.parse(c.notAfter) - now.getTime()) / DAY;
    const ev2 = left >= 0 ? [...ev, msg('doc.tls.ev.left', { days: Math.floor(left) })] : ev;
    // A served certificate older than the file: renewed, but nginx was not reloaded.
    const stale = e.served?.chain[0] && e.file?.cert && e.served.chain[0].fingerprint256 !== e.file.cert.fingerprint256 && Date.parse(e.file.cert.notAfter) > Date.parse(e.served.chain[0].notAfter);
    if (left < 0) {
      return [{
        id: 'tls.expiry', check: 'tls-expiry', severity: 'error', title: msg('doc.tls.expired', { ago: fmtAge(-left * 86400), date: c.notAfter }), explain: msg('doc.tls.expiredExplain'), evidence: ev2,
        fix: stale ? { auto: true, action: { kind: 'reload-nginx' }, notes: [msg('doc.tls.fix.staleNote')] } : renewFix(e), causedBy: [],
      }];
    }
    if (stale) {
      return [{ id: 'tls.expiry', check: 'tls-expiry', severity: 'warn', title: msg('doc.tls.stale'), explain: msg('doc.tls.staleExplain'), evidence: ev2, fix: { auto: true, action: { kind: 'reload-nginx' }, notes: [] }, causedBy: [] }];
    }
    // Let's Encrypt renews 30 days ahead: under 20 days left means renewal has been failing for 10.
    const warnDays = e.mode === 'letsencrypt' ? 20 : 14;
    if (left < warnDays) {
      return [{ id: 'tls.expiry', check: 'tls-expiry', severity: 'warn', title: msg('doc.tls.soon', { days: Math.floor(left) }), explain: msg(e.mode === 'letsencrypt' ? 'doc.tls.soonLeExplain' : 'doc.tls.soonExplain'), evidence: ev2, fix: renewFix(e), causedBy: [] }];
    }
    return [okFinding('tls-expiry', 'tls.expiry', 'doc.tls.expiryOk', ev2, { days: Math.floor(left) })];
  },
};

export const tlsNameCheck: CheckDef<TlsEvidence> = {
  id: 'tls-name',
  label: 'doc.check.tlsName',
  symptoms: ['tls'],
  evaluate(e) {
    if (e.mode === 'none') return none('tls-name', 'tls.name');
    const c = current(e);
    if (!c || !e.expectedName) return [{ ...okFinding('tls-name', 'tls.name', 'doc.tls.nameUnknown'), severity: 'info' }];
    const ev: Line[] = [msg('doc.tls.ev.names', { names: c.names.join(', ') || '-', want: e.expectedName })];
    if (c.names.some((x) => nameMatches(x, e.expectedName!))) return [okFinding('tls-name', 'tls.name', 'doc.tls.nameOk', ev, { name: e.expectedName })];
    return [{
      id: 'tls.name', check: 'tls-name', severity: e.domain ? 'error' : 'warn', title: msg('doc.tls.nameWrong', { want: e.expectedName, names: c.names.join(', ') || '-' }),
      explain: msg('doc.tls.nameExplain'), evidence: ev, fix: renewFix(e), causedBy: [],
    }];
  },
};

export const tlsChainCheck: CheckDef<TlsEvidence> = {
  id: 'tls-chain',
  label: 'doc.check.tlsChain',
  symptoms: ['tls'],
  evaluate(e) {
    if (e.mode === 'none') return none('tls-chain', 'tls.chain');
    if (!e.served) return [{ ...okFinding('tls-chain', 'tls.chain', 'doc.tls.chainUnknown'), severity: 'info', hints: { needs: ['nginx'] } }];
    if (e.served.error || e.served.chain.length === 0) {
      return [{ id: 'tls.chain', check: 'tls-chain', severity: 'error', title: msg('doc.tls.handshake', { error: e.served.error ?? '?' }), explain: msg('doc.tls.handshakeExplain'), evidence: [], fix: null, causedBy: [], hints: { needs: ['nginx'] } }];
    }
    const ev: Line[] = e.served.chain.map((c, i) => `#${i} ${c.subject} ← ${c.issuer} (${c.notAfter})`);
    if (e.served.authError) ev.push(msg('doc.tls.ev.verify', { error: e.served.authError }));
    if (e.mode === 'self-signed') return [{ ...okFinding('tls-chain', 'tls.chain', 'doc.tls.selfSigned', ev), severity: 'info' }];
    if (e.served.authorized) return [okFinding('tls-chain', 'tls.chain', 'doc.tls.chainOk', ev, { depth: e.served.chain.length })];
    // A leaf served without its intermediate verifies in some browsers (cached) and fails in curl, apps, Android.
    const incomplete = /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/.test(e.served.authError ?? '');
    return [{
      id: 'tls.chain', check: 'tls-chain', severity: 'error',
      title: msg(incomplete ? 'doc.tls.chainIncomplete' : 'doc.tls.chainBad', { error: e.served.authError ?? '?' }),
      explain: msg(incomplete ? 'doc.tls.chainIncompleteExplain' : 'doc.tls.chainBadExplain'), evidence: ev,
      fix: e.mode === 'letsencrypt' ? renewFix(e) : { auto: false, steps: [msg('doc.tls.fix.fullchain', { path: e.file?.path ?? '?' }), msg('doc.tls.fix.reload')] },
      causedBy: [],
    }];
  },
};

export const tlsRenewalCheck: CheckDef<TlsEvidence> = {
  id: 'tls-renewal',
  label: 'doc.check.tlsRenewal',
  symptoms: ['tls'],
  evaluate(e) {
    if (e.mode !== 'letsencrypt' || !e.timer) return [{ ...okFinding('tls-renewal', 'tls.renewal', e.mode === 'none' ? 'doc.tls.off' : 'doc.tls.renewalNa'), severity: e.mode === 'none' ? 'ok' : 'info' }];
    const t = e.timer;
    const ev: Line[] = [msg('doc.tls.ev.timer', { unit: t.unit, enabled: t.enabled ?? '?', active: t.active ?? '?', result: t.lastResult ?? '-', last: t.lastRun ?? '-' }), ...t.journal.slice(-4)];
    if (t.enabled !== 'enabled' || t.active !== 'active') {
      return [{
        id: 'tls.renewal', check: 'tls-renewal', severity: 'error', title: msg('doc.tls.timerOff', { unit: t.unit }), explain: msg('doc.tls.timerExplain'), evidence: ev,
        fix: { auto: true, action: { kind: 'commands', argv: [['systemctl', 'enable', '--now', t.unit]] }, notes: [] }, causedBy: [],
      }];
    }
    if (t.lastResult && t.lastResult !== 'success') {
      return [{
        id: 'tls.renewal', check: 'tls-renewal', severity: 'warn', title: msg('doc.tls.renewFailed', { result: t.lastResult }), explain: msg('doc.tls.renewFailedExplain'), evidence: ev,
        fix: { auto: true, action: { kind: 'renew-cert', mode: 'letsencrypt' }, notes: [msg('doc.tls.fix.leNote')] }, causedBy: [], hints: { signals: t.journal.some((l) => /DNS problem|NXDOMAIN|resolve/i.test(l)) ? ['dns'] : [] },
      }];
    }
    return [okFinding('tls-renewal', 'tls.renewal', 'doc.tls.renewalOk', ev)];
  },
};
