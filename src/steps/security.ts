// The security steps: packages, firewall (ufw + DOCKER-USER), fail2ban, log rotation, kernel
// settings, swap. Each step plans its operations from what the host has now (read-only), shows
// them as its changes, and on apply plans again and runs them through the Executor. A second apply
// finds nothing to do. `security apply` and init run them all: the firewall and fail2ban follow the
// answers' switches, the host tuning runs regardless.
// The files they write come from generators (render/security-*.ts) as HostFiles, which init's
// preview also shows as diffs (securityHostFiles).
import { join } from 'node:path';
import type { Context } from '../context.js';
import { commandLine, CommandError } from '../exec/executor.js';
import { hostError, opError, WizardError } from '../errors.js';
import type { HostFacts } from '../domain/facts.js';
import type { MsgKey, Params, T } from '../i18n/index.js';
import type { Step, StepCheck } from './engine.js';
import type { Prepared } from './prepare.js';
import { guardFirewall, rulesAfter, ufwChanges, ufwCommands, wantedAllows, wantedPeerAllows, type GuardRefusal } from '../domain/firewall.js';
import { banBackend, type Fail2banHost } from '../domain/fail2ban.js';
import { SWAPFILE, swapDecision, sysctlSettings, type SwapDecision } from '../domain/host-tuning.js';
import { SYS, UFW_LOCK, hostPath } from '../domain/host-paths.js';
import { dockerUserBlock, dockerUserRuleSpecs, renderUfwFiles, type UfwFilesProblem } from '../render/security-ufw.js';
import { JAILS, fail2banHostFiles, renderFail2ban } from '../render/security-fail2ban.js';
import { fstabHostFile, logrotateHostFile, sysctlHostFile } from '../render/security-host.js';
import { changes, type HostFile } from '../render/host-file.js';
import { readHostFile } from '../host/host-files.js';
import { HOST } from '../render/paths.js';
import { NGINX_ACCESS_LOG, NGINX_ERROR_LOG } from '../render/nginx-log.js';
import {
  fail2banLog, inContainer, missingPackages, operatorAddresses, readDockerUser, readFail2ban, readFirewallPrograms, readSwaps,
  readSysctl, readUfw, sshLogSource, sshSessions,
} from '../host/security.js';

export type Op =
  | { kind: 'write'; path: string; content: string; mode: number; why?: string }
  | { kind: 'run'; cmd: string; args: string[]; env?: Record<string, string> };

interface Planned {
  ops: Op[];
  /** Lines shown before the operations: what was found, why something is skipped. */
  notes: string[];
  refusal?: WizardError;
  /** The host files the step manages, as generated (changed or not); its writes are among `ops`. */
  files?: HostFile[];
}

const MiB = 1024 * 1024;
const write = (path: string, content: string, mode = 0o644, why?: string): Op => ({ kind: 'write', path, content, mode, why });
const run = (cmd: string, ...args: string[]): Op => ({ kind: 'run', cmd, args });
/** A host file's write, under the host root. */
const writeOf = (ctx: Context, f: HostFile): Op => write(hostPath(ctx.hostRoot, f.path), f.content ?? '', f.mode, f.why);
const readHost = (ctx: Context, path: string) => readHostFile(ctx.exec, ctx.hostRoot, path);
/** Every ufw call of ours takes the same lock as fail2ban's ban action: ufw does not lock its rule files. */
const ufw = (...args: string[]): Op => run('flock', '-w', '60', UFW_LOCK, 'ufw', ...args);

export function describeOp(t: T, op: Op): string {
  if (op.kind === 'run') return commandLine(op.cmd, op.args);
  return op.why ? t('chg.writeWhy', { path: op.path, why: op.why }) : t('chg.write', { path: op.path });
}

async function execOp(ctx: Context, op: Op, emit?: (text: string) => void): Promise<void> {
  if (op.kind === 'write') {
    await ctx.exec.writeFiles([{ path: op.path, content: op.content, mode: op.mode }]);
  } else {
    await ctx.exec.run(op.cmd, op.args, { env: op.env, timeoutMs: 600_000, onLine: emit ? (l) => emit(l) : undefined });
  }
}

