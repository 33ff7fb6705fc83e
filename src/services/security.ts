// Use cases: apply and show the host's security (firewall, fail2ban, host tuning) for the
// installed stack (or the one in an answers file). `security` and the menu's rows call these.
import type { Context } from '../context.js';
import { hostError, usageError } from '../errors.js';
import { loadAnswers, prepare, type Prepared } from '../steps/prepare.js';
import { installedStacks } from '../steps/installed.js';
import { previewSteps, runSteps } from '../steps/engine.js';
import { firewallRefusal, securitySteps } from '../steps/security.js';
import { securityStatus, type SecurityStatus } from '../steps/security-status.js';
import { guarded } from '../steps/stack-guard.js';

/** The stack to act on: --answers, or the one init recorded on this host. */
export async function locateStack(ctx: Context, answersFile: string | undefined, command: string): Promise<Prepared> {
  let file = answersFile;
  if (!file) {
    const stacks = await installedStacks(ctx);
    if (stacks.length === 0) throw usageError('sec.err.noStack', { command });
    if (stacks.length > 1) throw usageError('sec.err.manyStacks', { command, projects: stacks.map((x) => x.project).join(', ') });
    file = stacks[0]!.answers;
  }
  const answers = await loadAnswers(ctx, file);
  return prepare(ctx, { answers });
}

/** `dryRun`: the preview only (every rule and file it would change, and the lock-out guard's verdict). */
export interface SecurityApplyOptions { answersFile?: string; yes: boolean; dryRun: boolean }

export async function securityApply(ctx: Context, o: SecurityApplyOptions): Promise<number> {
  if (!ctx.isRoot) throw hostError('sec.err.notRoot', { command: 'security apply' });
  const p = await locateStack(ctx, o.answersFile, 'security apply');
  const steps = securitySteps();
  const { t, io } = ctx;
  io.out(`${t('sec.previewHeader', { project: p.plan.project })}\n`);
  for (const { step, check } of await previewSteps(ctx, steps, p)) {
    io.out(`${check.needed ? '•' : '✓'} ${t(step.title, step.params)}${check.needed ? '' : ` (${t('init.nothingToDo')})`}\n`);
    for (const ch of check.changes) io.out(`    ${ch}\n`);
  }
  // Refused before anything is installed or written, in a dry run too (exit 3).
  const refusal = await firewallRefusal(ctx, p);
  if (refusal) throw refusal;
  if (o.dryRun) {
    io.out(`\n${t('init.dryRunDone')}\n`);
    return 0;
  }
  if (!o.yes) throw usageError('err.needYes', { command: 'security apply' });
  io.out('\n');
  // Logged, under the maintenance lock, never during a half-finished restore or update (stack-guard.ts).
  const reports = await guarded(ctx, p.plan, 'security apply', () =>
    runSteps(ctx, steps, p, (e) => {
      if (e.kind === 'start') io.out(`→ ${e.text}\n`);
      else if (e.kind === 'output' && e.text) io.out(`    ${e.text}\n`);
    }),
  );
  const applied = reports.filter((r) => r.status === 'applied').length;
  io.out(`\n${applied === 0 ? t('sec.nothingChanged') : t('sec.applied', { count: applied })}\n`);
  return 0;
}

const yesNo = (ctx: Context, ok: boolean) => (ok ? '✓' : '✗');

export function formatStatus(ctx: Context, st: SecurityStatus): string {
  const { t } = ctx;
  const fw = st.firewall;
  const out: string[] = [];
  out.push(t('sec.st.firewall', { state: !fw.installed ? t('sec.st.notInstalled') : fw.active ? t('sec.st.active') : t('sec.st.inactive'), incoming: fw.defaults.incoming }));
  for (const p of fw.ports) {
    const fam = [p.v4 ? 'IPv4' : null, p.v6 ? 'IPv6' : null].filter(Boolean).join(', ');
    out.push(`  ${yesNo(ctx, p.v4)} ${t(`sec.purpose.${p.purpose}`)} ${p.port}/tcp ${p.v4 || p.v6 ? t('sec.st.open', { families: fam }) : t('sec.st.closed')}`);
  }
  out.push(`  ${yesNo(ctx, fw.onlyExpectedOpen)} ${fw.unexpected.length ? t('sec.st.unexpected', { rules: fw.unexpected.join('; ') }) : t('sec.st.nothingElse')}`);
  out.push(`  ${yesNo(ctx, fw.dockerUser.afterRules && fw.dockerUser.after6Rules && fw.dockerUser.live)} ${t('sec.st.dockerUser', {
    files: fw.dockerUser.afterRules && fw.dockerUser.after6Rules ? t('sec.st.present') : t('sec.st.missing'),
    live: fw.dockerUser.live ? t('sec.st.live') : t('sec.st.notLive'),
  })}`);
  const f = st.fail2ban;
  out.push(t('sec.st.fail2ban', { state: !f.installed ? t('sec.st.notInstalled') : f.running ? t('sec.st.running') : t('sec.st.stopped') }));
  for (const j of f.jails) {
    out.push(`  ${j.name}: ${t('sec.st.jail', { now: j.currentlyBanned, total: j.totalBanned, failed: j.currentlyFailed })}${j.bannedIps.length ? ` (${j.bannedIps.join(' ')})` : ''}`);
  }
  if (f.missingJails.length) out.push(`  ✗ ${t('sec.st.jailsMissing', { jails: f.missingJails.join(', ') })}`);
  out.push(t('sec.st.kernel') + (st.sysctlSettable ? '' : ` (${t('sec.st.notSettable')})`));
  for (const x of st.sysctl) out.push(`  ${yesNo(ctx, x.ok)} ${x.key} = ${x.value ?? '?'}${x.ok ? '' : ` (${t('sec.st.want', { value: x.expected })})`}`);
  out.push(t('sec.st.swap', { active: st.swap.activeMiB, ram: st.swap.ramMiB }) + (st.swap.recommendation === 'create' ? ` — ${t('sec.st.swapAdvice', { size: st.swap.sizeMiB ?? 0 })}` : ''));
  return `${out.join('\n')}\n`;
}

export async function securityStatusReport(ctx: Context, o: { answersFile?: string; json: boolean }): Promise<number> {
  if (!ctx.isRoot) throw hostError('sec.err.notRoot', { command: 'security status' });
  const p = await locateStack(ctx, o.answersFile, 'security status');
  const st = await securityStatus(ctx, p);
  ctx.io.out(o.json ? `${JSON.stringify(st, null, 2)}\n` : formatStatus(ctx, st));
  return 0;
}

