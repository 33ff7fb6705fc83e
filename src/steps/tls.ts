// TLS on the server, per the answers' `tls` mode (the files themselves come from render/):
//   custom       preflight: the certificate and key exist, belong together and have not expired
//   self-signed  the pair under nginx/certs/selfsigned, made with openssl; renewed when close to expiry
//   letsencrypt  certbot from apt (through the chosen apt mirror), a placeholder pair so Nginx can
//                start, the first issuance through the webroot once the stack runs, Nginx reloaded,
//                and the rendered renewal timer linked and enabled (see render/certbot.ts)
// Two environment variables point Let's Encrypt elsewhere, for a test ACME server (and only that:
// the code path is the one a real server takes): STACK_WIZARD_ACME_SERVER (the ACME directory URL,
// passed as certbot --server and remembered by certbot for renewals) and STACK_WIZARD_ACME_CA (a PEM
// bundle certbot trusts for that server, through REQUESTS_CA_BUNDLE; the renewal service gets it
// from a systemd drop-in).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Context } from '../context.js';
import type { T } from '../i18n/index.js';
import type { Plan } from '../domain/plan.js';
import { CommandError, commandLine } from '../exec/executor.js';
import { hostError, opError } from '../errors.js';
import { certbotCaDropIn, certbotCaDropInPath, certbotIssueArgv, certbotRenewArgv, certbotUnitNames } from '../render/certbot.js';
import { SYS, hostPath } from '../domain/host-paths.js';
import { changes, type HostFile } from '../render/host-file.js';
import { HOST } from '../render/paths.js';
import { letsencryptFiles, selfSignedCertArgv, selfSignedFiles, type CertFiles } from '../render/tls-certs.js';
import type { Step } from './engine.js';
import type { Prepared } from './prepare.js';
import { offEngine } from './live-engine.js';
import { reloadNginx } from './up.js';


export const ACME_SERVER_ENV = 'STACK_WIZARD_ACME_SERVER';
export const ACME_CA_ENV = 'STACK_WIZARD_ACME_CA';

/** A self-signed certificate is made anew when it has less than this left (Let's Encrypt's renewal window too). */
export const RENEW_BEFORE_DAYS = 30;
/** The placeholder only has to carry Nginx until the first issuance; a week covers a retry after fixing DNS. */
const PLACEHOLDER_DAYS = 7;
const DAY_MS = 86_400_000;
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'a' };

export interface AcmeOverrides { server: string | null; ca: string | null }

export function acmeOverrides(env: NodeJS.ProcessEnv): AcmeOverrides {
  return { server: env[ACME_SERVER_ENV]?.trim() || null, ca: env[ACME_CA_ENV]?.trim() || null };
}

/** certbot's environment: the CA bundle it trusts for a test ACME server (requests reads REQUESTS_CA_BUNDLE). */
const certbotEnv = (o: AcmeOverrides): Record<string, string> | undefined => (o.ca ? { REQUESTS_CA_BUNDLE: o.ca } : undefined);

// ---------------------------------------------------------------------------------------------
// Reading certificates (read-only: works in dry-run)

export interface CertState {
  cert: X509Certificate | null;
  /** Why the pair cannot be used as it is; null when it can. */
  problem: 'missing' | 'unreadable' | 'keyMissing' | 'keyMismatch' | null;
  detail: string;
}

async function readPair(ctx: Context, files: CertFiles): Promise<CertState> {
  const certText = await ctx.exec.readFile(files.cert).catch((e: NodeJS.ErrnoException) => {
    throw hostError('tls.err.unreadable', { file: files.cert, detail: e.code ?? e.message });
  });
  if (certText === null) return { cert: null, problem: 'missing', detail: files.cert };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certText);
  } catch (e) {
    return { cert: null, problem: 'unreadable', detail: (e as Error).message };
  }
  const keyText = await ctx.exec.readFile(files.key).catch(() => null);
  if (keyText === null) return { cert, problem: 'keyMissing', detail: files.key };
  try {
    return cert.checkPrivateKey(createPrivateKey(keyText)) ? { cert, problem: null, detail: '' } : { cert, problem: 'keyMismatch', detail: '' };
  } catch (e) {
    return { cert, problem: 'keyMismatch', detail: (e as Error).message };
  }
}