function toCheck(ctx: Context, p: Planned): StepCheck {
  const lines = [...p.notes];
  if (p.refusal) lines.push(`${ctx.t('sec.refused')} ${ctx.t(p.refusal.key, p.refusal.params)}`);
  lines.push(...p.ops.map((op) => describeOp(ctx.t, op)));
  return { needed: p.ops.length > 0 || p.refusal !== undefined, changes: lines };
}

/**
 * Whether a step runs at all. The firewall and fail2ban follow their switches; host tuning (kernel
 * settings, swap, log rotation) runs whatever they say: Redis needs vm.overcommit_memory=1 either way.
 */
function gated(ctx: Context, s: Prepared, own: 'firewall' | 'fail2ban' | null): Planned | null {
  const plan = s.plan;
  // Firewall rules from another machine's facts could lock this one out: these steps need this host's own probe.
  if (s.factsFile) return { ops: [], notes: [ctx.t('sec.off.factsFile', { file: s.factsFile })] };
  if (own && !plan.security[own]) return { ops: [], notes: [ctx.t(own === 'firewall' ? 'sec.off.firewall' : 'sec.off.fail2ban')] };
  // ufw and fail2ban act on this machine's netfilter: their files under another root would not be the ones they read.
  if (own && ctx.hostRoot) return { ops: [], notes: [ctx.t('sec.off.otherRoot', { root: ctx.hostRoot })] };
  return null;
}

function makeStep(
  id: string,
  title: MsgKey,
  planFn: (ctx: Context, s: Prepared) => Promise<Planned>,
  applyFn?: (ctx: Context, s: Prepared, p: Planned, emit: (text: string) => void) => Promise<void>,
): Step {
  return {
    id,
    title,
    async check(ctx, s) {
      return toCheck(ctx, await planFn(ctx, s));
    },
    async apply(ctx, s, emit) {
      const p = await planFn(ctx, s);
      if (p.refusal) throw p.refusal;
      const out = (text: string) => emit({ kind: 'output', text });
      if (applyFn) await applyFn(ctx, s, p, out);
      else for (const op of p.ops) await execOp(ctx, op, out);
    },
  };
}

// ---- packages ----

async function wantedPackages(ctx: Context, s: Prepared): Promise<string[]> {
  const pk: string[] = [];
  if (s.plan.security.firewall) pk.push('ufw');
  if (s.plan.security.fail2ban) {
    pk.push('fail2ban');
    // fail2ban's systemd backend imports it; Debian only recommends it, so a minimal install lacks it.
    if ((await sshLogSource(ctx.exec, s.facts)).backend === 'systemd') pk.push('python3-systemd');
  }
  pk.push('logrotate');
  return pk;
}

function packagesStep(): Step {
  const plan = async (ctx: Context, s: Prepared): Promise<Planned> => {
    const g = gated(ctx, s, null);
    if (g) return g;
    const want = await wantedPackages(ctx, s);
    const miss = await missingPackages(ctx.exec, want);
    if (miss === null) {
      const probes: Record<string, string> = { ufw: 'ufw', fail2ban: 'fail2ban-client', logrotate: 'logrotate' };
      const absent = [];
      for (const p of want) {
        const bin = probes[p];
        if (bin && (await ctx.exec.query(bin, ['--version'], { timeoutMs: 5000 })).exitCode === 127) absent.push(p);
      }
      if (absent.length) return { ops: [], notes: [], refusal: hostError('sec.err.noApt', { packages: absent.join(' ') }) };
      return { ops: [], notes: [] };
    }
    if (miss.length === 0) return { ops: [], notes: [] };
    const op: Op = { kind: 'run', cmd: 'apt-get', args: ['install', '-y', '-q', '--no-install-recommends', ...miss], env: { DEBIAN_FRONTEND: 'noninteractive' } };
    return { ops: [op], notes: [] };
  };
  return makeStep('security-packages', 'sec.step.packages', plan, async (ctx, _s, p, emit) => {
    for (const op of p.ops) {
      try {
        await execOp(ctx, op, emit);
      } catch (e) {
        if (!(e instanceof CommandError)) throw e;
        // Package lists are often stale on a fresh VM: refresh once and try again.
        try {
          await execOp(ctx, { kind: 'run', cmd: 'apt-get', args: ['update', '-q'], env: { DEBIAN_FRONTEND: 'noninteractive' } }, emit);
          await execOp(ctx, op, emit);
        } catch (again) {
          if (!(again instanceof CommandError)) throw again;
          const detail = again.result.stderr.split('\n').filter((l) => /^(?:E|W):/.test(l)).slice(-2).join(' | ') || again.message;
          throw opError('sec.err.aptFailed', { packages: op.kind === 'run' ? op.args.filter((a) => !a.startsWith('-') && a !== 'install').join(' ') : '', detail });
        }
      }
    }
  });
}

