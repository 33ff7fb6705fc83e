// The backup schedule (answers backup.schedule, "HH:MM" or "off"): a systemd timer where systemd
// runs, a cron.d entry where it does not. Installed by init (a step) and refreshed by every
// `backup`. The units name the stack-wizard program as found at install time, so they are written
// to /etc by this step rather than rendered into the install dir with the stack's own files.
import { join } from 'node:path';
import type { Context } from '../context.js';
import { ownScript } from '../host/self.js';
import serviceTemplate from '../../templates/backup.service.tmpl';
import timerTemplate from '../../templates/backup.timer.tmpl';
import cronTemplate from '../../templates/backup.cron.tmpl';
import { HOST } from '../render/paths.js';
import { fill } from '../render/template.js';
import type { Step } from './engine.js';
import { hostRoot } from './mirrors.js';
import type { Prepared } from './prepare.js';

export const SYSTEMD_DIR = '/etc/systemd/system';
export const CRON_DIR = '/etc/cron.d';

export function scheduleNames(project: string) {
  const base = `stack-wizard-${project}-backup`;
  return { service: `${base}.service`, timer: `${base}.timer`, cron: base };
}

/** systemd.syntax(7) quoting for an argument of ExecStart=. */
const unitArg = (s: string) => (/[\s"'\\%$]/.test(s) ? `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"` : s);
const shArg = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command a scheduled run executes: the program, `backup --scheduled`, the stack's answers file. */
export const scheduledArgv = (bin: readonly string[], installDir: string) => [...bin, 'backup', '--scheduled', '--answers', join(installDir, HOST.answers)];

export interface ScheduleFiles { files: { path: string; content: string }[]; kind: 'systemd' | 'cron' }

/** The unit files (or cron entry) for a schedule; pure. */
export function scheduleFiles(o: { project: string; installDir: string; schedule: string; bin: readonly string[]; systemd: boolean }): ScheduleFiles {
  const n = scheduleNames(o.project);
  const argv = scheduledArgv(o.bin, o.installDir);
  const [hh, mm] = o.schedule.split(':');
  if (o.systemd) {
    const service = fill(serviceTemplate, { project: o.project, installDir: o.installDir, execStart: argv.map(unitArg).join(' ') });
    const timer = fill(timerTemplate, { project: o.project, service: n.service, schedule: o.schedule, hh: hh!, mm: mm! });
    return { kind: 'systemd', files: [{ path: join(SYSTEMD_DIR, n.service), content: service }, { path: join(SYSTEMD_DIR, n.timer), content: timer }] };
  }
  const log = join(o.installDir, 'logs', 'backup-cron.log');
  const cron = fill(cronTemplate, { project: o.project, schedule: o.schedule, minute: Number(mm), hour: Number(hh), command: argv.map(shArg).join(' '), log: shArg(log) });
  return { kind: 'cron', files: [{ path: join(CRON_DIR, n.cron), content: cron }] };
}

/**
 * The program to schedule: `stack-wizard` on PATH (a global install, kept current by upgrades),
 * else this Node and this script by their real paths. Null when neither is stable (an npx cache).
 */
export async function wizardBin(ctx: Context): Promise<{ bin: string[]; stable: boolean }> {
  const r = await ctx.exec.query('sh', ['-c', 'command -v stack-wizard'], { timeoutMs: 5000 });
  const found = r.stdout.trim();
  if (r.exitCode === 0 && found.startsWith('/')) return { bin: [found], stable: true };
  const script = ownScript();
  return { bin: [process.execPath, script], stable: !/\/_npx\//.test(script) };
}

async function desired(ctx: Context, s: Prepared) {
  const root = hostRoot(ctx);
  const n = scheduleNames(s.plan.project);
  const off = s.plan.backup.schedule === 'off';
  const { bin, stable } = await wizardBin(ctx);
  const f = scheduleFiles({ project: s.plan.project, installDir: s.plan.installDir, schedule: off ? '03:00' : s.plan.backup.schedule, bin, systemd: s.facts.systemd });
  const present: string[] = [];
  for (const p of [join(SYSTEMD_DIR, n.service), join(SYSTEMD_DIR, n.timer), join(CRON_DIR, n.cron)]) if (await ctx.exec.exists(root + p)) present.push(p);
  return { root, n, off, f, stable, present };
}

async function timerActive(ctx: Context, timer: string): Promise<boolean> {
  const r = await ctx.exec.query('systemctl', ['is-enabled', timer], { timeoutMs: 5000 });
  const a = await ctx.exec.query('systemctl', ['is-active', timer], { timeoutMs: 5000 });
  return r.stdout.trim() === 'enabled' && a.stdout.trim() === 'active';
}

/** What the schedule step would change (empty when the host already matches). */
export async function scheduleChanges(ctx: Context, s: Prepared): Promise<string[]> {
  const d = await desired(ctx, s);
  const out: string[] = [];
  if (d.off) {
    for (const p of d.present) out.push(`- ${p}`);
    return out;
  }
  for (const f of d.f.files) {
    const old = await ctx.exec.readFile(d.root + f.path);
    if (old !== f.content) out.push(`${old === null ? '+' : '~'} ${f.path}`);
  }
  // Files of the other kind (systemd came or went) are removed.
  const mine = new Set(d.f.files.map((f) => f.path));
  for (const p of d.present) if (!mine.has(p)) out.push(`- ${p}`);
  if (d.f.kind === 'systemd' && !d.root && !(await timerActive(ctx, d.n.timer))) out.push(`systemctl enable --now ${d.n.timer}`);
  if (out.length && !d.stable) out.push(ctx.t('bk.schedUnstable'));
  return out;
}

export async function applySchedule(ctx: Context, s: Prepared): Promise<void> {
  const d = await desired(ctx, s);
  const systemd = d.f.kind === 'systemd' && !d.off;
  if (d.off) {
    if (s.facts.systemd && !d.root && d.present.some((p) => p.endsWith('.timer'))) await ctx.exec.run('systemctl', ['disable', '--now', d.n.timer], { check: false });
    for (const p of d.present) await ctx.exec.remove(d.root + p);
    if (s.facts.systemd && !d.root && d.present.length) await ctx.exec.run('systemctl', ['daemon-reload'], { check: false });
    return;
  }
  await ctx.exec.writeFiles(d.f.files.map((f) => ({ path: d.root + f.path, content: f.content, mode: 0o644 })));
  const mine = new Set(d.f.files.map((f) => f.path));
  for (const p of d.present) if (!mine.has(p)) await ctx.exec.remove(d.root + p);
  if (systemd && !d.root) {
    await ctx.exec.run('systemctl', ['daemon-reload'], { timeoutMs: 60_000 });
    await ctx.exec.run('systemctl', ['enable', '--now', d.n.timer], { timeoutMs: 60_000 });
  }
}

/** init's step: the schedule of answers backup.schedule. */
export const backupScheduleStep: Step = {
  id: 'backup-schedule',
  title: 'step.backupSchedule',
  async check(ctx, s) {
    // A render for another host (--host-facts) says nothing about this one's systemd.
    if (s.factsFile) return { needed: false, changes: [] };
    const changes = await scheduleChanges(ctx, s);
    return { needed: changes.some((c) => !c.startsWith('!')), changes };
  },
  async apply(ctx, s) {
    await applySchedule(ctx, s);
  },
};
