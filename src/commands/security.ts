// `security apply [--answers F] [--yes] [--dry-run]` and `security status [--json] [--answers F]`:
// firewall, fail2ban and host tuning for the installed stack (or the one in --answers).
import type { Context } from '../context.js';
import type { Command, ParsedArgs } from './types.js';
import { flag, optString } from './common.js';
import { hostError, usageError } from '../errors.js';
import { loadAnswers, prepare, type Prepared } from '../steps/prepare.js';
import { installedStacks } from '../steps/installed.js';
import { previewSteps, runSteps } from '../steps/engine.js';
import { firewallRefusal, isRoot, securitySteps } from '../steps/security.js';
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

async function apply(ctx: Context, args: ParsedArgs): Promise<number> {
  if (!isRoot()) throw hostError('sec.err.notRoot', { command: 'security apply' });
  const p = await locateStack(ctx, optString(args, 'answers'), 'security apply');
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
  if (flag(args, 'dry-run')) {
    io.out(`\n${t('init.dryRunDone')}\n`);
    return 0;
  }
  if (!flag(args, 'yes')) throw usageError('err.needYes', { command: 'security apply' });
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

async function status(ctx: Context, args: ParsedArgs): Promise<number> {
  if (!isRoot()) throw hostError('sec.err.notRoot', { command: 'security status' });
  const p = await locateStack(ctx, optString(args, 'answers'), 'security status');
  const st = await securityStatus(ctx, p);
  ctx.io.out(flag(args, 'json') ? `${JSON.stringify(st, null, 2)}\n` : formatStatus(ctx, st));
  return 0;
}

const command: Command = {
  options: {
    answers: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  maxPositionals: 1,
  async run(ctx, args) {
    const sub = args.positionals[0];
    if (sub === 'apply') {
      if (flag(args, 'json')) throw usageError('sec.err.badFlag', { flag: '--json', sub: 'apply' });
      return apply(ctx, args);
    }
    if (sub === 'status') {
      for (const f of ['yes', 'dry-run'] as const) if (flag(args, f)) throw usageError('sec.err.badFlag', { flag: `--${f}`, sub: 'status' });
      return status(ctx, args);
    }
    throw usageError('sec.err.subcommand', { value: sub ?? '' });
  },
};
export default command;