// ---- firewall ----

export function refusalError(r: GuardRefusal): WizardError {
  switch (r.reason) {
    case 'sshdPortClosed':
      return hostError('sec.guard.sshdPortClosed', { port: r.port });
    case 'sessionPortClosed':
      return hostError('sec.guard.sessionPortClosed', { port: r.port, address: r.address });
    case 'sessionDenied':
      return hostError('sec.guard.sessionDenied', { port: r.port, address: r.address, rule: `ufw ${r.rule}` });
    case 'ipv6Off':
      return hostError('sec.guard.ipv6Off', { address: r.address });
  }
}

async function planFirewall(ctx: Context, s: Prepared): Promise<Planned> {
  const g = gated(ctx, s, 'firewall');
  if (g) return g;
  const { plan, facts } = s;
  const st = await readUfw(ctx.exec, ctx.hostRoot);
  const notes: string[] = [];
  // firewalld and ufw would both rewrite the same netfilter rules: refuse before touching either.
  if ((await readFirewallPrograms(ctx.exec, st.active)).firewalld) return { ops: [], notes, refusal: hostError('sec.err.firewalldActive') };
  if (!st.installed) notes.push(ctx.t('sec.note.ufwMissing'));
  else if (!st.readable) notes.push(ctx.t('sec.note.ufwUnreadable'));
  if (facts.sshd.source !== 'listening') notes.push(ctx.t('sec.note.sshdNotSeen', { ports: plan.security.sshPorts.join(', '), source: ctx.t(`ssh.source.${facts.sshd.source}`) }));

  const ops: Op[] = [];
  const wanted = wantedAllows(plan);
  // Without IPV6=yes ufw drops all IPv6 once enabled; our rules must then be added again for IPv6.
  const ipv6Was = st.defaults.ipv6;
  const fw = renderUfwFiles(plan, { installed: st.installed, defaultsText: st.defaultsText, ipv6: ipv6Was, afterRules: st.afterRules, after6Rules: st.after6Rules });
  for (const f of fw.files) if (f.path === SYS.ufwDefaults) ops.push(writeOf(ctx, f));
  const sessions = await sshSessions(ctx.exec, facts);
  const ch = ufwChanges(st.rules, st.defaults, wanted, !ipv6Was, sessions, wantedPeerAllows(plan));
  // The operator's narrower SSH rules stay as they are (said in the preview); a session they would cut gets its own address allowed.
  for (const r of ch.keep) notes.push(ctx.t('sec.note.sshNarrowKept', { rule: `ufw ${r.text}` }));
  for (const x of ch.sessionAllows) notes.push(ctx.t('sec.note.sshSessionAllowed', { address: x.address, port: x.port }));
  for (const args of ufwCommands(ch)) ops.push(ufw(...args));

  if (fw.problem) return { ops: [], notes, refusal: ufwFilesError(ctx, fw.problem) };
  let afterChanged = false;
  for (const f of fw.files) {
    if (f.path === SYS.ufwDefaults || !changes(f)) continue;
    ops.push(writeOf(ctx, f));
    afterChanged = true;
  }

  if (!st.active) ops.push(ufw('--force', 'enable'));
  else {
    // Active, files as wanted, but the live DOCKER-USER differs (hand edits, an old block): reload makes it so.
    const live = await readDockerUser(ctx.exec);
    const want = dockerUserRuleSpecs(dockerUserBlock(plan, 4));
    const liveDiffers = live.v4 === null || live.v4.join('\n') !== want.join('\n');
    if (afterChanged || !ipv6Was || liveDiffers) ops.push(ufw('reload'));
  }

  // The guard: the rules after this change must admit every port sshd listens on and every SSH session now open.
  const refusal = guardFirewall({
    sessions,
    sshdPorts: [...new Set([...facts.sshd.ports, ...plan.security.sshPorts])],
    rules: rulesAfter(st.rules, ch),
    incoming: 'deny',
    ipv6: true,
  });
  if (sessions.length) notes.push(ctx.t('sec.note.sessions', { list: sessions.map((x) => `${x.address} → :${x.port}`).join(', ') }));
  return { ops, notes, refusal: refusal ? refusalError(refusal) : undefined, files: fw.files };
}