const daysLeft = (cert: X509Certificate, now: Date) => Math.floor((Date.parse(cert.validTo) - now.getTime()) / DAY_MS);
const isoDay = (cert: X509Certificate) => new Date(cert.validTo).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// custom: a preflight check of the operator's files

interface Finding { error: boolean; text: string }

async function customFindings(ctx: Context, plan: Plan): Promise<Finding[]> {
  const c = plan.nginx.certificate;
  if (!c) return [];
  const st = await readPair(ctx, c);
  const p = { cert: c.cert, key: c.key };
  switch (st.problem) {
    case 'missing':
      return [{ error: true, text: ctx.t('tls.custom.certMissing', p) }];
    case 'unreadable':
      return [{ error: true, text: ctx.t('tls.custom.certInvalid', { ...p, detail: st.detail }) }];
    case 'keyMissing':
      return [{ error: true, text: ctx.t('tls.custom.keyMissing', p) }];
    case 'keyMismatch':
      return [{ error: true, text: ctx.t(st.detail ? 'tls.custom.keyInvalid' : 'tls.custom.keyMismatch', { ...p, detail: st.detail }) }];
  }
  const cert = st.cert!;
  const out: Finding[] = [];
  const left = daysLeft(cert, ctx.clock());
  if (left < 0) out.push({ error: true, text: ctx.t('tls.custom.expired', { ...p, date: isoDay(cert) }) });
  else out.push({ error: false, text: ctx.t(left < RENEW_BEFORE_DAYS ? 'tls.custom.expiresSoon' : 'tls.custom.ok', { ...p, date: isoDay(cert), days: left }) });
  const domain = plan.nginx.domain;
  // A certificate for another name serves, but every browser warns: worth saying, not worth refusing.
  if (domain && !cert.checkHost(domain)) {
    out.push({ error: false, text: ctx.t('tls.custom.otherName', { ...p, domain, names: cert.subjectAltName ?? cert.subject }) });
  }
  return out;
}

const MARK = (f: Finding) => `${f.error ? '✗' : '✓'} ${f.text}`;

/** tls: custom: the certificate and key the answers name are usable by Nginx. Changes nothing. */
export const tlsCustomStep: Step = {
  id: 'tls-custom',
  title: 'tls.step.custom',
  preflight: true,
  async check(ctx, s) {
    const f = await customFindings(ctx, s.plan);
    return { needed: f.some((x) => x.error), changes: f.map(MARK) };
  },
  async apply(ctx, s) {
    const errors = (await customFindings(ctx, s.plan)).filter((x) => x.error);
    if (errors.length) throw hostError('tls.err.custom', { count: errors.length }, errors.map(MARK));
  },
};

/** tls: letsencrypt with a test ACME server: the overrides are shown, and a CA bundle that is not there stops the run. */
export const tlsAcmeStep: Step = {
  id: 'tls-acme',
  title: 'tls.step.acme',
  preflight: true,
  async check(ctx, s) {
    if (s.plan.nginx.tls !== 'letsencrypt') return { needed: false, changes: [] };
    const o = acmeOverrides(ctx.env);
    const lines: string[] = [];
    let bad = false;
    if (o.server) {
      const ok = /^https:\/\/[^\s/]+/.test(o.server);
      bad ||= !ok;
      lines.push(`${ok ? '·' : '✗'} ${ctx.t(ok ? 'tls.acme.server' : 'tls.acme.serverBad', { url: o.server, env: ACME_SERVER_ENV })}`);
    }
    if (o.ca) {
      const text = await ctx.exec.readFile(o.ca).catch(() => null);
      const ok = text !== null && text.includes('-----BEGIN CERTIFICATE-----');
      bad ||= !ok;
      lines.push(`${ok ? '·' : '✗'} ${ctx.t(ok ? 'tls.acme.ca' : 'tls.acme.caBad', { file: o.ca, env: ACME_CA_ENV })}`);
    }
    return { needed: bad, changes: lines };
  },
  async apply(ctx, s) {
    const c = await tlsAcmeStep.check(ctx, s);
    if (c.needed) throw hostError('tls.err.acmeOverride', {}, c.changes.filter((l) => l.startsWith('✗')));
  },
};