function ufwFilesError(ctx: Context, p: UfwFilesProblem): WizardError {
  const file = hostPath(ctx.hostRoot, p.path);
  return p.reason === 'missing' ? opError('sec.err.noAfterRules', { file }) : opError('sec.err.blockDamaged', { file, detail: p.detail ?? '' });
}

// ---- fail2ban ----

export async function fail2banHost(ctx: Context, s: Prepared): Promise<Fail2banHost> {
  const [ufwState, sshLog, docker, f2bLog, operator] = await Promise.all([
    readUfw(ctx.exec, ctx.hostRoot), sshLogSource(ctx.exec, s.facts), readDockerUser(ctx.exec), fail2banLog(ctx.exec, ctx.hostRoot), operatorAddresses(ctx.exec, s.facts),
  ]);
  const banWith = banBackend(s.plan.security.firewall, await readFirewallPrograms(ctx.exec, ufwState.active));
  // No firewall program at all to ban with: fail2ban would start and ban nothing.
  if (banWith === null) throw hostError('sec.err.noBanBackend');
  return {
    sshLog,
    banWith,
    dockerUser: docker.v4 !== null,
    fail2banLog: f2bLog,
    operatorAddresses: operator.addresses,
  };
}

export const expectedJails = () => [JAILS.sshd, JAILS.limit, JAILS.scan, JAILS.recidive];

interface F2bPlanned extends Omit<Planned, 'files'> {
  /** Config files to write, with what they held before (null: absent), for rollback if fail2ban rejects them. */
  files: { path: string; content: string; mode: number; old: string | null }[];
  /** Every config file, as generated. */
  hostFiles: HostFile[];
  service: Op[];
  systemd: boolean;
}

async function planFail2ban(ctx: Context, s: Prepared): Promise<F2bPlanned> {
  const empty = { files: [], service: [], systemd: false, hostFiles: [] };
  const g = gated(ctx, s, 'fail2ban');
  if (g) return { ...g, ...empty };
  let host: Fail2banHost;
  try {
    host = await fail2banHost(ctx, s);
  } catch (e) {
    if (e instanceof WizardError) return { ops: [], notes: [], refusal: e, ...empty };
    throw e;
  }
  const notes: string[] = [ctx.t(host.sshLog.backend === 'systemd' ? 'sec.note.sshJournal' : 'sec.note.sshFile', host.sshLog.backend === 'file' ? { path: host.sshLog.path } : {})];
  // Said, not done silently: the addresses fail2ban will never ban besides security.ignoreIp.
  const extra = host.operatorAddresses.filter((a) => !s.plan.security.ignoreIp.includes(a));
  if (extra.length) notes.push(ctx.t('sec.note.ignoreOperator', { list: extra.join(', ') }));
  if (host.banWith === 'iptables') notes.push(ctx.t('sec.note.banIptables'));
  if (host.banWith === 'firewalld') notes.push(ctx.t('sec.note.banFirewalld'));
  if (host.banWith === 'nftables') notes.push(ctx.t('sec.note.banNftables'));
  const ops: Op[] = [];
  const files: F2bPlanned['files'] = [];
  const olds = new Map<string, string | null>();
  for (const f of renderFail2ban(s.plan, host)) olds.set(f.path, await readHost(ctx, f.path));
  const hostFiles = fail2banHostFiles(s.plan, host, (p) => olds.get(p) ?? null);
  for (const f of hostFiles.filter(changes)) {
    const op = writeOf(ctx, f);
    if (op.kind !== 'write') continue;
    files.push({ path: op.path, content: op.content, mode: op.mode, old: f.old });
    ops.push(op);
  }
  // Jails refuse to start on a log file that does not exist yet (Nginx has not run, fail2ban never started).
  const logs = [
    join(s.plan.installDir, HOST.nginxLogs, NGINX_ACCESS_LOG),
    join(s.plan.installDir, HOST.nginxLogs, NGINX_ERROR_LOG),
    ...(host.fail2banLog.backend === 'file' ? [host.fail2banLog.path] : []),
    // No journal and no auth.log yet (sshd logging through a syslog daemon that has not written it).
    ...(host.sshLog.backend === 'file' ? [host.sshLog.path] : []),
  ];
  const created: Op[] = [];
  for (const l of logs) if (!(await ctx.exec.exists(l))) created.push(write(l, '', 0o640, ctx.t('sec.emptyLog')));

  const systemd = s.facts.systemd;
  const state = await readFail2ban(ctx.exec);
  const service: Op[] = [];
  const missingJails = expectedJails().filter((j) => !state.jails.some((x) => x.name === j));
  if (!state.running) service.push(systemd ? run('systemctl', 'restart', 'fail2ban') : run('fail2ban-client', 'start'));
  else if (files.length > 0 || missingJails.length > 0) service.push(run('fail2ban-client', 'reload'));
  if (systemd) {
    const en = await ctx.exec.query('systemctl', ['is-enabled', 'fail2ban'], { timeoutMs: 5000 });
    if (en.stdout.trim() !== 'enabled') service.push(run('systemctl', 'enable', 'fail2ban'));
  }
  if (!state.running && state.installed) notes.push(ctx.t('sec.note.fail2banDown'));
  else if (state.running && missingJails.length) notes.push(ctx.t('sec.note.jailsMissing', { jails: missingJails.join(', ') }));
  const test = files.length > 0 || !state.running ? [run('fail2ban-client', '-t')] : [];
  return { ops: [...created, ...ops, ...test, ...service], notes, files, service, systemd, hostFiles };
}

function fail2banStep(): Step {
  return {
    id: 'security-fail2ban',
    title: 'sec.step.fail2ban',
    async check(ctx, s) {
      return toCheck(ctx, await planFail2ban(ctx, s));
    },
    async apply(ctx, s, emit) {
      const p = await planFail2ban(ctx, s);
      if (p.refusal) throw p.refusal;
      const out = (text: string) => emit({ kind: 'output', text });
      const test = p.ops.filter((op) => op.kind === 'run' && op.cmd === 'fail2ban-client' && op.args[0] === '-t');
      const before = p.ops.filter((op) => !test.includes(op) && !p.service.includes(op));
      for (const op of before) await execOp(ctx, op, out);
      for (const op of test) {
        if (op.kind !== 'run') continue;
        const r = await ctx.exec.run(op.cmd, op.args, { check: false, timeoutMs: 60_000 });
        if (r.exitCode !== 0) {
          // fail2ban would not start with these files: put the previous ones back and say why.
          for (const f of p.files) {
            if (f.old === null) await ctx.exec.remove(f.path);
            else await ctx.exec.writeFiles([{ path: f.path, content: f.old, mode: f.mode }]);
          }
          const why = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /ERROR|error/.test(l)).slice(-3).join(' | ');
          throw opError('sec.err.fail2banConfig', { detail: why || `exit ${r.exitCode}` });
        }
      }
      for (const op of p.service) await execOp(ctx, op, out);
      if (ctx.exec.dryRun) return;
      // The jails come up a moment after the server answers; a jail that does not is a real failure.
      let missing: string[] = expectedJails();
      for (let i = 0; i < 30 && missing.length; i++) {
        const st = await readFail2ban(ctx.exec);
        missing = expectedJails().filter((j) => !st.jails.some((x) => x.name === j));
        if (missing.length) await new Promise((r) => setTimeout(r, 500));
      }
      if (missing.length) throw opError('sec.err.jailsDown', { jails: missing.join(', ') });
    },
  };
}