// ---------------------------------------------------------------------------------------------
// Tools: openssl (self-signed pair, placeholder) and certbot, from the distribution's packages

/** The Debian/Ubuntu packages this TLS mode needs on the host, by the binary that proves each is there. */
function wantedTools(plan: Plan): { pkg: string; bin: string }[] {
  if (plan.nginx.tls !== 'self-signed' && plan.nginx.tls !== 'letsencrypt') return [];
  const out = [{ pkg: 'openssl', bin: '/usr/bin/openssl' }];
  // The renewal unit runs /usr/bin/certbot: a snap's /snap/bin/certbot does not count.
  if (plan.nginx.tls === 'letsencrypt') out.push({ pkg: 'certbot', bin: '/usr/bin/certbot' });
  return out;
}

async function missingTools(ctx: Context, plan: Plan): Promise<string[]> {
  const out: string[] = [];
  for (const t of wantedTools(plan)) if (!(await ctx.exec.exists(t.bin))) out.push(t.pkg);
  return out;
}

const aptInstall = (pkgs: string[]) => ['install', '-y', '-q', '--no-install-recommends', ...pkgs];

export const tlsToolsStep: Step = {
  id: 'tls-tools',
  title: 'tls.step.tools',
  async check(ctx, s) {
    const other = offEngine(ctx);
    if (other) return other;
    const miss = await missingTools(ctx, s.plan);
    // Recommends are left out: certbot's would pull in a web server plugin (and a web server).
    return { needed: miss.length > 0, changes: miss.length ? ['apt-get update', `apt-get ${aptInstall(miss).join(' ')}`] : [] };
  },
  async apply(ctx, s, emit) {
    const miss = await missingTools(ctx, s.plan);
    if (!miss.length) return;
    const onLine = (line: string) => /^(Get|Setting up|E:|W:)/.test(line) && emit({ kind: 'output', text: line });
    try {
      // The lists may be stale, or the apt mirror step has just changed the sources.
      await ctx.exec.run('apt-get', ['update', '-q'], { env: APT_ENV, timeoutMs: 15 * 60_000, onLine });
      await ctx.exec.run('apt-get', aptInstall(miss), { env: APT_ENV, timeoutMs: 15 * 60_000, onLine });
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      const detail = e.result.stderr.split('\n').filter((l) => /^(?:E|W):/.test(l)).slice(-2).join(' | ') || e.message;
      throw opError('tls.err.apt', { packages: miss.join(' '), detail });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// The certificate Nginx starts with: the self-signed pair, or the Let's Encrypt placeholder

/** Whether certbot has a lineage for the domain (its renewal config), i.e. the real certificate was issued. */
async function issued(ctx: Context, plan: Plan): Promise<boolean> {
  const conf = join(plan.installDir, HOST.letsencrypt, 'renewal', `${plan.nginx.domain}.conf`);
  return (await ctx.exec.exists(conf)) && (await ctx.exec.exists(letsencryptFiles(plan).cert));
}

interface CertPlan { files: CertFiles; days: number; reason: string }

async function certPlan(ctx: Context, plan: Plan): Promise<CertPlan | null> {
  const n = plan.nginx;
  if (n.tls === 'self-signed') {
    const files = selfSignedFiles(plan);
    const st = await readPair(ctx, files);
    const name = n.domain ?? plan.project;
    let reason: string | null = null;
    if (st.problem === 'missing') reason = ctx.t('tls.cert.missing');
    else if (st.problem) reason = ctx.t('tls.cert.unusable', { detail: st.problem === 'keyMismatch' ? 'key mismatch' : st.problem });
    else if (!st.cert!.subject.split('\n').includes(`CN=${name}`)) reason = ctx.t('tls.cert.otherName', { name });
    else if (daysLeft(st.cert!, ctx.clock()) < RENEW_BEFORE_DAYS) reason = ctx.t('tls.cert.expiring', { date: isoDay(st.cert!) });
    return reason ? { files, days: 825, reason } : null;
  }
  if (n.tls === 'letsencrypt') {
    if (await issued(ctx, plan)) return null;
    const files = letsencryptFiles(plan);
    // A placeholder already there (an earlier run stopped before issuance) carries Nginx as well.
    if ((await readPair(ctx, files)).problem === null) return null;
    return { files, days: PLACEHOLDER_DAYS, reason: ctx.t('tls.cert.placeholder') };
  }
  return null;
}

/**
 * openssl writes into a scratch folder beside the target; the pair then replaces the old one in one
 * all-or-nothing write (the key 0600), so Nginx never sees a new certificate with an old key.
 */
async function makePair(ctx: Context, plan: Plan, files: CertFiles, days: number): Promise<void> {
  const argv = selfSignedCertArgv(plan, { cert: files.cert, key: files.key }, days);
  if (ctx.exec.dryRun) {
    await ctx.exec.run(argv[0]!, argv.slice(1));
    return;
  }
  const dir = dirname(files.cert);
  await ctx.exec.mkdir(dir, 0o755);
  const tmp = (await ctx.exec.run('mktemp', ['-d', join(dir, '.stack-wizard-cert.XXXXXX')])).stdout.trim();
  try {
    const out = { cert: join(tmp, 'cert.pem'), key: join(tmp, 'key.pem') };
    const a = selfSignedCertArgv(plan, out, days);
    await ctx.exec.run(a[0]!, a.slice(1), { timeoutMs: 60_000 });
    const [cert, key] = [await ctx.exec.readFile(out.cert), await ctx.exec.readFile(out.key)];
    if (!cert || !key) throw opError('tls.err.openssl', { file: files.cert });
    await ctx.exec.writeFiles([
      { path: files.key, content: key, mode: 0o600 },
      { path: files.cert, content: cert, mode: 0o644 },
    ]);
  } finally {
    await ctx.exec.remove(tmp);
  }
}

async function nginxRunning(ctx: Context, plan: Plan): Promise<boolean> {
  if (await ctx.docker.unreachable()) return false;
  return (await ctx.docker.projectContainers(plan.project)).some((c) => c.service === 'nginx' && c.state === 'running');
}

export const tlsCertStep: Step = {
  id: 'tls-cert',
  title: 'tls.step.cert',
  async check(ctx, s) {
    const p = await certPlan(ctx, s.plan);
    if (!p) return { needed: false, changes: [] };
    const argv = selfSignedCertArgv(s.plan, p.files, p.days);
    const changes = [`${p.reason}: ${commandLine(argv[0]!, argv.slice(1))}`];
    if (!offEngine(ctx) && (await nginxRunning(ctx, s.plan))) changes.push('nginx -s reload');
    return { needed: true, changes };
  },
  async apply(ctx, s, emit) {
    const p = await certPlan(ctx, s.plan);
    if (!p) return;
    await makePair(ctx, s.plan, p.files, p.days);
    // Nginx reads certificates when it (re)loads its configuration: a running one must reload.
    if (!offEngine(ctx) && (await nginxRunning(ctx, s.plan))) await reloadNginx(ctx, s.plan.installDir, emit);
  },
};

// ---------------------------------------------------------------------------------------------
// Let's Encrypt: first issuance, once the stack serves the webroot on port 80

function issueArgv(ctx: Context, plan: Plan): string[] {
  return certbotIssueArgv(plan, { server: acmeOverrides(ctx.env).server ?? undefined });
}

export const tlsIssueStep: Step = {
  id: 'tls-issue',
  title: 'tls.step.issue',
  async check(ctx, s) {
    if (s.plan.nginx.tls !== 'letsencrypt') return { needed: false, changes: [] };
    const other = offEngine(ctx);
    if (other) return other;
    if (await issued(ctx, s.plan)) return { needed: false, changes: [] };
    const argv = issueArgv(ctx, s.plan);
    return { needed: true, changes: [commandLine(argv[0]!, argv.slice(1)), 'nginx -s reload'] };
  },
  async apply(ctx, s, emit) {
    const plan = s.plan;
    if (plan.nginx.tls !== 'letsencrypt' || (await issued(ctx, plan))) return;
    const o = acmeOverrides(ctx.env);
    const files = letsencryptFiles(plan);
    const live = dirname(files.cert);
    await ctx.exec.mkdir(join(plan.installDir, HOST.acmeWebroot), 0o755);
    // certbot refuses to create a lineage over an existing live/<domain>: the placeholder goes (Nginx
    // keeps it loaded until the reload), and comes back if issuance fails, so Nginx can still restart.
    await ctx.exec.remove(live);
    const argv = issueArgv(ctx, plan);
    try {
      await ctx.exec.run(argv[0]!, argv.slice(1), {
        env: certbotEnv(o),
        timeoutMs: 10 * 60_000,
        onLine: (line) => line.trim() && emit({ kind: 'output', text: line.trim() }),
      });
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      await makePair(ctx, plan, files, PLACEHOLDER_DAYS).catch(() => undefined);
      const out = `${e.result.stdout}\n${e.result.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l && !/^Saving debug log/.test(l));
      throw opError('tls.err.issue', { domain: plan.nginx.domain!, server: o.server ?? 'https://acme-v02.api.letsencrypt.org/directory', log: join(plan.installDir, HOST.certbotLogs, 'letsencrypt.log') }, out.slice(-8));
    }
    await reloadNginx(ctx, plan.installDir, emit);
  },
};

// ---------------------------------------------------------------------------------------------
// Let's Encrypt: the renewal timer (rendered into <installDir>/systemd/, linked into systemd)

interface UnitState { path: string; name: string; linkedTo: string | null; enabled: string; active: string; needReload: boolean }

async function unitState(ctx: Context, plan: Plan, name: string): Promise<UnitState> {
  const path = join(plan.installDir, HOST.systemd, name);
  const link = await ctx.exec.query('readlink', ['-f', join(SYS.systemdDir, name)], { timeoutMs: 5000 });
  const r = await ctx.exec.query('systemctl', ['show', '--property=UnitFileState,ActiveState,NeedDaemonReload', name], { timeoutMs: 10_000 });
  const prop = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(r.stdout)?.[1]?.trim() ?? '';
  const linkedTo = link.exitCode === 0 && (await ctx.exec.exists(join(SYS.systemdDir, name))) ? link.stdout.trim() : null;
  return { path, name, linkedTo, enabled: prop('UnitFileState'), active: prop('ActiveState'), needReload: prop('NeedDaemonReload') === 'yes' };
}

/** The renewal service's CA drop-in as it would be written (or removed) now. */
async function caDropIn(ctx: Context, plan: Plan): Promise<HostFile | null> {
  const old = await ctx.exec.readFile(hostPath(ctx.hostRoot, certbotCaDropInPath(plan)));
  return certbotCaDropIn(plan, acmeOverrides(ctx.env).ca, old, ACME_CA_ENV);
}

/** The host files the renewal step would write now (the CA drop-in of a test ACME server): what init's preview diffs. */
export async function tlsHostFiles(ctx: Context, s: Prepared): Promise<HostFile[]> {
  if (s.plan.nginx.tls !== 'letsencrypt' || offEngine(ctx) || !s.facts.systemd) return [];
  const drop = await caDropIn(ctx, s.plan);
  return drop ? [drop] : [];
}

type TimerOp = { kind: 'run'; args: string[] } | { kind: 'write'; path: string; content: string } | { kind: 'remove'; path: string };

async function timerOps(ctx: Context, plan: Plan): Promise<TimerOp[]> {
  const names = certbotUnitNames(plan);
  const service = await unitState(ctx, plan, names.service);
  const timer = await unitState(ctx, plan, names.timer);
  const ops: TimerOp[] = [];
  const unlinked = [service, timer].filter((u) => u.linkedTo !== u.path);
  if (unlinked.length) ops.push({ kind: 'run', args: ['link', ...unlinked.map((u) => u.path)] });
  const drop = await caDropIn(ctx, plan);
  if (drop && changes(drop)) {
    const path = hostPath(ctx.hostRoot, drop.path);
    ops.push(drop.content === null ? { kind: 'remove', path } : { kind: 'write', path, content: drop.content });
  }
  // A linked file that was re-rendered, or a drop-in written: systemd must read them again.
  if (!unlinked.length && (ops.length || service.needReload || timer.needReload)) ops.push({ kind: 'run', args: ['daemon-reload'] });
  if (timer.enabled !== 'enabled' || timer.active !== 'active' || unlinked.length) ops.push({ kind: 'run', args: ['enable', '--now', names.timer] });
  return ops;
}

const describeTimerOp = (t: T, op: TimerOp) =>
  op.kind === 'run' ? commandLine('systemctl', op.args) : t(op.kind === 'write' ? 'chg.write' : 'chg.remove', { path: op.path });

export const tlsRenewalStep: Step = {
  id: 'tls-renewal',
  title: 'tls.step.renewal',
  async check(ctx, s) {
    if (s.plan.nginx.tls !== 'letsencrypt') return { needed: false, changes: [] };
    const other = offEngine(ctx);
    if (other) return other;
    if (!s.facts.systemd) {
      const argv = certbotRenewArgv(s.plan);
      return { needed: false, changes: [ctx.t('tls.renewal.noSystemd', { cmd: commandLine(argv[0]!, argv.slice(1)) })] };
    }
    const ops = await timerOps(ctx, s.plan);
    return { needed: ops.length > 0, changes: ops.map((op) => describeTimerOp(ctx.t, op)) };
  },
  async apply(ctx, s) {
    if (s.plan.nginx.tls !== 'letsencrypt' || !s.facts.systemd) return;
    for (const op of await timerOps(ctx, s.plan)) {
      if (op.kind === 'run') await ctx.exec.run('systemctl', op.args, { timeoutMs: 60_000 });
      else if (op.kind === 'write') await ctx.exec.writeFiles([{ path: op.path, content: op.content, mode: 0o644 }]);
      else await ctx.exec.remove(op.path);
    }
  },
};

// ---------------------------------------------------------------------------------------------

export interface TlsSteps { preflight: Step[]; beforeStart: Step[]; afterStart: Step[] }

/** The TLS steps for this plan's mode (every one of them without a plan, e.g. to list titles). */
export function tlsSteps(plan?: Plan): TlsSteps {
  const mode = plan?.nginx.tls;
  const all = mode === undefined;
  const le = all || mode === 'letsencrypt';
  return {
    preflight: [...(all || mode === 'custom' ? [tlsCustomStep] : []), ...(le ? [tlsAcmeStep] : [])],
    beforeStart: all || mode === 'self-signed' || le ? [tlsToolsStep, tlsCertStep] : [],
    afterStart: le ? [tlsIssueStep, tlsRenewalStep] : [],
  };
}