// ---- logrotate, sysctl, swap ----

async function planLogrotate(ctx: Context, s: Prepared): Promise<Planned> {
  const g = gated(ctx, s, null);
  if (g) return g;
  const f = logrotateHostFile(s.plan, await readHost(ctx, SYS.logrotate(s.plan.project)));
  return { ops: changes(f) ? [writeOf(ctx, f)] : [], notes: [], files: [f] };
}

async function planSysctl(ctx: Context, s: Prepared): Promise<Planned> {
  const g = gated(ctx, s, null);
  if (g) return g;
  const st = await readSysctl(ctx.exec, ctx.hostRoot);
  if (!st.writable || inContainer(s.facts)) return { ops: [], notes: [ctx.t('sec.note.sysctlContainer')] };
  const settings = sysctlSettings(s.plan, st.values);
  const f = sysctlHostFile(s.plan, settings, await readHost(ctx, SYS.sysctl));
  const ops: Op[] = [];
  if (changes(f)) ops.push(writeOf(ctx, f));
  const drift = settings.filter((x) => st.values[x.key] !== x.value);
  if (ops.length || drift.length) ops.push(run('sysctl', '-p', hostPath(ctx.hostRoot, SYS.sysctl)));
  const notes = drift.map((x) => `${x.key}: ${st.values[x.key] ?? '?'} → ${x.value}`);
  return { ops, notes, files: [f] };
}

async function freeDiskMiB(ctx: Context, path: string): Promise<number> {
  const r = await ctx.exec.query('df', ['-Pk', path], { timeoutMs: 5000 });
  const cols = r.stdout.trim().split('\n')[1]?.trim().split(/\s+/);
  return cols && cols[3] ? Math.floor(Number(cols[3]) / 1024) : 0;
}

export interface SwapView { decision: SwapDecision; activeMiB: number; swapfileActive: boolean }

export async function swapView(ctx: Context, facts: HostFacts): Promise<SwapView> {
  const root = ctx.hostRoot;
  const swaps = await readSwaps(ctx.exec, root);
  const activeMiB = Math.floor(swaps.reduce((n, x) => n + x.sizeKiB, 0) / 1024);
  // Switched on from outside a chroot, the kernel lists it under the chroot's path.
  const swapfileActive = swaps.some((x) => x.path === SWAPFILE || x.path === `${root}${SWAPFILE}`);
  const decision = swapDecision({
    ramMiB: Math.floor(facts.memory.totalBytes / MiB),
    swapMiB: activeMiB,
    freeDiskMiB: await freeDiskMiB(ctx, `${root}/`),
    container: inContainer(facts),
  });
  return { decision, activeMiB, swapfileActive };
}

async function planSwap(ctx: Context, s: Prepared): Promise<Planned> {
  const g = gated(ctx, s, null);
  if (g) return g;
  const v = await swapView(ctx, s.facts);
  const ops: Op[] = [];
  // The fstab line names the file as the booted system sees it: /swapfile, also under a root prefix.
  const fstab = fstabHostFile(await readHost(ctx, SYS.fstab));
  const file = hostPath(ctx.hostRoot, SWAPFILE);
  if (v.decision.create) {
    const size = v.decision.sizeMiB;
    if (!(await ctx.exec.exists(file))) ops.push(run('fallocate', '-l', `${size}M`, file));
    ops.push(run('chmod', '600', file), run('mkswap', file), run('swapon', file));
    if (fstab) ops.push(writeOf(ctx, fstab));
    return { ops, notes: [ctx.t('sec.note.swapCreate', { size, ram: Math.floor(s.facts.memory.totalBytes / MiB) })], files: fstab ? [fstab] : [] };
  }
  // Our swap file is on, but a reboot would lose it: add its fstab line.
  const line = v.swapfileActive ? fstab : null;
  if (line) ops.push(writeOf(ctx, line));
  const p: Params = { swap: v.activeMiB, size: v.decision.sizeMiB ?? 0 };
  return { ops, notes: [ctx.t(`sec.note.swap.${v.decision.reason}` as MsgKey, p)], files: line ? [line] : [] };
}

function swapStep(): Step {
  return makeStep('security-swap', 'sec.step.swap', (ctx, s) => planSwap(ctx, s), async (ctx, _s, p, emit) => {
    for (const op of p.ops) {
      try {
        await execOp(ctx, op, emit);
      } catch (e) {
        // Some filesystems refuse a fallocated swap file ("has holes"): write it out with dd instead.
        if (!(e instanceof CommandError) || op.kind !== 'run' || op.cmd !== 'swapon') throw e;
        const size = p.ops.find((x) => x.kind === 'run' && x.cmd === 'fallocate');
        const mib = size && size.kind === 'run' ? size.args[1]!.replace(/M$/, '') : null;
        if (!mib) throw e;
        const file = op.args[0]!;
        await ctx.exec.remove(file);
        await execOp(ctx, run('dd', 'if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mib}`, 'status=none'), emit);
        for (const again of [run('chmod', '600', file), run('mkswap', file), run('swapon', file)]) await execOp(ctx, again, emit);
      }
    }
  });
}

/**
 * Runs first and changes nothing: refuses the whole run, before any package or file is touched,
 * when the firewall rules would cut an SSH session. The firewall step checks again right before it acts.
 */
function guardStep(): Step {
  return {
    id: 'security-guard',
    title: 'sec.step.guard',
    preflight: true,
    async check(ctx, s) {
      const p = await planFirewall(ctx, s);
      return p.refusal ? toCheck(ctx, { ops: [], notes: [], refusal: p.refusal }) : { needed: false, changes: [] };
    },
    async apply(ctx, s) {
      const p = await planFirewall(ctx, s);
      if (p.refusal) throw p.refusal;
    },
  };
}

/** The refusal the lock-out guard would give for this stack on this host, if any. */
export async function firewallRefusal(ctx: Context, s: Prepared): Promise<WizardError | undefined> {
  return (await planFirewall(ctx, s)).refusal;
}

export function securitySteps(): Step[] {
  return [
    guardStep(),
    packagesStep(),
    makeStep('security-firewall', 'sec.step.firewall', (ctx, s) => planFirewall(ctx, s)),
    fail2banStep(),
    makeStep('security-logrotate', 'sec.step.logrotate', (ctx, s) => planLogrotate(ctx, s)),
    makeStep('security-sysctl', 'sec.step.sysctl', (ctx, s) => planSysctl(ctx, s)),
    swapStep(),
  ];
}

/**
 * The host files the security steps would write now (firewall, fail2ban, logrotate, kernel
 * settings, fstab), as their own plans generate them: what init's preview diffs. A step that is
 * off or refuses writes none.
 */
export async function securityHostFiles(ctx: Context, s: Prepared): Promise<HostFile[]> {
  const out: HostFile[] = [];
  for (const plan of [planFirewall, planFail2ban, planLogrotate, planSysctl, planSwap]) {
    const p = await plan(ctx, s);
    if (p.refusal) continue;
    out.push(...(('hostFiles' in p ? p.hostFiles : p.files) ?? []));
  }
  return out;
}
